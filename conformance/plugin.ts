/**
 * A plugin for the upstream bpf_conformance runner (see plugin-protocol.ts for the
 * contract). Runs the program with ubpf's test helpers on the JIT (default, `--jit`) or
 * the interpreter (`--interpret`), prints r0 in hex and exits 0; on any failure prints
 * one line describing it on stdout and exits 1. Started through bin/ebpf-wasm-plugin.
 */

import { readFileSync } from 'node:fs';
import { describeError } from '../src/cli/describe-error.js';
import { importEngine } from '../src/cli/import-engine.js';
import { ubpfTestHelpers } from '../src/helpers/ubpf-test.js';
import { Runtime } from '../src/runtime/runtime.js';
import { formatResult, parseHexBytes, parsePluginArgs } from './plugin-protocol.js';

async function main(args: string[]): Promise<number> {
  try {
    const { memory, engine } = parsePluginArgs(args);
    const program = parseHexBytes(readFileSync(0, 'utf8'), 'program');
    const load = await importEngine(engine);
    const prog = load(program, { runtime: new Runtime({ helpers: ubpfTestHelpers() }) });
    process.stdout.write(`${formatResult(prog(memory))}\n`);
    return 0;
  } catch (e) {
    process.stdout.write(`${describeError(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
