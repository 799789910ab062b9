/**
 * The library API under misuse (issue 14): each wrong argument fails at the call that
 * made it, with a TypeError or RangeError (or the load stage's DecodeError for a program
 * of the wrong type) naming the argument; never a silently wrong answer, never an error
 * from deep inside. Then a property test: random sequences of calls with random
 * arguments, after which programs and maps still give the right answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, DecodeError, encode, HelperRegistry, interpreter, jit, loadProgram, Runtime, u32, u64, type Program } from '../src/index.js';

type Engine = 'jit' | 'interp';
const ENGINES: readonly Engine[] = ['jit', 'interp'];

/** r0 = the input's first byte, or 256 for an empty input. */
const FIRST_BYTE = assemble(`
  mov %r0, 256
  jeq %r2, 0, done
  ldxb %r0, [%r1+0]
done:
  exit
`);

function load(engine: Engine, runtime = new Runtime()): Program {
  return loadProgram(FIRST_BYTE, { engine, runtime });
}

/** What `fn` threw, to assert on its class and message. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe.each(ENGINES)('runs with bad arguments (%s)', (engine) => {
  const prog = load(engine);
  const max = prog.runtime.layout.maxInputSize;

  it('runInput(n) refuses lengths past the input area instead of reading the heap', () => {
    // 1048712 is just past the input area: a raw program used to read map values there.
    for (const n of [max + 1, 1_048_712, 1e9, Number.MAX_SAFE_INTEGER]) {
      const e = thrown(() => prog.runInput(n));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toContain(`exceeds maxInputSize ${max}`);
    }
    expect(prog.runInput(max)).toBe(0n);
  });

  it('runInput(n) and input(n) refuse negative, fractional and non-number lengths', () => {
    for (const [name, call] of [['runInput', prog.runInput], ['input', prog.input]] as const) {
      for (const n of [-1, 1.5, NaN, Infinity]) {
        const e = thrown(() => call(n));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toBe(`${name}(length) must be a non-negative integer, got ${n}`);
      }
      for (const n of ['3', 3n, null, {}]) {
        const e = thrown(() => call(n as never));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toMatch(new RegExp(`^${name}\\(length\\) must be a number, got `));
      }
    }
    expect(thrown(() => prog.input(max + 1))).toBeInstanceOf(RangeError);
  });

  it('a call refuses inputs that are not a Uint8Array instead of running over nothing', () => {
    expect(thrown(() => prog('abc' as never)).message).toBe('a program\'s input must be a Uint8Array, got the string "abc"');
    expect(thrown(() => prog([7, 8] as never)).message).toBe('a program\'s input must be a Uint8Array, got an Array of 2');
    // Uint8Array.set would have truncated 0x0102 to the byte 2.
    const e = thrown(() => prog(Uint16Array.of(0x0102) as never));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('got a Uint16Array (wrap its bytes: new Uint8Array(');
    expect(thrown(() => prog.run(new ArrayBuffer(2) as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => prog(42 as never))).toBeInstanceOf(TypeError);
    // What is allowed: nothing, a Uint8Array, a Buffer (a Uint8Array too).
    expect(prog()).toBe(256n);
    expect(prog(Buffer.from([9]))).toBe(9n);
    expect(prog.run(Uint8Array.of(5)).r0).toBe(5n);
  });

  it('a view from input(n) kept across a memory growth makes runInput throw, not answer for the last packet', () => {
    const runtime = new Runtime();
    const p = load(engine, runtime);
    p.input(1).set([1]);
    expect(p.runInput(1)).toBe(1n);
    const stale = p.input(1);
    const pages = runtime.memory.buffer.byteLength;
    runtime.createMap({ type: 'array', keySize: 4, valueSize: 1 << 16, maxEntries: 16 });
    expect(runtime.memory.buffer.byteLength).toBeGreaterThan(pages);
    stale[0] = 2;                                      // lost: the view is detached
    const e = thrown(() => p.runInput(1));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('detached when the runtime\'s memory grew');
    // A new view works, and the error is not repeated for runs after it.
    p.input(1)[0] = 3;
    expect(p.runInput(1)).toBe(3n);
    expect(p.runInput(1)).toBe(3n);
  });

  it('a view of zero bytes is not taken for a detached one', () => {
    const p = load(engine);
    expect(p.input(0).byteLength).toBe(0);
    expect(p.runInput(0)).toBe(256n);
  });
});

describe.each(ENGINES)('loading with bad arguments (%s)', (engine) => {
  const loader = engine === 'jit' ? jit : interpreter;
  const name = engine === 'jit' ? 'jit' : 'interpreter';

  it('text instead of bytecode is a DecodeError that says to assemble it', () => {
    const e = thrown(() => loader('mov %r0, 1\nexit' as never));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).code).toBe('BAD_INPUT');
    expect(e.message).toBe(`program must be a Uint8Array of bytecode or an array of instructions, got the string "mov %r0, 1\\nexit": assemble text first, ${name}(assemble(text))`);
    expect(thrown(() => loader(null as never)).message).toContain('got null');
    expect(thrown(() => loader(undefined as never)).message).toContain('got undefined');
  });

  it('options of the wrong type are TypeErrors naming the option', () => {
    const exit = encode(assemble('exit'));
    expect(thrown(() => loader(exit, null as never)).message).toBe(`${name}() options must be an object, got null`);
    expect(thrown(() => loader(exit, 5 as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => loader(exit, { runtime: {} as never })).message).toBe(`${name}() option runtime must be a Runtime, got a plain object`);
    expect(thrown(() => loader(exit, { helpers: new Map() as never })).message).toBe(`${name}() option helpers must be a HelperRegistry, got a Map`);
    expect(thrown(() => loader(exit, { maps: 'x' as never }))).toBeInstanceOf(TypeError);
    expect(loader(exit, { helpers: new HelperRegistry() })()).toBe(0n);
  });

  it('budgets that are not non-negative safe integers are RangeErrors', () => {
    for (const budget of [-1, 1.5, NaN, 2 ** 53]) {
      const e = thrown(() => loader(assemble('exit'), { budget }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toContain('budget must be a non-negative safe integer');
    }
    expect(loader(assemble('exit'), { budget: 10 })()).toBe(0n);
  });
});

describe('options checked where they are taken', () => {
  it('jit() takes optLevel 0-3 only', () => {
    for (const optLevel of [7, -1, 1.5, '2']) {
      const e = thrown(() => jit(assemble('exit'), { optLevel: optLevel as never }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^optLevel must be 0, 1, 2 or 3, got /);
    }
    for (const optLevel of [0, 1, 2, 3] as const) expect(jit(assemble('mov %r0, 4\nexit'), { optLevel })()).toBe(4n);
  });

  it('loadProgram() refuses an engine it does not know instead of picking the interpreter', () => {
    for (const engine of ['JIT', 'foo', 1]) {
      const e = thrown(() => loadProgram(assemble('exit'), { engine: engine as never }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^loadProgram\(\) option engine must be one of jit, interp, got /);
    }
  });

  it('Runtime takes a 32-bit unsigned seed, a trace function and a HelperRegistry', () => {
    expect(thrown(() => new Runtime({ seed: 'x' as never }))).toBeInstanceOf(TypeError);
    for (const seed of [-1, 1.5, NaN, 2 ** 32]) {
      const e = thrown(() => new Runtime({ seed }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`Runtime option seed must be an integer from 0 to 4294967295, got ${seed}`);
    }
    expect(thrown(() => new Runtime({ trace: 'stderr' as never })).message).toContain('trace must be a function');
    expect(thrown(() => new Runtime({ helpers: [] as never }))).toBeInstanceOf(TypeError);
    expect(thrown(() => new Runtime(null as never))).toBeInstanceOf(TypeError);
    // Equal seeds, equal sequences: the seed still seeds.
    const draw = (seed: number) => jit(assemble('call 7\nexit'), { runtime: new Runtime({ seed }) })();
    expect(draw(2 ** 32 - 1)).toBe(draw(2 ** 32 - 1));
  });
});

/**
 * The property: any sequence of calls, good and bad, leaves the runtime answering right.
 * A model tracks the input area's bytes and a hash map counting runs by input length
 * (the counter program updates it; JS reads it through a view); bad calls must throw
 * a TypeError or RangeError and change neither.
 */
describe('random sequences of API calls', () => {
  /** Counts runs by input length in the hash map `fd`: key = r2 (u32), value += 1 (u64); r0 = 0. */
  const counterSource = (fd: number) => `
    stxw [%r10-4], %r2
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_fd(${fd})
    call 1
    jeq %r0, 0, insert
    ldxdw %r1, [%r0+0]
    add %r1, 1
    stxdw [%r0+0], %r1
    mov %r0, 0
    exit
  insert:
    mov %r1, 1
    stxdw [%r10-16], %r1
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    lddw %r1, map_fd(${fd})
    mov %r4, 0
    call 2
    mov %r0, 0
    exit
  `;

  const junk = fc.oneof(
    fc.integer({ min: -5, max: 5 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null),
    fc.constant(undefined), fc.bigInt({ min: -2n, max: 2n }), fc.array(fc.nat(255), { maxLength: 3 }),
    fc.constant(new Uint16Array(2)), fc.constant({}),
  );
  const length = fc.oneof(
    { arbitrary: fc.nat(40), weight: 4 }, fc.constant(1 << 20), fc.constant((1 << 20) + 1), junk,
  );
  // Weighted so that input, grow, write, runInput (the stale view) comes up often.
  const step = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('call' as const), bytes: fc.uint8Array({ maxLength: 40 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('callJunk' as const), value: junk }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('input' as const), length }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('write' as const), byte: fc.nat(255) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('runInput' as const), length }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('grow' as const) }), weight: 2 },
  );

  it.each(ENGINES)('%s: only TypeError/RangeError escape, and runs and maps still answer right', (engine) => {
    fc.assert(fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
      const runtime = new Runtime();
      const counts = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 64 });
      const first = load(engine, runtime);
      const counter = loadProgram(assemble(counterSource(counts.fd)), { engine, runtime });
      // byte0: the input area's first byte; view: the last view input() gave, stale once the memory grew.
      const model = { byte0: 0, counts: new Map<number, bigint>(), view: undefined as Uint8Array | undefined, stale: false };
      const expectOnlyArgumentErrors = (fn: () => void) => {
        try {
          fn();
        } catch (e) {
          if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
          return true;
        }
        return false;
      };
      for (const s of steps) {
        switch (s.kind) {
          case 'call':
            expect(first(s.bytes)).toBe(s.bytes.length ? BigInt(s.bytes[0]) : 256n);
            expect(counter(s.bytes)).toBe(0n);
            if (s.bytes.length > 0) model.byte0 = s.bytes[0];
            model.counts.set(s.bytes.length, (model.counts.get(s.bytes.length) ?? 0n) + 1n);
            model.view = undefined;
            model.stale = false;
            break;
          case 'callJunk':
            expect(expectOnlyArgumentErrors(() => first(s.value as never))).toBe(s.value !== undefined);
            if (s.value === undefined) model.view = undefined;   // a copying run: no view to go stale
            break;
          case 'input': {
            let view: Uint8Array | undefined;
            const failed = expectOnlyArgumentErrors(() => { view = first.input(s.length as never); });
            const valid = typeof s.length === 'number' && Number.isInteger(s.length) && s.length >= 0 && s.length <= (1 << 20);
            expect(failed).toBe(!valid);
            if (view) {
              expect(view.length).toBe(s.length);
              model.view = view;
              model.stale = false;
            }
            break;
          }
          case 'write':
            if (model.view && model.view.length > 0) {
              model.view[0] = s.byte;
              if (!model.stale) model.byte0 = s.byte;
            }
            break;
          case 'grow':
            runtime.createMap({ type: 'array', keySize: 4, valueSize: 1 << 16, maxEntries: 2 });
            if (model.view) model.stale = true;
            break;
          case 'runInput': {
            const valid = typeof s.length === 'number' && Number.isInteger(s.length) && s.length >= 0 && s.length <= (1 << 20);
            let r0: bigint | undefined;
            const failed = expectOnlyArgumentErrors(() => { r0 = first.runInput(s.length as never); });
            if (valid && model.stale) {
              expect(failed).toBe(true);            // the detached view is reported once
              model.stale = false;
              model.view = undefined;
            } else {
              expect(failed).toBe(!valid);
              if (valid) expect(r0).toBe(s.length === 0 ? 256n : BigInt(model.byte0));
            }
            break;
          }
        }
      }
      // The map answers what the model says, through the host API and through programs.
      const view = counts.view(u32, u64);
      expect(new Map(view)).toEqual(model.counts);
      expect(counter(new Uint8Array(3))).toBe(0n);
      expect(view.get(3)).toBe((model.counts.get(3) ?? 0n) + 1n);
      expect(first(Uint8Array.of(77))).toBe(77n);
    }), { numRuns: engine === 'jit' ? 60 : 150, seed: 14 });
  });
});
