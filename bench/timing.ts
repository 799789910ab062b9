import { Bench } from 'tinybench';

/**
 * Timing with tinybench. One run of a fast program is shorter than the timer's useful
 * resolution, so each tinybench sample runs a batch of runs (sized so a sample takes
 * about `sampleNs`), and every run's result is checked inside the timed task, as sbpf's
 * benchmarks do: a benchmark of a wrong answer fails instead of printing a number.
 */

export interface TimingOptions {
  /** Time budget per task in ms (tinybench keeps sampling until it is spent). */
  readonly timeMs: number;
  /** Minimum number of samples. */
  readonly minSamples: number;
  /** Warmup budget in ms (lets V8 tier the Wasm up to its optimising compiler). */
  readonly warmupMs: number;
  /** Target duration of one sample, in ns. */
  readonly sampleNs: number;
}

export class ResultMismatch extends Error {
  constructor(readonly label: string, readonly got: bigint, readonly want: bigint) {
    super(`${label}: got ${got}, expected ${want}`);
  }
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Runs per sample so that one sample takes about `sampleNs`. */
function batchSize(run: () => bigint, sampleNs: number): number {
  let batch = 1;
  for (;;) {
    const start = nowNs();
    for (let i = 0; i < batch; i++) run();
    if (nowNs() - start >= sampleNs || batch >= 1 << 24) return batch;
    batch *= 2;
  }
}

/** Median ns per run of `run`, which must return `expected` every time. */
export function timePerRun(label: string, run: () => bigint, expected: bigint, options: TimingOptions): number {
  const first = run();
  if (first !== expected) throw new ResultMismatch(label, first, expected);
  const batch = batchSize(run, options.sampleNs);
  const bench = new Bench({
    time: options.timeMs,
    iterations: options.minSamples,
    warmupTime: options.warmupMs,
    warmupIterations: 2,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  bench.add(label, () => {
    for (let i = 0; i < batch; i++) {
      const r0 = run();
      if (r0 !== expected) throw new ResultMismatch(label, r0, expected);
    }
  });
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${label}: tinybench task ended in state ${result.state}`);
  return (result.latency.p50 * 1e6) / batch;
}

/** Median ms of `fn` (compile timing: one call per sample, it takes milliseconds). */
export function timeCall(label: string, fn: () => void, options: Pick<TimingOptions, 'timeMs' | 'minSamples'>): number {
  const bench = new Bench({ time: options.timeMs, iterations: options.minSamples, warmupIterations: 2, timestampProvider: 'hrtimeNow', throws: true });
  bench.add(label, fn);
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${label}: tinybench task ended in state ${result.state}`);
  return result.latency.p50;
}
