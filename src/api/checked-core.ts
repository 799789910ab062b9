/**
 * The public API's low-level functions with their arguments checked: each is the
 * function of the same name inside src/, called after a check that throws a TypeError or
 * RangeError naming the argument and what it takes (src/arguments.ts). The entries
 * (core.ts, index.ts) export these in place of the unchecked ones, which the engines,
 * the verifier and the front ends keep calling: nextPc or branchTarget run for every
 * instruction of every analysis, where a check per call would be paid millions of times
 * for arguments that are right by construction.
 */
import { checkBigInt, checkCount, checkFunction, checkInstance, checkInteger, checkItems, checkObject, checkOptions, checkString, checkWhole, describeValue } from '../arguments.js';
import * as layout from '../abi/layout.js';
import { negErrno as negErrnoUnchecked } from '../abi/kernel-ids.js';
import { legacyLoadOffset as legacyLoadOffsetUnchecked, type SkbHeaders } from '../abi/program-types.js';
import { checkInsn, checkInsns } from '../decode/encode.js';
import * as insn from '../decode/insn.js';
import { formatInsn as formatInsnUnchecked } from '../decode/disasm.js';
import { findSpec as findSpecUnchecked, OPCODES, type OpSpec } from '../decode/opcodes.js';
import { bindMapFds as bindMapFdsUnchecked } from '../elf/relocate.js';
import { programTypeOfSection as programTypeOfSectionUnchecked } from '../elf/program-sections.js';
import { fromWasmTrap as fromWasmTrapUnchecked } from '../errors.js';
import { helperResult as helperResultUnchecked, type HelperEnv } from '../helpers/registry.js';
import { tailCallHelper as tailCallHelperUnchecked, type ProgramLookup } from '../helpers/tail-call.js';
import { formatTrace as formatTraceUnchecked } from '../helpers/trace-printk.js';
import { errnoName as errnoNameUnchecked } from '../maps/map-error.js';
import { mapTypeName as mapTypeNameUnchecked } from '../maps/types.js';
import { checkLoadArguments } from '../runtime/load-arguments.js';
import { Runtime } from '../runtime/runtime.js';
import { prepareProgram as prepareProgramUnchecked, type LoadStageOptions, type PreparedProgram } from '../verify/load-stage.js';
import { lddwResolver as lddwResolverUnchecked, type LddwResolver, type PseudoMaps } from '../verify/pseudo-lddw.js';
import { analyzeStructure as analyzeStructureUnchecked } from '../verify/structure.js';
import { verifyProgram as verifyProgramUnchecked, type VerifyOptions, type VerifyReport } from '../verify/verify-program.js';
import type { ProgramShape } from '../analysis/program-shape.js';
import type { ProgramType } from '../abi/program-types.js';
import type { Insn, InsnFields } from '../decode/insn.js';

// ---- instructions --------------------------------------------------------------------

/** Build an instruction from a row of OPCODES; the row's `match` field is filled in for you. */
export function makeInsn(spec: OpSpec, fields?: InsnFields, pc = 0): Insn {
  if (!OPCODES.includes(spec)) throw new TypeError(`makeInsn(spec) must be a row of OPCODES (findSpec(), SPECS_BY_MNEMONIC), got ${describeValue(spec)}`);
  const f = checkOptions('makeInsn(spec, fields)', fields);
  for (const name of ['dst', 'src', 'off', 'imm', 'imm2'] as const) {
    if (f[name] !== undefined) checkWhole(`makeInsn(spec, fields) field ${name}`, f[name]);
  }
  return insn.makeInsn(spec, f, checkCount('makeInsn(spec, fields, pc)', pc));
}

/** The 64-bit constant of an lddw, as an unsigned bigint. */
export const lddwValue = (i: Insn): bigint => insn.lddwValue(checkInsn('lddwValue(insn)', i));
/** The slot index one past this instruction. */
export const nextPc = (i: Insn): number => insn.nextPc(checkInsn('nextPc(insn)', i));
/** Target of a jump or local call, as a slot index (`pc + 1 + off`, or `+ imm` for ja32 and local calls). */
export const branchTarget = (i: Insn): number => insn.branchTarget(checkInsn('branchTarget(insn)', i));
/** Target slot of an lddw that loads a code pointer (src 4, BPF_PSEUDO_FUNC): `pc + 1 + imm`. */
export const funcPointerTarget = (i: Insn): number => insn.funcPointerTarget(checkInsn('funcPointerTarget(insn)', i));
/** A memory access's base register and byte size (loads, stores, atomics), else undefined. */
export const memoryAccess = (i: Insn): { base: number; size: number } | undefined => insn.memoryAccess(checkInsn('memoryAccess(insn)', i));
/** The registers an instruction overwrites with a value a register dataflow cannot follow. */
export const overwrittenRegisters = (i: Insn): readonly number[] => insn.overwrittenRegisters(checkInsn('overwrittenRegisters(insn)', i));
/** Whether a program can write memory at all: a store, an atomic, or a call. */
export const writesMemory = (insns: readonly Insn[]): boolean => insn.writesMemory(checkInsns('writesMemory(insns)', insns));
/** One instruction as the disassembler prints it. */
export const formatInsn = (i: Insn): string => formatInsnUnchecked(checkInsn('formatInsn(insn)', i));

/** The table row of an encoded instruction's fields, or undefined if none matches. */
export function findSpec(opcode: number, src: number, off: number, imm: number): OpSpec | undefined {
  return findSpecUnchecked(checkInteger('findSpec(opcode)', opcode, 0, 0xff), checkInteger('findSpec(opcode, src)', src, 0, 0xf),
    checkInteger('findSpec(opcode, src, off)', off, -0x8000, 0x7fff), checkInteger('findSpec(opcode, src, off, imm)', imm, -0x8000_0000, 0xffff_ffff));
}

// ---- ABI facts ------------------------------------------------------------------------

const LAYOUT = 'a Layout (from computeLayout() or runtime.layout)';

/** The memory layout of a runtime whose inputs are at most `options.maxInputSize` bytes. */
export function computeLayout(options?: layout.LayoutOptions): layout.Layout {
  const checked = checkOptions('computeLayout()', options);
  if (checked.maxInputSize !== undefined) checkInteger('computeLayout() option maxInputSize', checked.maxInputSize, 0, layout.MAX_INPUT_SIZE);
  return layout.computeLayout(checked);
}

/** r10 for call depth `depth` (0 = the entry function). */
export function frameTop(l: layout.Layout, depth: number): number {
  if (typeof (checkObject('frameTop(layout)', l, LAYOUT) as Partial<layout.Layout>).stackTop !== 'number') throw new TypeError(`frameTop(layout) must be ${LAYOUT}, got ${describeValue(l)}`);
  return layout.frameTop(l, checkInteger('frameTop(layout, depth)', depth, 0, layout.MAX_CALL_DEPTH - 1, ' (call depths)'));
}

/** The pc a code pointer refers to, or undefined if `value` is not a code pointer. */
export const codePointerPc = (value: bigint): number | undefined => layout.codePointerPc(checkBigInt('codePointerPc(value)', value));

/** Where a legacy packet load at offset k reads, relative to the packet's data (see abi/program-types.ts). */
export function legacyLoadOffset(k: number, headers: SkbHeaders | undefined): number | undefined {
  checkWhole('legacyLoadOffset(k)', k);
  if (headers !== undefined) {
    const h = checkObject('legacyLoadOffset(k, headers)', headers, 'undefined or { mac, network, head } (numbers)') as Partial<SkbHeaders>;
    if (typeof h.mac !== 'number' || typeof h.network !== 'number' || typeof h.head !== 'number') throw new TypeError(`legacyLoadOffset(k, headers) must be undefined or { mac, network, head } (numbers), got ${describeValue(headers)}`);
  }
  return legacyLoadOffsetUnchecked(k, headers);
}

/** A WebAssembly trap as a typed RuntimeTrap WASM_TRAP (at `pc`, when given); anything else unchanged. */
export function fromWasmTrap(e: unknown, pc?: number): unknown {
  if (pc !== undefined) checkCount('fromWasmTrap(e, pc)', pc);
  return fromWasmTrapUnchecked(e, pc);
}

/** `-errno` as the u64 a helper returns in r0 (errno a non-negative integer). */
export const negErrno = (errno: number): bigint => negErrnoUnchecked(checkCount('negErrno(errno)', errno));
/** The errno name of a (positive or negative) errno value, e.g. -2 -> 'ENOENT', or undefined. */
export const errnoName = (errno: number): ReturnType<typeof errnoNameUnchecked> => errnoNameUnchecked(checkWhole('errnoName(errno)', errno));
/** The name of a kernel map type id (`BPF_MAP_TYPE_*`), or undefined. */
export const mapTypeName = (id: number): ReturnType<typeof mapTypeNameUnchecked> => mapTypeNameUnchecked(checkWhole('mapTypeName(id)', id));

// ---- helpers ----------------------------------------------------------------------------

/** Normalise a helper's return value (a bigint, a number, or nothing) to an unsigned 64-bit r0. */
export function helperResult(value: bigint | number | void): bigint {
  if (value !== undefined && typeof value !== 'bigint' && typeof value !== 'number') {
    throw new TypeError(`helperResult(value) must be a bigint, a number or undefined, got ${describeValue(value)}`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`helperResult(value) must be a finite number, got ${value}`);
  return helperResultUnchecked(value);
}

/** The bpf_tail_call helper over `lookup` (the program array's programs, by map and index). */
export function tailCallHelper(lookup: ProgramLookup): ReturnType<typeof tailCallHelperUnchecked> {
  checkFunction('tailCallHelper(lookup)', lookup);
  return tailCallHelperUnchecked(lookup);
}

/** bpf_trace_printk's message for `fmt` and its arguments; throws FormatError where the kernel returns -EINVAL. */
export function formatTrace(fmt: string, args: readonly bigint[], env: HelperEnv): string {
  checkString('formatTrace(fmt)', fmt);
  checkItems('formatTrace(fmt, args)', args, { items: 'bigints', item: 'a bigint' }, (a) => typeof a === 'bigint');
  const e = checkObject('formatTrace(fmt, args, env)', env, 'a helper env { runtime, pc }') as Partial<HelperEnv>;
  if (typeof e.runtime !== 'object' || e.runtime === null || typeof e.pc !== 'number') {
    throw new TypeError(`formatTrace(fmt, args, env) must be a helper env { runtime, pc }, got ${describeValue(env)}`);
  }
  return formatTraceUnchecked(fmt, args, env);
}

// ---- the load stage, ELF --------------------------------------------------------------

/** Validate a program for `options.runtime` and prepare it for an engine. */
export function prepareProgram(program: Uint8Array | readonly Insn[], options: LoadStageOptions): PreparedProgram {
  if (options === undefined) throw new TypeError('prepareProgram(program, options) must have options { runtime } (a Runtime), got undefined');
  const checked = checkLoadArguments('prepareProgram', program, options);
  if (checked.runtime === undefined) throw new TypeError('prepareProgram() option runtime must be a Runtime, got undefined');
  return prepareProgramUnchecked(program, checked);
}

/** Verify a program without loading it: the verifier's verdict, its log and what it proved. */
export function verifyProgram(program: Uint8Array | readonly Insn[], options?: VerifyOptions): VerifyReport {
  const checked = checkOptions('verifyProgram()', options);
  checkInstance('verifyProgram() option runtime', checked.runtime, Runtime, 'Runtime');
  return verifyProgramUnchecked(program, checked);
}

/** The program's functions, their instructions and the calls between them (the load stage's structure checks). */
export const analyzeStructure = (insns: readonly Insn[]): ProgramShape => analyzeStructureUnchecked(checkInsns('analyzeStructure(insns)', insns));

/** The value each pseudo lddw loads, resolved against `source` (its runtime's maps, its map array). */
export function lddwResolver(source: PseudoMaps): LddwResolver {
  const s = checkObject('lddwResolver(source)', source, 'an object { runtime?, maps? }') as PseudoMaps;
  checkInstance('lddwResolver(source) field runtime', s.runtime, Runtime, 'Runtime');
  if (s.maps !== undefined) checkItems('lddwResolver(source) field maps', s.maps, { items: 'maps', item: 'a map' }, (m) => typeof m === 'object' && m !== null);
  return lddwResolverUnchecked(s);
}

/** Map-index pseudo loads bound to the maps' fds: map_idx(i) -> map_fd(fds[i]), map_idx_value(i, off) -> map_value(fds[i], off). */
export function bindMapFds(insns: readonly Insn[], fds: readonly number[]): Insn[] {
  checkInsns('bindMapFds(insns)', insns);
  checkItems('bindMapFds(insns, fds)', fds, { items: 'map fds (integers)', item: 'a map fd (a non-negative integer)' }, (fd) => Number.isSafeInteger(fd) && (fd as number) >= 0);
  return bindMapFdsUnchecked(insns, fds);
}

/** The program type of an ELF section name, as libbpf reads it (`xdp`, `socket`, `kprobe/...`). */
export const programTypeOfSection = (section: string): ProgramType => programTypeOfSectionUnchecked(checkString('programTypeOfSection(section)', section));
