/**
 * jitInBackground() (src/tiered.ts): answers from the interpreter at once, switches to the
 * JIT once it has loaded and compiled the program, with the same results, maps and input
 * area before and after; a JIT that cannot load leaves the interpreter answering.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, DecodeError, VerifierError, interpreter, jit, jitInBackground, Runtime, u32, u64, type JitModule, type Program } from '../src/index.js';
import { REPO, spawn } from './support/spawn.js';

const importJit = () => import('../src/index.js') as Promise<JitModule>;

/** Counts its runs in an array map (key 0) and returns count * 1000 + the input's first byte, which it doubles in place. */
function counterProgram(runtime: Runtime) {
  const map = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
  // lddw map_value: the address of the array's one value, no lookup call.
  const source = `
    lddw %r3, map_value(${map.fd}, 0)
    ldxdw %r0, [%r3+0]
    add %r0, 1
    stxdw [%r3+0], %r0
    mul %r0, 1000
    jeq %r2, 0, out
    ldxb %r4, [%r1+0]
    add %r0, %r4
    lsh %r4, 1
    stxb [%r1+0], %r4
  out:
    exit`;
  return { map, insns: assemble(source) };
}

describe('jitInBackground', () => {
  it('answers from the interpreter at once, then from the JIT, with the same results, map and input area', async () => {
    /** The same calls on any program, half of them before `midway` (the switch, for jitInBackground). */
    const calls = async (prog: Program, midway: () => Promise<void>) => {
      const out: unknown[] = [];
      const bytes = Uint8Array.of(3);
      out.push(prog(bytes), bytes[0]);              // the input's byte is doubled in place (a raw program's memory)
      const view = prog.input(1);
      view[0] = 20;
      out.push(prog.runInput(1));
      view[0] = 21;                                 // a view taken before the switch serves after it
      await midway();
      out.push(prog.runInput(1), prog(bytes), bytes[0], prog.run(Uint8Array.of(1)));
      return out;
    };
    const runtime = new Runtime();
    const { map, insns } = counterProgram(runtime);
    const prog = jitInBackground(insns, { runtime, importJit });
    const engines = [prog.engine];
    const got = await calls(prog, async () => {
      await prog.ready;
      engines.push(prog.engine);
    });
    expect(engines).toEqual(['interp', 'jit']);
    expect(got).toEqual([1003n, 6, 2020n, 3021n, 4006n, 12, { r0: 5001n, memory: Uint8Array.of(2) }]);
    expect(map.lookup(u32(0))).toEqual(u64(5n));
    // The interpreter alone, and the JIT alone, each on a fresh runtime, give the same.
    for (const load of [interpreter, jit]) {
      const fresh = new Runtime();
      const other = counterProgram(fresh);
      expect(await calls(load(other.insns, { runtime: fresh }), async () => undefined)).toEqual(got);
    }
  });

  it('a JIT that cannot be imported leaves the interpreter answering; ready rejects with why', async () => {
    const prog = jitInBackground(assemble('mov %r0, 7\nexit'), { importJit: () => Promise.reject(new Error('no Binaryen here')) });
    await expect(prog.ready).rejects.toThrow('no Binaryen here');
    expect(prog.engine).toBe('interp');
    expect(prog()).toBe(7n);
  });

  it('a failure nobody awaits is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      jitInBackground(assemble('exit'), { importJit: () => Promise.reject(new Error('x')) });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('checks its arguments and loads the program at the call', () => {
    expect(() => jitInBackground('exit' as never)).toThrow(DecodeError);
    expect(() => jitInBackground(assemble('exit'), { optLevel: 7 as never })).toThrow(RangeError);
    expect(() => jitInBackground(assemble('exit'), { importJit: 'ebpf-wasm' as never })).toThrow(new TypeError("jitInBackground() option importJit must be a function, got the string \"ebpf-wasm\""));
    expect(() => jitInBackground(assemble('call 99999\nexit'))).toThrow(VerifierError);
  });

  it('in the package, imports the JIT from its main entry by itself', () => {
    const script = `const { jitInBackground, assemble } = await import(${JSON.stringify(join(REPO, 'dist/pkg/core.js'))});
      const prog = jitInBackground(assemble('mov %r0, 42\\nexit'));
      const first = [prog(), prog.engine];
      await prog.ready;
      console.log(first.join(' '), String(prog()), prog.engine);`;
    const result = spawn(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('42 interp 42 jit\n');
  }, 60_000);
});
