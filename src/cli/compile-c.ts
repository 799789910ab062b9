import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CliError } from './command.js';
import { readInputFile } from './load-input.js';

/** The compilers tried, in order: the first one found on PATH is used. */
export const CLANG_NAMES = ['clang', 'clang-14'] as const;

/**
 * The way libbpf users build (`-g` puts BTF, and so BTF-defined maps, in the object).
 * Debian keeps <asm/types.h>, which <linux/types.h> includes, in the multiarch
 * directory, e.g. /usr/include/x86_64-linux-gnu.
 */
export function clangArgs(source: string, output: string): string[] {
  return ['-O2', '-g', '-target', 'bpf', `-I/usr/include/${machine()}-linux-gnu`, '-c', source, '-o', output];
}

/**
 * Compile a BPF C source with clang into a temporary directory and return the object.
 * clang's diagnostics go to our stderr as it prints them (its stdout too, so that ours
 * holds only what the command prints). A missing clang or a failed compile is a CliError.
 */
export function compileC(source: string): Uint8Array {
  readInputFile(source); // a missing source is reported as such, not by clang
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-cc-'));
  try {
    const output = join(dir, `${basename(source, '.c')}.o`);
    for (const clang of CLANG_NAMES) {
      const result = spawnSync(clang, clangArgs(source, output), { stdio: ['ignore', 2, 'inherit'] });
      const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') continue;
      if (result.error) throw new CliError(`cannot compile ${source}: cannot run ${clang} (${result.error.message})`);
      if (result.status !== 0) {
        const how = result.signal ? `was killed by ${result.signal}` : `failed with exit status ${result.status}`;
        throw new CliError(`cannot compile ${source}: ${clang} ${how}`);
      }
      if (!existsSync(output)) throw new CliError(`cannot compile ${source}: ${clang} exited 0 but wrote no object`);
      return readInputFile(output);
    }
    throw new CliError(`cannot compile ${source}: clang not found on PATH (install clang, or compile with clang -O2 -g -target bpf -c and run the .o)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
