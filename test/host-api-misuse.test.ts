/**
 * The library API under misuse (issue 14): each wrong argument fails at the call that
 * made it, with a TypeError or RangeError (or the load stage's DecodeError for a program
 * of the wrong type) naming the argument; never a silently wrong answer, never an error
 * from deep inside. Maps: what no bpf() call could pass (a key that is no Uint8Array of
 * the key size, a spec field that is no u32) is a TypeError or RangeError, what the
 * kernel refuses a MapError. Then property tests: random sequences of calls with random
 * arguments, after which programs and maps still give the right answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assemble, captureFormatOf, compileCbpf, compileFilter, compileFilterCbpf, decodeCbpfBytes, disassemble, encodeCapture, encodeCbpfBytes,
  formatCbpfDd, formatCbpfListing, listing, parseCbpfDd, parseFilter, slotCount,
  DecodeError, encode, fixedBytes, HelperRegistry, interpreter, jit, loadProgram, MapError, Runtime, u32, u64, type BpfMap, type Program,
} from '../src/index.js';
import * as api from '../src/index.js';
import * as core from '../src/core.js';

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

/** A program that looks up its input's 4 bytes in `map` (u64 values): r0 = the value, or `miss`. */
function mapReader(map: BpfMap, miss: number, runtime: Runtime): Program {
  return loadProgram(assemble(`
    mov %r2, %r1
    lddw %r1, map_fd(${map.fd})
    call 1
    mov %r6, ${miss}
    jeq %r0, 0, done
    ldxdw %r6, [%r0+0]
  done:
    mov %r0, %r6
    exit`), { engine: 'interp', runtime });
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

/** A classic filter that accepts TCP over IPv4 or IPv6 frames (zeroed frames do not match). */
const tcpFilter = () => api.PacketFilter.fromCbpf(api.compileFilterCbpf('tcp'));

describe('instructions, filters and captures with bad arguments', () => {
  it.each([
    ['encode', () => encode('exit' as never), 'encode(insns) must be an array of instructions (from decode() or assemble()), got the string "exit"'],
    ['encode', () => encode([{ opcode: 0x95 }] as never), 'encode(insns)[0] must be an instruction, got a plain object'],
    ['slotCount', () => slotCount(null as never), 'slotCount(insns) must be an array of instructions (from decode() or assemble()), got null'],
    ['disassemble', () => disassemble(encode(assemble('exit')) as never), 'disassemble(insns) must be an array of instructions (from decode() or assemble()), got a Uint8Array'],
    ['listing', () => listing([...assemble('exit'), 7] as never), 'listing(insns)[1] must be an instruction, got 7'],
    ['parseFilter', () => parseFilter(undefined as never), 'a filter expression must be a string, got undefined'],
    ['compileFilterCbpf', () => compileFilterCbpf(80 as never), 'a filter expression must be a string, got 80'],
    ['compileFilter', () => compileFilter({ code: 6 } as never), 'a classic BPF program must be text, struct sock_filter bytes (a Uint8Array) or an array of { code, jt, jf, k }, got a plain object'],
    ['compileCbpf', () => compileCbpf([{ code: 6, jt: 0, jf: 0 }] as never), 'a classic BPF program[0] must be an instruction { code, jt, jf, k } of integers, got a plain object'],
    ['parseCbpfDd', () => parseCbpfDd(Uint8Array.of(1) as never), 'parseCbpfDd(text) must be a string, got a Uint8Array'],
    ['decodeCbpfBytes', () => decodeCbpfBytes('{ 6, 0, 0, 0 }' as never), 'decodeCbpfBytes(bytes) must be a Uint8Array, got the string "{ 6, 0, 0, 0 }"'],
    ['encodeCbpfBytes', () => encodeCbpfBytes([{ code: '6', jt: 0, jf: 0, k: 0 }] as never), 'encodeCbpfBytes(insns)[0] must be an instruction { code, jt, jf, k } of integers, got a plain object'],
    ['formatCbpfDd', () => formatCbpfDd(undefined as never), 'formatCbpfDd(insns) must be an array of classic BPF instructions { code, jt, jf, k }, got undefined'],
    ['formatCbpfListing', () => formatCbpfListing({} as never), 'formatCbpfListing(insns) must be an array of classic BPF instructions { code, jt, jf, k }, got a plain object'],
    ['encodeCapture', () => encodeCapture(5 as never), 'encodeCapture(packets) must be an iterable of packets, got 5'],
    ['captureFormatOf', () => captureFormatOf([0xd4, 0xc3, 0xb2, 0xa1] as never), 'captureFormatOf(bytes) must be a Uint8Array, got an Array of 4'],
    ['branchTarget', () => api.branchTarget(undefined as never), 'branchTarget(insn) must be an instruction (from decode() or assemble()), got undefined'],
    ['nextPc', () => api.nextPc({ pc: 0 } as never), 'nextPc(insn) must be an instruction (from decode() or assemble()), got a plain object'],
    ['formatInsn', () => api.formatInsn(null as never), 'formatInsn(insn) must be an instruction (from decode() or assemble()), got null'],
    ['makeInsn', () => api.makeInsn({ opcode: 0x95 } as never), 'makeInsn(spec) must be a row of OPCODES (findSpec(), SPECS_BY_MNEMONIC), got a plain object'],
    ['prepareProgram', () => api.prepareProgram(assemble('exit'), {} as never), 'prepareProgram() option runtime must be a Runtime, got undefined'],
    ['validateCbpf', () => api.validateCbpf('ret #0' as never), 'validateCbpf(insns) must be an array of classic BPF instructions { code, jt, jf, k }, got the string "ret #0"'],
    ['summarizePacket', () => api.summarizePacket({ data: [1] } as never), 'summarizePacket(packet) must be a packet { data (a Uint8Array), originalLength (a number), timestampNs (a bigint) }, got a plain object'],
    ['encodeCapture', () => encodeCapture([{ data: 'x' }] as never), 'a packet to write must be a packet whose data is a Uint8Array, got a plain object'],
    ['PacketArena.fromPackets', () => api.PacketArena.fromPackets([new Uint8Array(4), 1] as never), 'PacketArena.fromPackets() packets[1] must be a Uint8Array, got 1'],
    ['PacketArena.fromBuffer', () => api.PacketArena.fromBuffer('x' as never, [], []), 'PacketArena.fromBuffer() buffer must be a Uint8Array, got the string "x"'],
    ['PacketArena.fromBuffer', () => api.PacketArena.fromBuffer(new Uint8Array(4), null as never, []), 'PacketArena.fromBuffer() offsets must be an array or a typed array of numbers, got null'],
    ['PacketArena.fromPcap', () => api.PacketArena.fromPcap(undefined as never), 'PacketArena.fromPcap() file must be a Uint8Array, got undefined'],
    ['PacketArena.readPcap', () => api.PacketArena.readPcap(7 as never), 'PacketArena.readPcap() path must be a string, got 7'],
    ['PacketFilter.match', () => tcpFilter().match('abc' as never), 'PacketFilter.match() packet must be a Uint8Array, got the string "abc"'],
    ['PacketFilter.filter', () => tcpFilter().filter(null as never), 'PacketFilter.filter() packets must be an array of Uint8Arrays, got null'],
    ['PacketFilter.filterBuffer', () => tcpFilter().filterBuffer(new Uint8Array(8), [0], [8], [0] as never), 'PacketFilter.filterBuffer() verdicts must be a Uint32Array, got an Array of 1'],
    ['PacketFilter.filterArena', () => tcpFilter().filterArena({} as never), 'PacketFilter: the arena must be a PacketArena (PacketArena.fromPcap(), fromPackets()...), got a plain object'],
    ['CaptureWriter', () => new api.CaptureWriter(null as never), 'CaptureWriter destination must be a file path or a writable stream, got null'],
  ])('%s names its argument', (_name, call, message) => {
    expect(call).toThrow(new TypeError(message));
  });

  it('the same calls with right arguments still work', () => {
    const arena = api.PacketArena.fromPackets([new Uint8Array(60), new Uint8Array(20)]);
    expect(tcpFilter().filterArena(arena)).toMatchObject({ matches: 0 });
    expect(tcpFilter().filter([new Uint8Array(60)]).matches).toBe(0);
    expect(tcpFilter().match(new Uint8Array(60))).toBe(0);
    expect(slotCount(assemble('lddw %r0, 1\nexit'))).toBe(3);
    expect(disassemble(assemble('exit'))).toBe('exit\n');
    expect(formatCbpfDd(parseCbpfDd('{ 0x6, 0, 0, 0x00040000 },'))).toBe('{ 0x6, 0, 0, 0x00040000 },\n');
    expect(encodeCbpfBytes(decodeCbpfBytes(new Uint8Array(8))).length).toBe(8);
    expect(compileCbpf([{ code: 6, jt: 0, jf: 0, k: 1 }]).cbpf.length).toBe(1);
    expect(captureFormatOf(encodeCapture([]))).toBe('pcap');
    const [mov, ja] = assemble('mov %r0, 1\nja +0\nexit');
    expect([api.nextPc(mov), api.branchTarget(assemble('ja +2')[0]), api.formatInsn(ja)]).toEqual([1, 3, 'ja +0']);
    expect(api.formatInsn(api.makeInsn(api.findSpec(0x95, 0, 0, 0)!))).toBe('exit');
    expect(api.prepareProgram(assemble('exit'), { runtime: new Runtime() }).insns.length).toBe(1);
  });
});

describe('maps with bad arguments', () => {
  const hashMap = () => new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 4, name: 'm' });

  it('keys and values: TypeError for what is not a Uint8Array, RangeError for another length', () => {
    const m = hashMap();
    expect(() => m.lookup('abc' as never)).toThrow(new TypeError('lookup on hash map \'m\' (fd 1): key must be a Uint8Array of 4 bytes, got the string "abc"'));
    expect(() => m.update(u32(1), [1, 2] as never)).toThrow(new TypeError('update on hash map \'m\' (fd 1): value must be a Uint8Array of 8 bytes, got an Array of 2'));
    expect(() => m.delete(new Uint8Array(5))).toThrow(new RangeError('delete on hash map \'m\' (fd 1): key must be 4 bytes, got 5'));
    expect(() => m.has(null as never)).toThrow(TypeError);
    expect(() => m.valueAddress(new Uint16Array(2) as never)).toThrow(TypeError);
    expect(() => m.nextKey(u64(1))).toThrow(RangeError);
    expect(() => m.lookupAndDelete(5 as never)).toThrow(TypeError);
    expect([...m.keys()]).toEqual([]);
  });

  it('update flags: TypeError if not a number, RangeError if negative or fractional, EINVAL for unknown bits (the kernel\'s)', () => {
    const m = hashMap();
    expect(() => m.update(u32(1), u64(1), '1' as never)).toThrow(/^update on hash map 'm' \(fd 1\): flags must be a number \(BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2\), got the string "1"$/);
    for (const flags of [-1, 0.5, NaN]) expect(() => m.update(u32(1), u64(1), flags)).toThrow(RangeError);
    for (const flags of [3, 2 ** 40]) expect((thrown(() => m.update(u32(1), u64(1), flags)) as MapError).code).toBe('EINVAL');
    expect(m.has(u32(1))).toBe(false);
    expect(() => m.view(u32, u64).set(1, 1n, null as never)).toThrow(TypeError);
  });

  it('batches check every argument before the first change', () => {
    const m = hashMap();
    expect(() => m.updateBatch(u32(1) as never, [u64(1)])).toThrow(new TypeError('updateBatch on hash map \'m\' (fd 1): keys must be an array, got a Uint8Array'));
    expect(() => m.updateBatch([u32(1), u32(2)], [u64(1), new Uint8Array(7)])).toThrow(new RangeError('updateBatch on hash map \'m\' (fd 1): values[1] must be 8 bytes, got 7'));
    expect(() => m.updateBatch([u32(1), 'k' as never], [u64(1), u64(2)])).toThrow(TypeError);
    expect(() => m.updateBatch([u32(1)], [u64(1)], -1)).toThrow(RangeError);
    expect([...m.keys()]).toEqual([]);              // nothing was stored by the failed batches
    m.updateBatch([u32(1)], [u64(1)]);
    expect(() => m.deleteBatch([u32(1), undefined as never])).toThrow(TypeError);
    expect(() => m.deleteBatch(new Set([u32(1)]) as never)).toThrow(TypeError);
    expect(m.has(u32(1))).toBe(true);
    expect(() => m.lookupBatch('2' as never)).toThrow(TypeError);
    for (const count of [-1, 1.5, 2 ** 32]) expect(() => m.lookupBatch(count)).toThrow(RangeError);
    expect(() => m.lookupBatch(1, new Uint8Array(2))).toThrow(RangeError);
    expect(m.lookupBatch(5).keys).toEqual([u32(1)]);
  });

  it('views check their codecs and codecs their values', () => {
    const m = hashMap();
    expect(() => m.view(null as never, u64)).toThrow(new TypeError('view(key) must be a codec with size, encode and decode (u32, u64, fixedBytes(n)...), got null'));
    expect(() => m.view(u32, { size: 8 } as never)).toThrow(TypeError);
    expect(() => m.view(u32, u32)).toThrow(new RangeError('value codec encodes 4 bytes, the map\'s values have 8'));
    const view = m.view(u32, u64);
    expect(() => view.set('1' as never, 1n)).toThrow(new TypeError('u32 takes a number, got the string "1"'));
    expect(() => view.set(-1, 1n)).toThrow(RangeError);
    expect(() => view.set(1, 'x' as never)).toThrow(TypeError);
    expect(() => view.get(1.5)).toThrow(RangeError);
    expect(() => fixedBytes(-1)).toThrow(RangeError);
    expect(() => fixedBytes(2)('ab' as never)).toThrow(TypeError);
    expect(() => u32.decode([1, 2, 3, 4] as never)).toThrow(TypeError);
    expect(() => u32.decode(new Uint8Array(8), 0.5)).toThrow(RangeError);
    const perCpu = new Runtime({ cpus: 2 }).createMap({ type: 'percpu_hash', keySize: 4, valueSize: 4, maxEntries: 2 }).perCpuView(u32, u32);
    expect(() => perCpu.set(1, 5 as never)).toThrow(TypeError);
    expect(() => perCpu.set(1, [5])).toThrow(RangeError);
    expect(perCpu.set(1, [5, 6]).get(1)).toEqual([5, 6]);
  });

  it('createMap: a spec no bpf_attr can hold is a TypeError/RangeError; one the kernel refuses a MapError', () => {
    const rt = new Runtime();
    const spec = { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 4 } as const;
    expect(() => rt.createMap(undefined as never)).toThrow(TypeError);
    expect(() => rt.createMap({ ...spec, keySize: -1 })).toThrow(new RangeError('createMap(spec) keySize must be an integer from 0 to 4294967295, got -1'));
    expect(() => rt.createMap({ ...spec, maxEntries: 1.5 })).toThrow(RangeError);
    expect(() => rt.createMap({ ...spec, flags: '0' as never })).toThrow(TypeError);
    expect(() => rt.createMap({ ...spec, name: 7 as never })).toThrow(new TypeError('createMap(spec) name must be a string, got 7'));
    expect(() => rt.createMap({ ...spec, readonly: 1 as never })).toThrow(TypeError);
    expect(() => rt.createMap({ ...spec, type: 'array', initial: [1] as never })).toThrow(TypeError);
    expect(thrown(() => rt.createMap({ ...spec, type: 'nope' as never }))).toBeInstanceOf(MapError);
    expect(thrown(() => rt.createMap({ ...spec, keySize: 0 }))).toBeInstanceOf(MapError);
    expect(rt.maps.size).toBe(0);
    expect(() => rt.mapByName(1 as never)).toThrow(TypeError);
    expect(() => rt.mapAt('0x10' as never)).toThrow(TypeError);
    for (const size of [-8, 1.5]) expect(() => rt.allocate(size)).toThrow(RangeError);
    expect(() => rt.allocate(8, 3)).toThrow(new RangeError('allocate(align) must be a power of 2, got 3'));
  });

  it('the other map types: queue values and flags, program array slots and programs, record callbacks and signals', () => {
    const rt = new Runtime();
    const queue = rt.createMap({ type: 'queue', keySize: 0, valueSize: 4, maxEntries: 2 });
    expect(() => queue.push(5 as never)).toThrow(TypeError);
    expect(() => queue.push(u32(5), 0.5)).toThrow(RangeError);
    expect(queue.peek()).toBeUndefined();
    const jumps = rt.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 });
    const prog = loadProgram(assemble('exit'), { engine: 'interp', runtime: rt });
    expect(() => jumps.set(0, null as never)).toThrow(new TypeError('set on prog_array map \'map_2\' (fd 2): program must be a program (what jit() or interpreter() returns), got null'));
    expect(() => jumps.set('0' as never, prog)).toThrow(TypeError);
    expect(() => jumps.set(-1, prog)).toThrow(RangeError);
    expect((thrown(() => jumps.set(4, prog)) as MapError).code).toBe('E2BIG');
    expect(() => jumps.get(0.5)).toThrow(RangeError);
    expect(() => jumps.delete('1' as never)).toThrow(TypeError);
    jumps.set(1, prog);
    expect(jumps.get(1)).toBe(prog);
    expect(() => jumps.nextKey(new Uint8Array(3))).toThrow(RangeError);
    const ring = rt.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 });
    expect(() => ring.consume(undefined as never)).toThrow(TypeError);
    expect(() => ring.records({ signal: {} as never })).toThrow(new TypeError('records() on ringbuf map \'map_3\' (fd 3) option signal must be an AbortSignal, got a plain object'));
    expect(() => ring.records(null as never)).toThrow(TypeError);
    const perf = rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(perf.output(0n, Uint8Array.of(1))).toBe(0);
    expect(() => perf.consume('log' as never)).toThrow(TypeError);
    expect(perf.drain().length).toBe(1);              // the record was not dropped by the failed consume
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

/**
 * The maps' host API under random calls: each argument is either right or wrong (junk, or
 * bytes of another length), and a model of the hash map says what a call does. A call
 * with a wrong argument must throw a TypeError or RangeError and change nothing; a right
 * one does what the model does, failing only with the kernel's MapErrors. Afterwards a
 * program reads every key and agrees with the model.
 */
describe('random map API calls', () => {
  const MAX = 6;
  const MISS = 99_999n;
  type Arg<T> = { ok: true; value: T } | { ok: false; value: unknown };
  const good = <T>(value: T): Arg<T> => ({ ok: true, value });
  const bad = (value: unknown): Arg<never> => ({ ok: false, value });
  const junk = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.integer(), fc.array(fc.nat(255), { maxLength: 8 }),
    fc.constant(new Uint32Array(1)), fc.constant({}));
  const badBytes = (size: number) => fc.oneof(junk, fc.uint8Array({ maxLength: 12 }).filter((b) => b.length !== size));
  const key = fc.oneof({ arbitrary: fc.nat(MAX + 2).map((k) => good(k)), weight: 5 }, badBytes(4).map(bad));
  const value = fc.oneof({ arbitrary: fc.nat(1000).map((v) => good(BigInt(v))), weight: 5 }, badBytes(8).map(bad));
  const flags = fc.oneof({ arbitrary: fc.constantFrom(0, 1, 2, 3).map((f) => good(f)), weight: 5 },
    fc.constantFrom(-1, 0.5, NaN, '0', null).map(bad));
  const count = fc.oneof({ arbitrary: fc.integer({ min: 1, max: MAX + 1 }).map((n) => good(n)), weight: 3 }, fc.constantFrom(-1, 1.5, '2', null).map(bad));
  const step = fc.oneof(
    fc.record({ op: fc.constant('update' as const), key, value, flags }),
    fc.record({ op: fc.constant('lookup' as const), key }),
    fc.record({ op: fc.constant('delete' as const), key }),
    fc.record({ op: fc.constant('nextKey' as const), key }),
    fc.record({ op: fc.constant('lookupBatch' as const), count }),
    fc.record({ op: fc.constant('updateBatch' as const), entries: fc.array(fc.tuple(key, value), { maxLength: 3 }), flags }),
    fc.record({ op: fc.constant('deleteBatch' as const), keys: fc.array(key, { maxLength: 3 }) }),
  );
  const bytesOf = (arg: Arg<number>) => (arg.ok ? u32(arg.value) : arg.value) as Uint8Array;
  const valueOf = (arg: Arg<bigint>) => (arg.ok ? u64(arg.value) : arg.value) as Uint8Array;

  /** The kernel's htab_map_update_elem, on the model; returns the errno name or undefined. */
  function modelUpdate(model: Map<number, bigint>, k: number, v: bigint, f: number): string | undefined {
    if (f > 2) return 'EINVAL';
    if (f === 1 && model.has(k)) return 'EEXIST';
    if (f === 2 && !model.has(k)) return 'ENOENT';
    if (!model.has(k) && model.size >= MAX) return 'E2BIG';
    model.set(k, v);
    return undefined;
  }

  /** What `fn` throws: 'argument' for a TypeError/RangeError, an errno name for a MapError, undefined if nothing. */
  function outcome(fn: () => unknown): string | undefined {
    try {
      fn();
      return undefined;
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) return 'argument';
      if (e instanceof MapError) return e.code;
      throw e;
    }
  }

  it('only TypeError/RangeError for wrong arguments, which change nothing; the model\'s MapErrors otherwise', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      const runtime = new Runtime();
      const map: BpfMap = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: MAX });
      const model = new Map<number, bigint>();
      for (const s of steps) {
        switch (s.op) {
          case 'update': {
            const got = outcome(() => map.update(bytesOf(s.key), valueOf(s.value), s.flags.value as number));
            const ok = s.key.ok && s.value.ok && s.flags.ok;
            expect(got).toBe(ok ? modelUpdate(model, s.key.value as number, s.value.value as bigint, s.flags.value as number) : 'argument');
            break;
          }
          case 'lookup': {
            let found: Uint8Array | undefined;
            expect(outcome(() => { found = map.lookup(bytesOf(s.key)); })).toBe(s.key.ok ? undefined : 'argument');
            if (s.key.ok) expect(found && u64.decode(found)).toBe(model.get(s.key.value));
            break;
          }
          case 'delete': {
            const expected = !s.key.ok ? 'argument' : model.delete(s.key.value) ? undefined : 'ENOENT';
            expect(outcome(() => map.delete(bytesOf(s.key)))).toBe(expected);
            break;
          }
          case 'nextKey': {
            let next: Uint8Array | undefined;
            expect(outcome(() => { next = map.nextKey(bytesOf(s.key)); })).toBe(s.key.ok ? undefined : 'argument');
            if (next) expect(model.has(u32.decode(next))).toBe(true);
            break;
          }
          case 'lookupBatch': {
            let size = 0;
            expect(outcome(() => { size = map.lookupBatch(s.count.value as number).keys.length; })).toBe(s.count.ok ? undefined : 'argument');
            if (s.count.ok) expect(size).toBe(Math.min(model.size, s.count.value));
            break;
          }
          case 'updateBatch': {
            const ok = s.flags.ok && s.entries.every(([k, v]) => k.ok && v.ok);
            const got = outcome(() => map.updateBatch(s.entries.map(([k]) => bytesOf(k)), s.entries.map(([, v]) => valueOf(v)), s.flags.value as number));
            if (!ok) {
              expect(got).toBe('argument');
            } else {
              let expected: string | undefined;
              for (const [k, v] of s.entries) {
                expected = modelUpdate(model, k.value as number, v.value as bigint, s.flags.value as number);
                if (expected) break;
              }
              expect(got).toBe(expected);
            }
            break;
          }
          case 'deleteBatch': {
            const got = outcome(() => map.deleteBatch(s.keys.map(bytesOf)));
            if (!s.keys.every((k) => k.ok)) {
              expect(got).toBe('argument');
            } else {
              let expected: string | undefined;
              for (const k of s.keys) {
                if (!model.delete(k.value as number)) {
                  expected = 'ENOENT';
                  break;
                }
              }
              expect(got).toBe(expected);
            }
            break;
          }
        }
        // The model changes only for right arguments: a wrong one changed nothing in the map.
        expect(new Map(map.view(u32, u64))).toEqual(model);
      }
      // Programs see the same map (the key: the input's 4 bytes).
      const read = mapReader(map, MISS, runtime);
      for (let k = 0; k <= MAX + 2; k++) expect(read(u32(k))).toBe(model.get(k) ?? MISS);
    }), { numRuns: 200, seed: 14 });
  });
});

describe('every exported function with random arguments', () => {
  // Every function the main entry exports (classes are constructed, not called: their
  // methods have the tests above), called with random arguments drawn from junk and from
  // right values of each kind, so that some calls get past the first check.
  const functions = [...Object.entries(api), ...Object.entries(core).map(([name, f]) => [`core.${name}`, f] as const)]
    .filter(([name, f]) => typeof f === 'function' && !/^(core\.)?[A-Z]/.test(name)) as [string, (...args: unknown[]) => unknown][];
  const runtime = new Runtime();
  const counter = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
  const insns = assemble('mov %r0, 3\nexit');
  const cbpf = [api.cbpfInsn(6, 0, 0, 0x40000)];
  const right = fc.constantFrom<unknown>(
    insns, insns[0], encode(insns), 'mov %r0, 1\nexit', 'tcp', runtime, runtime.layout, { runtime }, cbpf, cbpf[0], api.validateCbpf(cbpf),
    api.OPCODES[0], 0, 1, 5, 7n, 'xdp', 'jit', 'interp', encodeCapture([]), [], [1n, 2n], () => undefined,
  );
  const junk = fc.oneof(
    fc.integer({ min: -3, max: 9 }), fc.double(), fc.string({ maxLength: 3 }), fc.constant(null), fc.constant(undefined),
    fc.bigInt({ min: -2n, max: 2n }), fc.array(fc.nat(255), { maxLength: 3 }), fc.constant(new Uint16Array(2)), fc.constant({}),
    fc.constant([{}]), fc.constant(Symbol('s')), fc.constant(Number.NaN),
  );
  const call = fc.record({
    fn: fc.constantFrom(...functions),
    args: fc.array(fc.oneof({ arbitrary: right, weight: 2 }, { arbitrary: junk, weight: 2 }), { maxLength: 4 }),
  });
  /** What V8 says when a function used a wrong argument without checking it. */
  const FROM_INSIDE = /Cannot (read|set|destructure|mix|convert)|is not (a function|iterable|a constructor)|\(reading '|Invalid (array|typed array) length|Maximum call stack|Do not know how to serialize/;

  it('throw only TypeError/RangeError naming an argument, or the project\'s typed errors; a map and a program still answer right afterwards', async () => {
    await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 6 }), async (calls) => {
      for (const { fn: [name, f], args } of calls) {
        try {
          const result = f(...args);
          if (result instanceof Promise) await result;
        } catch (e) {
          if (api.isEbpfError(e)) continue;
          // scanPcapFile(path) opens the file: no such file is the system's error.
          if (name === 'scanPcapFile' && typeof (e as { code?: unknown }).code === 'string') continue;
          const message = `${name}(${args.map((a) => typeof a === 'symbol' ? 'symbol' : typeof a === 'bigint' ? `${a}n` : typeof a).join(', ')}): ${(e as Error)?.message}`;
          expect(e instanceof TypeError || e instanceof RangeError, message).toBe(true);
          expect((e as Error).message, message).not.toMatch(FROM_INSIDE);
        }
      }
      // The runtime the calls were given still runs programs and keeps its map.
      counter.update(u32(0), u64(41n));
      expect(mapReader(counter, 0, runtime)(u32(0))).toBe(41n);
      expect(jit(insns, { runtime })()).toBe(3n);
    }), { numRuns: Number(process.env.API_PROPERTY_RUNS ?? 300), seed: process.env.API_PROPERTY_RUNS ? undefined : 14 });
  }, 600_000);
});
