/**
 * npm run bench:maps [-- --quick]
 *
 * The hash-map benchmark: a counter doing one map_lookup_elem and one map_update_elem
 * per event (and a lookup-only variant), run by the JIT with the map helpers inside
 * WebAssembly (the default), by the JIT with the same helpers called through JS
 * imports (what a JS implementation would cost at best), by the interpreter, and the
 * same logic in plain JS with a `Map`, side by side in one run. Prints ns per event,
 * events per second and map lookups per second. Every timed run's r0 is checked, and
 * the counters' final contents are checked against an independent count.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  assemble, HelperRegistry, interpreter, jit, mapHelpers, Runtime, u32, u64, type BpfMap, type Program,
} from '../src/index.js';
import { formatNs, renderTable } from './format.js';
import { counterProgram, eventKeys, expectedLookupSum, keyBytes, lookupProgram, storedValue } from './map-programs.js';
import { timePerRun, type TimingOptions } from './timing.js';
import { settle, withOptimizingCompiler } from './v8-tiers.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const timing: TimingOptions = args.quick
  ? { timeMs: 300, minSamples: 10, warmupMs: 100, sampleNs: 2_000_000 }
  : { timeMs: 1500, minSamples: 30, warmupMs: 300, sampleNs: 5_000_000 };

const EVENTS = 4096;
const FLOWS = 1024;
/** The lookup benchmark's map holds 7/8 of the flows, so some lookups miss. */
const PRESENT = (FLOWS * 7) / 8;
const events = eventKeys(EVENTS, FLOWS);
const input = keyBytes(events);

type Engine = 'jit' | 'jit, helpers via JS' | 'interpreter';
const ENGINES: readonly Engine[] = ['jit', 'jit, helpers via JS', 'interpreter'];

/** The standard map helpers without their Wasm entry points: the JIT then imports JS wrappers. */
function jsOnlyMapHelpers(): HelperRegistry {
  return new HelperRegistry(mapHelpers().map(({ wasm: _wasm, ...def }) => def));
}

function load(engine: Engine, source: string, runtime: Runtime): Program {
  const insns = assemble(source);
  if (engine === 'interpreter') return interpreter(insns, { runtime });
  const helpers = engine === 'jit' ? runtime.helpers : jsOnlyMapHelpers();
  return withOptimizingCompiler(() => jit(insns, { runtime, helpers }));
}

interface Row {
  readonly name: string;
  readonly engine: string;
  readonly nsPerEvent: number;
}

/** Time `run` (which handles `perRun` events and returns `expected`); ns per event. */
function time(label: string, run: () => bigint, expected: bigint, perRun: number): number {
  return timePerRun(label, run, expected, timing) / perRun;
}

/** A zero-copy runner over `bytes` already placed in the runtime's input area. */
function runner(prog: Program, bytes: Uint8Array): () => bigint {
  prog.input(bytes.length).set(bytes);
  const runInput = prog.runInput;
  const n = bytes.length;
  return () => runInput(n);
}

/** The counts after `runs` runs over `events`, checked against the map: throws if they differ. */
function checkCounts(map: BpfMap, runs: number, label: string): void {
  const want = new Map<number, bigint>();
  for (const k of events) want.set(k, (want.get(k) ?? 0n) + BigInt(runs));
  const got = new Map(map.view(u32, u64).entries());
  if (got.size !== want.size || [...want].some(([k, n]) => got.get(k) !== n)) {
    throw new Error(`${label}: the map's counts differ from an independent count after ${runs} runs`);
  }
}

function counterRow(engine: Engine): Row {
  const runtime = new Runtime();
  const counts = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: FLOWS, name: 'counts' });
  const run = runner(load(engine, counterProgram(counts.fd), runtime), input);
  let runs = 0;
  const counted = () => { runs++; return run(); };
  const ns = time(`counter ${engine}`, counted, BigInt(EVENTS), EVENTS);
  checkCounts(counts, runs, `counter ${engine}`);
  return { name: 'counter (lookup + update)', engine, nsPerEvent: ns };
}

function counterSingleRow(engine: Engine): Row {
  const runtime = new Runtime();
  const counts = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: FLOWS, name: 'counts' });
  const run = runner(load(engine, counterProgram(counts.fd), runtime), input.subarray(0, 4));
  const ns = time(`counter, 1 event per run, ${engine}`, run, 1n, 1);
  return { name: 'counter, 1 event per run', engine, nsPerEvent: ns };
}

function lookupRow(engine: Engine): Row {
  const runtime = new Runtime();
  const values = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: FLOWS, name: 'values' });
  const view = values.view(u32, u64);
  for (let k = 1; k <= PRESENT; k++) view.set(k, storedValue(k));
  const run = runner(load(engine, lookupProgram(values.fd), runtime), input);
  const ns = time(`lookup ${engine}`, run, expectedLookupSum(events, PRESENT), EVENTS);
  return { name: 'lookup only', engine, nsPerEvent: ns };
}

/** The same two workloads in plain JS, on a Map<number, bigint> and a Map<number, number>. */
function plainJsRows(): Row[] {
  const rows: Row[] = [];
  const counts = new Map<number, bigint>();
  const counter = (): bigint => {
    for (let i = 0; i < events.length; i++) {
      const k = events[i];
      const v = counts.get(k);
      counts.set(k, v === undefined ? 1n : v + 1n);
    }
    return BigInt(events.length);
  };
  rows.push({ name: 'counter (lookup + update)', engine: 'plain JS Map (bigint values)', nsPerEvent: time('counter js', counter, BigInt(EVENTS), EVENTS) });
  const numbers = new Map<number, number>();
  const counterNumbers = (): bigint => {
    for (let i = 0; i < events.length; i++) {
      const k = events[i];
      numbers.set(k, (numbers.get(k) ?? 0) + 1);
    }
    return BigInt(events.length);
  };
  rows.push({ name: 'counter (lookup + update)', engine: 'plain JS Map (number values)', nsPerEvent: time('counter js numbers', counterNumbers, BigInt(EVENTS), EVENTS) });
  const stored = new Map<number, bigint>();
  for (let k = 1; k <= PRESENT; k++) stored.set(k, storedValue(k));
  const lookups = (): bigint => {
    let sum = 0n;
    for (let i = 0; i < events.length; i++) {
      const v = stored.get(events[i]);
      if (v !== undefined) sum += v;
    }
    return sum;
  };
  rows.push({ name: 'lookup only', engine: 'plain JS Map (bigint values)', nsPerEvent: time('lookup js', lookups, expectedLookupSum(events, PRESENT), EVENTS) });
  return rows;
}

const cpu = cpus();
console.log('ebpf-wasm map benchmark');
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, node ${process.version} (V8 ${process.versions.v8})`);
console.log(`workload: ${EVENTS} events per run over ${FLOWS} flows (u32 keys, u64 values, hash map of ${FLOWS} entries);`);
console.log(`          lookup only: ${PRESENT} of the flows present; medians of batched samples${args.quick ? ' (--quick)' : ''}`);
console.log('');

const rows: Row[] = [];
process.stderr.write('warming up...\n');
jit(assemble('mov %r0, 0\nexit'));
// The maps module is compiled once per process, on the first createMap. Like the jitted
// programs (bench/v8-tiers.ts), compile it with TurboFan up front: measured, V8 kept it in
// Liftoff (3x slower) for the first ~0.6 s of a hot loop. The bench reports the steady state.
withOptimizingCompiler(() => new Runtime().createMap({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 }));
for (const measure of [counterRow, lookupRow, counterSingleRow]) {
  for (const engine of ENGINES) {
    await settle();
    process.stderr.write(`measuring ${measure.name} ${engine}...\n`);
    rows.push(measure(engine));
  }
}
await settle();
rows.push(...plainJsRows());

const perSecond = (ns: number) => `${(1e3 / ns).toPrecision(3)} M/s`;
const jitNs = (name: string) => rows.find((r) => r.name === name && r.engine === 'jit')?.nsPerEvent;
console.log(renderTable(
  ['workload', 'engine', 'per event', 'events/s', 'lookups/s', 'vs JIT'],
  rows.map((r) => {
    const base = jitNs(r.name);
    return [r.name, r.engine, formatNs(r.nsPerEvent), perSecond(r.nsPerEvent), perSecond(r.nsPerEvent),
      base === undefined ? '-' : `${(r.nsPerEvent / base).toPrecision(3)}x`];
  }),
));
console.log('');
console.log('one map lookup per event in every workload, so lookups/s = events/s; the counter also does one update per event.');
console.log('"1 event per run" includes the cost of a program run from JS (runInput) per event.');
