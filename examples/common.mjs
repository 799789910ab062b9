/**
 * What the examples share: loading `<name>.bpf.o` from this folder with the engine
 * named on the command line (`--engine jit`, the default, or `--engine interp`), and
 * a runtime whose bpf_printk output goes to stdout, one line per message, the way
 * `cat /sys/kernel/tracing/trace_pipe` shows it (without the task/CPU/time columns).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ENGINE_NAMES, isEngineName, load, Runtime } from 'ebpf-wasm';

/** The engine from `--engine`; exits with a usage line for anything else. */
export function engineFromArgs(args = process.argv.slice(2)) {
  let engine;
  try {
    engine = parseArgs({ args, options: { engine: { type: 'string', default: 'jit' } } }).values.engine;
  } catch {
    // an unknown option or a missing value: the usage line below says what is accepted
  }
  if (engine === undefined || !isEngineName(engine)) {
    console.error(`usage: node examples/${basename(process.argv[1])} [--engine ${ENGINE_NAMES.join('|')}]`);
    process.exit(2);
  }
  return engine;
}

/** Load examples/<name>.bpf.o: its programs and maps, on a fresh runtime. */
export function loadExample(name) {
  const runtime = new Runtime({ trace: (message) => console.log(`bpf_trace_printk: ${message.trimEnd()}`) });
  return load(readFileSync(new URL(`${name}.bpf.o`, import.meta.url)), { engine: engineFromArgs(), runtime });
}
