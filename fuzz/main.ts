/**
 * npm run fuzz -- [--count N] [--seed S] [--opt 0-3] [--max-body N] [--loops P]
 * Runs N random programs through the interpreter and the JIT and prints every
 * divergence as a minimal `.data` file. Exit status 1 if any program diverged.
 * --loops sets how often the entry function gets a loop (percent, default 3); 30 makes
 * most programs loop, to exercise the JIT's counted-loop versioning.
 */
import { computeLayout } from '../src/abi/layout.js';
import { compareEngines, type RunOptions } from './differential.js';
import { generateProgram, LOOP_PERCENT } from './generator.js';
import { minimize, toDataFile } from './minimize.js';
import { Random } from './random.js';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}

function main(args: string[]): number {
  const count = option(args, '--count', 10_000);
  const seed = option(args, '--seed', 1);
  const maxBody = option(args, '--max-body', 40);
  const loops = option(args, '--loops', LOOP_PERCENT);
  const run: RunOptions = args.includes('--opt') ? { optLevel: option(args, '--opt', 2) as RunOptions['optLevel'] } : {};
  const layout = computeLayout({ maxInputSize: 4096 });
  const rnd = new Random(seed);
  let diverged = 0;
  const started = Date.now();
  for (let n = 0; n < count; n++) {
    const { insns, input } = generateProgram(rnd, layout, maxBody, loops);
    const { why } = compareEngines(insns, input, run);
    if (why) {
      diverged++;
      const small = minimize(insns, (p) => compareEngines(p, input, run).why !== undefined);
      const after = compareEngines(small, input, run);
      console.log(toDataFile(small, input, after.interp, `fuzz seed ${seed}, program ${n}: ${after.why ?? why}`));
    }
    if ((n + 1) % 10_000 === 0) console.error(`${n + 1} programs, ${diverged} divergent, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  console.error(`${count} programs (seed ${seed}): ${diverged} divergent`);
  return diverged > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
