import { setFlagsFromString } from 'node:v8';

/**
 * V8 runs new Wasm code first in its baseline compiler (Liftoff) and tiers hot functions
 * up to TurboFan in the background. On this kind of 2-core machine a freshly jitted
 * program ran 5-8x slower for its first ~0.7 s (about a thousand sieve runs), and when
 * that happened inside a timed window the median depended on luck. The bench measures
 * the steady state, what a long-running process gets after tier-up, deterministically:
 * modules compiled inside `withOptimizingCompiler` go straight to TurboFan.
 * `--no-liftoff` is read when a module is compiled, so flipping it around the compile
 * affects only the modules compiled in between; compile-time figures are measured
 * outside, with V8's default flags.
 */
export function withOptimizingCompiler<T>(compile: () => T): T {
  setFlagsFromString('--no-liftoff');
  try {
    return compile();
  } finally {
    setFlagsFromString('--liftoff');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Wait until the process is idle: V8 keeps optimising binaryen's own (large) Wasm and
 * our modules on background threads for a while after they were busy, and on two cores
 * that steals time from whatever is being timed. Returns once a 100 ms window used less
 * than 5 ms of CPU, or after `maxMs`.
 */
export async function settle(maxMs = 5000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const before = process.cpuUsage();
    await sleep(100);
    const used = process.cpuUsage(before);
    if (used.user + used.system < 5000) return;
  }
}
