import { expect, it } from 'vitest';
import { computeLayout } from '../../src/abi/layout.js';
import { compareEngines } from '../../fuzz/differential.js';
import { generateProgram, LOOP_PERCENT } from '../../fuzz/generator.js';
import { Random } from '../../fuzz/random.js';

/**
 * Register a vitest case that runs `count` generated programs (seed `seed`) through the
 * interpreter and the JIT at the default optimisation level and expects identical r0,
 * errors and memory. Split across files so vitest runs the batches in parallel.
 * `loops` is the generator's loop frequency (percent, see generateProgram).
 */
export function differentialBatch(seed: number, count: number, loops = LOOP_PERCENT): void {
  it(`${count} random programs agree between interpreter and JIT (seed ${seed}${loops === LOOP_PERCENT ? '' : `, loops ${loops}%`})`, () => {
    const layout = computeLayout({ maxInputSize: 4096 });
    const rnd = new Random(seed);
    const failures: string[] = [];
    let trapped = 0;
    for (let n = 0; n < count; n++) {
      const { insns, input } = generateProgram(rnd, layout, undefined, loops);
      const { interp, why } = compareEngines(insns, input);
      if (interp.error) trapped++;
      if (why) failures.push(`program ${n}: ${why}`);
      if (failures.length >= 5) break;
    }
    expect(failures).toEqual([]);
    // The generator must produce mostly programs that run to completion, but some traps.
    expect(trapped).toBeGreaterThan(0);
    expect(trapped).toBeLessThan(count * 0.6);
  }, 600_000);
}
