/**
 * The verifier's proofs, tried on programs it has never seen: random programs of the
 * typed packet contexts (scripts/verifier-fuzz-gen.mjs, the generator the kernel was
 * fuzzed against) and random raw programs indexing their input, each accepted one compiled
 * twice, on its proofs and with every access checked (`checkEveryAccess`), and run on
 * random packets. Both must answer alike, and the checked one must never trap at an access
 * the verifier proved: that would be a wrong proof the fast one would have run unchecked.
 */
import { describe, expect, it } from 'vitest';
import { assembleBytes as assemble } from '../src/decode/asm.js';
import { isEbpfError, RuntimeTrap } from '../src/errors.js';
import { jit } from '../src/jit/jit.js';
import type { ProgramType } from '../src/abi/program-types.js';
import { recordedSetup } from '../scripts/verifier-agreement.js';
import { FUZZ_BUDGET, fuzzHelpers } from '../fuzz/differential.js';
import { generateProgram } from '../fuzz/generator.js';
import { Random } from '../fuzz/random.js';
import { Runtime } from '../src/runtime/runtime.js';
import { memoryAccess } from '../src/decode/insn.js';
// @ts-expect-error: a plain ES module of the fuzz script, without types
import { generate, rng } from '../scripts/verifier-fuzz-gen.mjs';

interface Outcome { readonly r0?: bigint; readonly data?: string; readonly trap?: string; readonly pc?: number; readonly refused?: string }

function outcome(run: () => { r0: bigint; dataOut?: Uint8Array }): Outcome {
  try {
    const { r0, dataOut } = run();
    return { r0, data: dataOut === undefined ? undefined : Buffer.from(dataOut).toString('hex') };
  } catch (e) {
    // A packet the program type does not take (too short for its headers) is refused before any run.
    if (e instanceof RangeError) return { refused: e.message };
    if (!(e instanceof RuntimeTrap)) throw e;
    return { trap: e.code, pc: e.pc };
  }
}

/** Packets of every length up to 80 bytes, and one MTU, random bytes with an IPv4/TCP-looking start now and then. */
function packets(seed: number): Uint8Array[] {
  const r = rng(seed);
  const out: Uint8Array[] = [];
  for (const len of [0, 1, 13, 14, 20, 33, 34, 35, 53, 54, 60, 64, 80, 1500]) {
    const p = Uint8Array.from({ length: len }, () => r.int(0, 255));
    if (len >= 34 && r.chance(0.5)) { p[12] = 0x08; p[13] = 0x00; p[14] = 0x45; p[23] = 6; }
    out.push(p);
  }
  return out;
}

/** Compile both ways and compare on every packet; the accesses the proofs left checked, for the message. */
function compare(bytes: Uint8Array, type: ProgramType, maps: { type: string; key: number; value: number; max: number }[], inputs: Uint8Array[], what: string) {
  const setup = () => recordedSetup({ file: what, type, maps, insns: Buffer.from(bytes).toString('hex'), kernel: { verdict: 'accept', errno: null, pc: null, message: '', processed: null }, runs: [] });
  let fast;
  try {
    const { runtime, maps: made, bytes: patched } = setup();
    fast = jit(patched, { runtime, maps: made, programType: type });
  } catch (e) {
    if (isEbpfError(e)) return false; // refused: nothing proven to try
    throw e;
  }
  const { runtime, maps: made, bytes: patched } = setup();
  const checked = jit(patched, { runtime, maps: made, programType: type, checkEveryAccess: true });
  for (const input of inputs) {
    const a = outcome(() => fast.run(input));
    const b = outcome(() => checked.run(input));
    if (b.trap === 'OUT_OF_BOUNDS' && b.pc !== undefined && !fast.checkedAccesses.includes(b.pc)) {
      expect.fail(`${what}: the access at pc ${b.pc} was proven, yet its check fired (${b.trap}) on a ${input.length}-byte input`);
    }
    expect(a, `${what} on a ${input.length}-byte input`).toEqual(b);
  }
  return true;
}

describe('verifier proofs against run-time checks', () => {
  it('typed packet programs: what the verifier proves never needs its check', () => {
    const inputs = packets(7).filter((p) => p.length >= 14);
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const p = generate(2026, i);
      let bytes: Uint8Array;
      try { bytes = assemble(p.lines.join('\n') + '\n'); } catch { continue; }
      if (compare(bytes, p.type, p.maps, inputs, `${p.type}/${p.category} #${i}: ${p.desc}\n${p.lines.join('\n')}`)) accepted++;
    }
    expect(accepted).toBeGreaterThan(150);
  }, 300_000);

  it('raw programs indexing their input relative to its length', () => {
    const inputs = packets(11);
    const r = rng(99);
    for (let i = 0; i < 300; i++) {
      // i compared with len, len / 2 or len - k, then mem[i + d] read or written, in a loop or not.
      const limit = r.pick(['%r2', 'half', 'lenk']);
      const d = r.int(-1, 3);
      const size = r.pick([1, 2, 4]);
      const cond = r.pick(['jlt', 'jle', 'jne']);
      const write = r.chance(0.3);
      const access = write ? `st${['', 'b', 'h', '', 'w'][size]} [%r6${d < 0 ? d : `+${d}`}], 7` : `ldx${['', 'b', 'h', '', 'w'][size]} %r5, [%r6${d < 0 ? d : `+${d}`}]`;
      const source = `
        mov %r0, 0
        mov %r3, 0
        mov %r4, %r2
        ${limit === 'half' ? 'rsh %r4, 1' : limit === 'lenk' ? `sub %r4, ${r.int(0, 4)}` : 'mov %r4, %r2'}
        jge %r3, %r4, out
      loop:
        mov %r6, %r1
        add %r6, %r3
        ${access}
        add %r0, 1
        add %r3, ${r.pick([1, 1, 2])}
        ${cond} %r3, %r4, loop
      out:
        exit`;
      compare(assemble(source), 'raw', [], inputs, `raw #${i}\n${source}`);
    }
  }, 300_000);

  it('random raw programs of the differential fuzzer, on their input cut at several lengths', () => {
    let proven = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const { insns, input } = generateProgram(new Random(seed), new Runtime({ maxInputSize: 4096 }).layout);
      const load = (checkEveryAccess: boolean) => {
        try {
          return jit(insns, { runtime: new Runtime({ helpers: fuzzHelpers(), maxInputSize: 4096 }), budget: FUZZ_BUDGET, checkEveryAccess });
        } catch (e) {
          if (isEbpfError(e)) return undefined;
          throw e;
        }
      };
      const fast = load(false);
      const checked = load(true);
      if (fast === undefined || checked === undefined) continue;
      // Helpers trap at their call's pc too: only a memory access's own check counts.
      const accesses = new Set(insns.filter((i) => memoryAccess(i) !== undefined).map((i) => i.pc));
      proven += accesses.size - fast.checkedAccesses.length;
      for (const len of new Set([input.length, 0, 1, 8, 13, 64, Math.floor(input.length / 2)])) {
        if (len > input.length) continue;
        const a = outcome(() => ({ r0: fast(input.slice(0, len)) }));
        const b = outcome(() => ({ r0: checked(input.slice(0, len)) }));
        if (a.trap === 'BUDGET_EXHAUSTED' || b.trap === 'BUDGET_EXHAUSTED') continue;
        if (b.trap === 'OUT_OF_BOUNDS' && accesses.has(b.pc!) && !fast.checkedAccesses.includes(b.pc!)) {
          expect.fail(`seed ${seed}: the access at pc ${b.pc} was proven, yet its check fired (${b.trap}) on ${len} input bytes`);
        }
        expect(a, `seed ${seed}, ${len} input bytes`).toEqual(b);
      }
    }
    expect(proven).toBeGreaterThan(30);
  }, 300_000);
});
