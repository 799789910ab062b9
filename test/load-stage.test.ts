import { describe, expect, it } from 'vitest';
import { assemble, encode, interpreter, jit, load, Runtime, type BpfMap, type Insn } from '../src/index.js';
import { exit, I, lddw, movi, prog } from './support/build.js';
import { buildElf, code, func, R_BPF_64_64, SHF, STT } from './support/elf-builder.js';
import { slot } from './support/slot.js';

/**
 * The load stage, one table: every program here is bad in exactly one way (or, in the
 * "loads" rows, is a good control), and goes through every way a user can load it:
 *
 *   jit(program)   interpreter(program)   load(elf, { engine: 'jit' })   load(elf, { engine: 'interp' })
 *
 * Each path must throw the row's error: the same class, `code` and `pc`, so the engines
 * agree with each other and with what a user should get. The class follows one rule:
 * `DecodeError` for problems of encoding (bytes, fields, registers, reserved fields, the
 * second slot of lddw, writes to r10, hand-built instruction objects that do not fit),
 * `VerifierError` for everything else found at load time (structure, helper ids, lddw
 * pseudo sources and maps), `RangeError` for bad options.
 *
 * The ELF paths put the program's bytes, as they are, into one function of an object;
 * rows say `elf: false` where an object cannot hold the program or the row's condition
 * means nothing in an object. The object front end decodes the code and follows its calls
 * to link it, so two kinds of bad program are a malformed object there, at the same pc:
 * a `DecodeError` is `ElfError BAD_INSTRUCTIONS`, a bad call target `ElfError BAD_CALL`
 * (see `throughObject`). Everything else reaches the load stage as from the engines. A row that loads where it should throw fails with the
 * outcome of every path side by side ('loads' for the paths that did not throw).
 */

type Expected = 'loads' | { readonly error: string; readonly code?: string; readonly pc?: number };

interface Row {
  readonly name: string;
  /** Anything: bytes, an Insn[], or not a program at all; a function gets the maps `maps` created. */
  readonly program: unknown;
  readonly expect: Expected;
  /** Maps created in each path's fresh runtime, which is then passed to the engine. */
  readonly maps?: (runtime: Runtime) => BpfMap[];
  /** Also pass the created maps as the `maps` option (for map_idx). */
  readonly mapsOption?: boolean;
  readonly budget?: number;
  /** The object to load: by default one function holding the program's bytes; false if it cannot be expressed. */
  readonly elf?: Uint8Array | false;
}

// ---- building blocks -------------------------------------------------------------------

const asm = (text: string): Insn[] => assemble(text);
const bytes = (...slots: number[][]): Uint8Array => Uint8Array.from(slots.flat());
const fails = (error: string, code?: string, pc?: number): Expected => ({ error, code, pc });
const decodeError = (code: string, pc?: number) => fails('DecodeError', code, pc);
const verifierError = (code: string, pc?: number) => fails('VerifierError', code, pc);

const MOV_R0_0 = slot(0xb7);
const EXIT = slot(0x95);
const LDDW_R1_1 = slot(0x18, 1, 0, 0, 1);

/** A program's instructions with the one at `index` replaced by a copy with `fields` overridden. */
function patched(insns: Insn[], index: number, fields: Record<string, unknown>): Insn[] {
  return insns.map((insn, i) => (i === index ? ({ ...insn, ...fields } as unknown as Insn) : insn));
}

const hash = (rt: Runtime) => [rt.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 4 })];
const array = (maxEntries: number) => (rt: Runtime) => [rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries })];

/** A map lookup; `mapOperand` is what slot 0 loads into r1. */
const LOOKUP = (mapOperand: string) => asm(`
  lddw %r1, ${mapOperand}
  mov %r2, %r10
  add %r2, -4
  stw [%r10-4], 0
  call 1
  mov %r0, 0
  exit`);

/** The same program as an object from clang: a legacy `maps` section and a relocation on the lddw. */
function lookupObject(): Uint8Array {
  const def = new Uint8Array(20);
  [1, 4, 8, 4, 0].forEach((v, i) => new DataView(def.buffer).setUint32(4 * i, v, true)); // hash, key 4, value 8, 4 entries
  const text = encode(LOOKUP('0'));
  return buildElf({
    sections: [code('prog', text), { name: 'maps', flags: SHF.ALLOC | SHF.WRITE, data: def }],
    symbols: [func('prog', 'prog', text.length), { name: 'counts', section: 'maps', type: STT.OBJECT, size: 20 }],
    relocations: [{ section: 'prog', offset: 0, symbol: 'counts', type: R_BPF_64_64 }],
  });
}

// ---- the table -------------------------------------------------------------------------

const ROWS: Row[] = [
  // Input shape.
  { name: 'input: 12 bytes, not a multiple of 8', program: bytes(MOV_R0_0, [0x95, 0, 0, 0]),
    expect: decodeError('TRAILING_BYTES', 1), elf: false /* a function symbol covers whole instructions */ },
  { name: 'input: a string', program: 'mov %r0, 1\nexit', expect: decodeError('BAD_INPUT'), elf: false },
  { name: 'input: a number', program: 42, expect: decodeError('BAD_INPUT'), elf: false },
  { name: 'input: an array holding a non-instruction at slot 1', program: [asm('mov %r0, 0')[0], 7, asm('exit')[0]],
    expect: decodeError('BAD_INPUT', 1), elf: false },

  // Decoding bytes.
  { name: 'decode: unknown opcode 0xff', program: bytes(MOV_R0_0, slot(0xff), EXIT), expect: decodeError('UNKNOWN_OPCODE', 1) },
  { name: 'decode: reserved field (exit with src 1)', program: bytes(MOV_R0_0, slot(0x95, 0, 1)), expect: decodeError('RESERVED_FIELD', 1) },
  { name: 'decode: selector field with no form (div64 with off 2)', program: bytes(MOV_R0_0, slot(0x3f, 0, 1, 2), EXIT),
    expect: decodeError('INVALID_FIELD', 1) },
  { name: 'decode: dst register r11', program: bytes(slot(0xb7, 11, 0, 0, 1), EXIT), expect: decodeError('BAD_REGISTER', 0) },
  { name: 'decode: src register r15', program: bytes(MOV_R0_0, slot(0x0f, 0, 15), EXIT), expect: decodeError('BAD_REGISTER', 1) },
  { name: 'decode: lddw truncated in the last slot', program: bytes(MOV_R0_0, EXIT, LDDW_R1_1), expect: decodeError('TRUNCATED_LDDW', 2) },
  { name: 'decode: lddw second slot with an opcode', program: bytes(MOV_R0_0, LDDW_R1_1, EXIT, EXIT), expect: decodeError('BAD_LDDW', 1) },
  { name: 'decode: lddw second slot with a register', program: bytes(LDDW_R1_1, slot(0, 1), EXIT), expect: decodeError('BAD_LDDW', 0) },

  // Hand-built Insn[] that do not fit the encoding. dst 12 / src 11 fit the 4-bit fields, so they have bytes too.
  { name: 'insn: dst 12', program: patched(prog(movi(0, 0), movi(1, 1), exit()), 1, { dst: 12 }), expect: decodeError('BAD_REGISTER', 1) },
  { name: 'insn: src 11', program: prog(I('add', { dst: 0, src: 11 }), exit()), expect: decodeError('BAD_REGISTER', 0) },
  { name: 'insn: off 40000, outside s16', program: patched(prog(movi(0, 0), I('ldxw', { dst: 0, src: 1 }), exit()), 1, { off: 40000 }),
    expect: decodeError('BAD_FIELD', 1), elf: false /* the bytes cannot hold it */ },
  { name: 'insn: imm 2^31, outside s32', program: patched(prog(movi(0, 0), movi(1, 0), exit()), 1, { imm: 2 ** 31 }),
    expect: decodeError('BAD_FIELD', 1), elf: false },
  { name: 'insn: pc numbered as if lddw took one slot', program: patched(prog(lddw(0, 1n), exit()), 1, { pc: 1 }),
    expect: decodeError('BAD_PC', 2), elf: false },
  { name: 'insn: imm 1.5, not an integer', program: patched(prog(movi(0, 0), exit()), 0, { imm: 1.5 }),
    expect: decodeError('BAD_FIELD', 0), elf: false },

  // Structure.
  { name: 'structure: empty Insn[]', program: [], expect: verifierError('EMPTY_PROGRAM'), elf: false /* no function of size 0 */ },
  { name: 'structure: empty bytes', program: new Uint8Array(0), expect: verifierError('EMPTY_PROGRAM'), elf: false },
  { name: 'structure: conditional jump past the end', program: asm('mov %r0, 0\njeq %r1, 0, +5\nexit'), expect: verifierError('JUMP_OUT_OF_RANGE', 1) },
  { name: 'structure: jump before the start', program: asm('mov %r0, 0\nja -3\nexit'), expect: verifierError('JUMP_OUT_OF_RANGE', 1) },
  // Reported at the lddw, as the kernel does ("jump into the middle of ldimm64 insn 1").
  { name: 'structure: jump into the second slot of an lddw', program: asm('ja +1\nlddw %r0, 1\nexit'), expect: verifierError('JUMP_INTO_LDDW', 1) },
  { name: 'structure: jump from a subprogram into main', program: asm('mov %r0, 0\ncall local +1\nexit\njeq %r1, 0, -2\nexit'),
    expect: verifierError('JUMP_OUT_OF_FUNCTION', 3) },
  { name: 'structure: main falls off its end', program: asm('mov %r0, 1\nadd %r0, 1'), expect: verifierError('FALLS_OFF_END', 1) },
  { name: 'structure: a function ending in a conditional jump', program: asm('mov %r0, 0\njeq %r1, 0, -2'), expect: verifierError('FALLS_OFF_END', 1) },
  { name: 'structure: a subprogram falls off its end', program: asm('call local +1\nexit\nmov %r0, 1'), expect: verifierError('FALLS_OFF_END', 2) },
  { name: 'structure: local call past the end', program: asm('mov %r0, 0\ncall local +5\nexit'), expect: verifierError('BAD_CALL_TARGET', 1) },
  { name: 'structure: local call into the second slot of an lddw', program: asm('call local +1\nlddw %r0, 1\nexit'), expect: verifierError('BAD_CALL_TARGET', 0) },
  { name: 'structure: lddw func pointer past the end', program: asm('lddw %r1, func(+10)\nmov %r0, 0\nexit'), expect: verifierError('BAD_CALL_TARGET', 0) },
  { name: 'structure: lddw func pointer into the second slot of an lddw', program: asm('lddw %r1, func(+2)\nlddw %r0, 1\nexit'),
    expect: verifierError('BAD_CALL_TARGET', 0) },

  // Helpers.
  { name: 'helper: call 999', program: asm('mov %r0, 0\ncall 999\nexit'), expect: verifierError('UNKNOWN_HELPER', 1) },
  { name: 'helper: call 999 in a subprogram', program: asm('mov %r1, 1\ncall local +1\nexit\nmov %r0, 0\ncall 999\nexit'),
    expect: verifierError('UNKNOWN_HELPER', 4) },

  // lddw pseudo sources. The ELF paths carry the raw lddw (no relocation) and get the same runtime.
  { name: 'lddw map_fd (src 1): fd the runtime does not have', program: asm('mov %r0, 0\nlddw %r1, map_fd(99)\nexit'),
    expect: verifierError('UNKNOWN_MAP', 1) },
  { name: 'lddw map_value (src 2): unknown fd', program: asm('lddw %r1, map_value(99, 0)\nmov %r0, 0\nexit'), expect: verifierError('UNKNOWN_MAP', 0) },
  { name: 'lddw map_value: a hash map', maps: hash, program: (m: BpfMap[]) => asm(`lddw %r1, map_value(${m[0].fd}, 0)\nmov %r0, 0\nexit`),
    expect: verifierError('BAD_MAP_VALUE', 0) },
  { name: 'lddw map_value: an array of 4 entries', maps: array(4), program: (m: BpfMap[]) => asm(`mov %r0, 0\nlddw %r1, map_value(${m[0].fd}, 0)\nexit`),
    expect: verifierError('BAD_MAP_VALUE', 1) },
  { name: 'lddw map_value: offset 8 of an 8-byte value', maps: array(1), program: (m: BpfMap[]) => asm(`lddw %r1, map_value(${m[0].fd}, 8)\nmov %r0, 0\nexit`),
    expect: verifierError('BAD_MAP_VALUE', 0) },
  // In an object, map_idx indexes the object's own maps and the `maps` option does not apply.
  { name: 'lddw map_idx (src 5): no maps option', program: asm('lddw %r1, map_idx(0)\nmov %r0, 0\nexit'), expect: verifierError('UNKNOWN_MAP', 0), elf: false },
  { name: 'lddw map_idx: index past the maps option', maps: array(1), mapsOption: true, program: asm('mov %r0, 0\nlddw %r1, map_idx(1)\nexit'),
    expect: verifierError('UNKNOWN_MAP', 1), elf: false },
  { name: 'lddw map_idx_value (src 6): index past the maps option', maps: array(1), mapsOption: true,
    program: asm('lddw %r1, map_idx_value(1, 0)\nmov %r0, 0\nexit'), expect: verifierError('UNKNOWN_MAP', 0), elf: false },
  { name: 'lddw btf_id (src 3)', program: asm('lddw %r1, btf_id(5)\nmov %r0, 0\nexit'), expect: verifierError('UNRESOLVED_PSEUDO', 0) },

  // Writes to r10, every form: the opcode table names the field each instruction writes (dst, or
  // src for an atomic that fetches the old value), and the decoder refuses r10 there, for Insn[] as for bytes.
  { name: 'r10: mov r10, 1', program: prog(movi(0, 0), movi(10, 1), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: add r10, r1 (alu64)', program: prog(movi(0, 0), I('add', { dst: 10, src: 1 }), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: add32 r10, 8 (alu32)', program: prog(movi(0, 0), I('add32', { dst: 10, imm: 8 }), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: movsx1664 r10, r1', program: prog(movi(0, 0), I('movsx1664', { dst: 10, src: 1 }), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: ldxdw r10, [r1]', program: prog(movi(0, 0), I('ldxdw', { dst: 10, src: 1, off: 0 }), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: lddw r10, 1', program: prog(movi(0, 0), lddw(10, 1n), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: be16 r10', program: prog(movi(0, 0), I('be16', { dst: 10 }), exit()), expect: decodeError('WRITE_R10', 1) },
  { name: 'r10: bswap64 r10', program: prog(movi(0, 0), I('bswap64', { dst: 10 }), exit()), expect: decodeError('WRITE_R10', 1) },
  ...['lock fetch add', 'lock xchg', 'lock fetch or', 'lock fetch and32', 'lock fetch xor', 'lock fetch xor32'].map((mnemonic): Row => ({
    name: `r10: ${mnemonic} [r10-8], r10 (fetches into src)`,
    program: prog(I('stdw', { dst: 10, off: -8, imm: 1 }), I(mnemonic, { dst: 10, src: 10, off: -8 }), movi(0, 0), exit()),
    expect: decodeError('WRITE_R10', 1),
  })),

  // Options.
  { name: 'options: budget -1', program: asm('mov %r0, 1\nexit'), budget: -1, expect: fails('RangeError') },
  { name: 'options: budget 1.5', program: asm('mov %r0, 1\nexit'), budget: 1.5, expect: fails('RangeError') },

  // Good controls: these must load on every path.
  { name: 'good: mov r0, 1; exit', program: asm('mov %r0, 1\nexit'), expect: 'loads' },
  { name: 'good: a hash map through map_fd (the object: a relocated legacy map)', maps: hash,
    program: (m: BpfMap[]) => LOOKUP(`map_fd(${m[0].fd})`), elf: lookupObject(), expect: 'loads' },
  { name: 'good: map_value of a single-entry array', maps: array(1),
    program: (m: BpfMap[]) => asm(`lddw %r1, map_value(${m[0].fd}, 4)\nldxw %r0, [%r1]\nexit`), expect: 'loads' },
  { name: 'good: lock cmpxchg [r10-8], r10 (writes r0, not src)', program: asm('stdw [%r10-8], 1\nmov %r0, 1\nlock cmpxchg [%r10-8], %r10\nexit'),
    expect: 'loads' },
  { name: 'good: lock add [r10-8], r10 (no fetch)', program: asm('stdw [%r10-8], 1\nlock add [%r10-8], %r10\nmov %r0, 0\nexit'), expect: 'loads' },
];

// ---- the harness -----------------------------------------------------------------------

const PATHS = ['jit', 'interp', 'elf jit', 'elf interp'] as const;
type Path = (typeof PATHS)[number];

/** The object holding the row's program: its bytes in one function, unless the row gives one or says none. */
function objectFor(row: Row, program: unknown): Uint8Array | undefined {
  if (row.elf !== undefined) return row.elf || undefined;
  const text = program instanceof Uint8Array ? program : encode(program as Insn[]);
  return buildElf({ sections: [code('prog', text)], symbols: [func('prog', 'prog', text.length)] });
}

/** Load the row on one path: 'loads', or the thrown error as `Class code=... pc=...`, with its message. */
function attempt(row: Row, path: Path): { outcome: string; message: string } {
  const runtime = row.maps ? new Runtime() : undefined;
  const created = runtime ? row.maps!(runtime) : [];
  const program = typeof row.program === 'function' ? row.program(created) : row.program;
  const options = { runtime, budget: row.budget, maps: row.mapsOption ? created : undefined };
  try {
    if (path === 'jit') jit(program as Insn[], options);
    else if (path === 'interp') interpreter(program as Insn[], options);
    else {
      const loaded = load(objectFor(row, program)!, { ...options, engine: path === 'elf jit' ? 'jit' : 'interp' });
      if (loaded.programs.size !== 1) throw new Error(`the object held ${loaded.programs.size} programs, not 1`);
    }
    return { outcome: 'loads', message: '' };
  } catch (e) {
    const err = e as { constructor?: { name?: string }; code?: unknown; pc?: unknown; message?: unknown };
    const cls = e instanceof Error ? err.constructor?.name : `non-Error ${typeof e}`;
    return { outcome: `${cls} code=${String(err?.code)} pc=${String(err?.pc)}`, message: String(err?.message ?? e) };
  }
}

/** What the ELF paths must throw for a row: the front end's own error where it finds the fault first (see above). */
function throughObject(expected: Expected): Expected {
  if (expected === 'loads') return expected;
  if (expected.error === 'DecodeError') return fails('ElfError', 'BAD_INSTRUCTIONS', expected.pc);
  if (expected.code === 'BAD_CALL_TARGET') return fails('ElfError', 'BAD_CALL', expected.pc);
  return expected;
}

function show(expected: Expected): string {
  return expected === 'loads' ? 'loads' : `${expected.error} code=${String(expected.code)} pc=${String(expected.pc)}`;
}

describe('load stage: every path throws the same error for a bad program, and the one a user should get', () => {
  it.each(ROWS)('$name', (row) => {
    const paths = PATHS.filter((p) => !p.startsWith('elf') || row.elf !== false);
    const results = paths.map((p) => [p, attempt(row, p)] as const);
    const got = Object.fromEntries(results.map(([p, r]) => [p, r.outcome]));
    const want = Object.fromEntries(paths.map((p) => [p, show(p.startsWith('elf') ? throughObject(row.expect) : row.expect)]));
    const details = results.map(([p, r]) => `${p}: ${r.outcome === 'loads' ? 'loaded without an error' : r.message}`).join('\n');
    expect(got, `expected ${show(row.expect)} (the object's own error on the ELF paths); got\n${details}`).toEqual(want);
  });
});
