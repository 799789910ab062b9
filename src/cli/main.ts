#!/usr/bin/env node
/**
 * The `ebpf-wasm` command line: `ebpf-wasm <command> [args]`. Every failure the user can
 * cause prints one line `error: ...` on stderr and exits 1; set EBPF_WASM_DEBUG=1 to see
 * the stack of an unexpected internal error.
 */

import { readFileSync } from 'node:fs';
import { CliError, type Command } from './command.js';
import { describeError } from './describe-error.js';
import { runCommand } from './commands/run.js';

/**
 * The commands, imported when one runs (or its help is asked for), so that `run --engine
 * interp` does not load the filter language, the capture readers, the classic BPF
 * compiler or child_process; `run`, the common case, is imported statically (README,
 * "Start-up": the bundled command then loads ~365 KB in 11 files instead of ~555 KB in 2,
 * ~5 ms less; each lazy file costs about 1 ms, so the parts it needs stay static).
 */
interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  { name: 'asm', summary: 'assemble eBPF assembler text into raw bytecode', load: async () => (await import('./commands/asm.js')).asmCommand },
  { name: 'disasm', summary: 'disassemble bytecode (or normalise assembler text)', load: async () => (await import('./commands/disasm.js')).disasmCommand },
  { name: 'run', summary: 'run a program once and print r0', load: async () => runCommand },
  { name: 'verify', summary: 'run the verifier alone: accepted (with its cost) or the error', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { name: 'wat', summary: 'print the WebAssembly module the JIT produces, as text', load: async () => (await import('./commands/wat.js')).watCommand },
  { name: 'bench', summary: 'time repeated runs, like bpftool prog run ... repeat N', load: async () => (await import('./commands/bench.js')).benchCommand },
  { name: 'filter', summary: 'filter a pcap/pcapng capture with a pcap filter expression or tcpdump -dd output', load: async () => (await import('./commands/filter.js')).filterCommand },
  { name: 'compile-filter', summary: 'compile a pcap filter expression and print its program (as tcpdump -d)', load: async () => (await import('./commands/compile-filter.js')).compileFilterCommand },
];

const USAGE = `usage: ebpf-wasm <command> [options]

JIT-compiles eBPF bytecode to WebAssembly and runs it.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(Math.max(...COMMANDS.map((d) => d.name.length)) + 2)}${c.summary}`).join('\n')}

Run 'ebpf-wasm <command> --help' for a command's options, 'ebpf-wasm --version' for the version.`;

/**
 * The version in package.json, read when asked: the nearest package.json named
 * ebpf-wasm above this file, which is dist/src/cli/main.js in the repository and
 * dist/pkg/cli.js in the package (bundled).
 */
function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ebpf-wasm' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here: look one level up.
    }
    if (dir.pathname === '/') throw new CliError('cannot find the package.json of ebpf-wasm');
  }
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new CliError("missing command (see ebpf-wasm --help)");
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(`${topic ? (await topic.load()).usage : USAGE}\n`);
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  await (await command.load()).run(rest);
}

// `ebpf-wasm wat x.bin | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});

main(process.argv.slice(2)).catch((e: unknown) => {
  const internal = !(e instanceof CliError);
  process.stderr.write(`error: ${internal ? `internal error: ${describeError(e)}` : e.message}\n`);
  if (internal && process.env.EBPF_WASM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
