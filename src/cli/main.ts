#!/usr/bin/env node
/**
 * The `ebpf-wasm` command line: `ebpf-wasm <command> [args]`. Every failure the user can
 * cause prints one line `error: ...` on stderr and exits 1; set EBPF_WASM_DEBUG=1 to see
 * the stack of an unexpected internal error.
 */

import { readFileSync } from 'node:fs';
import { CliError, type Command } from './command.js';
import { asmCommand } from './commands/asm.js';
import { benchCommand } from './commands/bench.js';
import { disasmCommand } from './commands/disasm.js';
import { compileFilterCommand } from './commands/compile-filter.js';
import { filterCommand } from './commands/filter.js';
import { runCommand } from './commands/run.js';
import { verifyCommand } from './commands/verify.js';
import { watCommand } from './commands/wat.js';
import { describeError } from './describe-error.js';

const COMMANDS: readonly Command[] = [asmCommand, disasmCommand, runCommand, verifyCommand, watCommand, benchCommand, filterCommand, compileFilterCommand];

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
    process.stdout.write(`${topic ? topic.usage : USAGE}\n`);
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  await command.run(rest);
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
