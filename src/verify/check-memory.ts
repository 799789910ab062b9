import { STACK_FRAME_SIZE, type Region } from '../abi/layout.js';
import type { Insn } from '../decode/insn.js';
import type { Semantics, Size } from '../decode/opcodes.js';
import { checkAlignment } from './alignment.js';
import { boundOf, cappedBy, offsetBound, tighter, withinInput } from './input-length.js';
import { readReg } from './check-alu.js';
import { contextAccess, sockAccess } from './context-access.js';
import type { VerifierEnv } from './env.js';
import { immediateReg, kindName, pointerReg, scalarReg, UNKNOWN_SCALAR, type Reg } from './registers.js';
import { constantOf, isConstant, sync, truncate, UNKNOWN, type Scalar } from './scalar.js';
import { signExtend } from './scalar-alu.js';
import { tnumString } from './tnum.js';
import { Byte, currentFrame, ownStack, ZERO_REG, type Frame, type State } from './state.js';

type LoadSem = Extract<Semantics, { kind: 'load' }>;
type StoreSem = Extract<Semantics, { kind: 'store' }>;
type AtomicSem = Extract<Semantics, { kind: 'atomic' }>;

/**
 * Memory accesses (the kernel's check_mem_access): each pointer kind has its object and
 * its rules, and an access must lie inside the object whatever the pointer's variable
 * part is. A load gives the register what the object holds: a spilled register filled
 * back, a packet pointer from ctx->data, or a scalar of the access's width.
 */

/** What one access touches: [lo, hi) bytes from the object's start, the variable part included. */
interface Span {
  readonly lo: bigint;
  readonly hi: bigint;
}

function span(reg: Reg, off: number, size: number): Span {
  const fixed = BigInt(reg.off + off);
  return { lo: fixed + reg.var.smin, hi: fixed + (reg.var.smin < 0n ? reg.var.smax : reg.var.umax) + BigInt(size) };
}

/** The kernel's BPF_MAX_VAR_OFF: no variable offset reaches this far either way. */
const MAX_VAR_OFF = 1n << 29n;

/** Variable offsets must be bounded and not negative before any object check (the kernel's messages). */
function checkVariablePart(env: VerifierEnv, r: number, reg: Reg, pc: number): void {
  if (isConstant(reg.var)) return;
  if (reg.var.smin < 0n) {
    env.fail('NEGATIVE_OFFSET', `R${r} min value is negative, either use unsigned index or do a if (index >=0) check.`, pc);
  }
  if (reg.var.umax >= 1n << 29n) {
    env.fail('UNBOUNDED_ACCESS', `R${r} unbounded memory access, make sure to bounds check any such access`, pc);
  }
}

/** The frame a stack pointer points into, and [lo, hi) from its top (negative offsets). */
function stackSpan(env: VerifierEnv, state: State, r: number, reg: Reg, off: number, size: number, write: boolean, pc: number) {
  const frame = state.frames[reg.frame];
  const s = span(reg, off, size);
  const what = write ? 'write to' : 'read from';
  if (s.lo < -BigInt(STACK_FRAME_SIZE) || s.hi > 0n) {
    env.fail('STACK_OUT_OF_BOUNDS', `invalid ${isConstant(reg.var) ? '' : 'variable-offset '}${what} stack R${r} off=${reg.off + off + Number(reg.var.smin)} size=${size}`, pc);
  }
  const lo = Number(s.lo) + STACK_FRAME_SIZE;
  const hi = Number(s.hi) + STACK_FRAME_SIZE;
  frame.depth = Math.max(frame.depth, STACK_FRAME_SIZE - lo);
  return { frame, lo, hi, fixed: isConstant(reg.var) };
}

/**
 * Bytes [lo, hi) of a stack frame as a load reads them (the kernel's
 * check_stack_read_fixed_off, for a root loader, which may read bytes never written):
 * a spilled register comes back whole for a fill of the whole spill, a scalar spill
 * narrowed to a smaller fill at its start; known zeros read as 0; anything else is a
 * scalar of the load's width. Part of a spilled pointer cannot be read.
 */
function readStack(env: VerifierEnv, frame: Frame, lo: number, hi: number, fixed: boolean, size: number, signed: boolean, pc: number): Reg {
  const slotStart = lo & ~7;
  const spill = fixed && frame.bytes[slotStart] === Byte.Spill ? frame.spills[slotStart >> 3] : undefined;
  if (spill !== undefined) {
    let spillSize = 1;
    while (spillSize < 8 && frame.bytes[slotStart + spillSize] === Byte.Spill) spillSize++;
    if (size === 8 && spillSize === 8) return spill;
    if (spill.kind !== 'scalar') env.fail('PARTIAL_FILL', 'invalid size of register fill', pc);
    if (size <= spillSize && lo === slotStart) return scalarReg(narrowed(spill.var, size, signed));
    let spills = 0;
    let zeros = 0;
    for (let i = lo; i < hi; i++) {
      if (frame.bytes[i] === Byte.Spill) spills++;
      else if (frame.bytes[i] === Byte.Zero) zeros++;
    }
    if ((spills === size && constantOf(spill.var) === 0n) || zeros === size) return ZERO_REG;
    return loadedScalar(size, signed);
  }
  let allZero = true;
  for (let i = lo; i < hi; i++) if (frame.bytes[i] !== Byte.Zero) allZero = false;
  return allZero ? ZERO_REG : loadedScalar(size, signed);
}

/** The low `size` bytes of a value, sign-extended for ldsx. */
function narrowed(value: Scalar, size: number, signed: boolean): Scalar {
  const low = truncate(value, size);
  return signed && size < 8 ? signExtend(low, (size * 8) as 8 | 16 | 32, 64) : low;
}

/**
 * A store of `size` bytes at [lo, hi) of a stack frame (the kernel's
 * check_stack_write_fixed_off and _var_off, for a root loader). At the start of an
 * 8-byte slot, a scalar (a register, or st's immediate) is spilled: its state comes back
 * when the same bytes are filled; a pointer is spilled whole or not at all. Any other
 * store leaves bytes the verifier does not follow (known zeros if it wrote zero), and
 * a slot partly overwritten loses its spill. A store at a variable offset may touch any
 * byte of its range.
 */
function writeStack(env: VerifierEnv, frame: Frame, lo: number, hi: number, fixed: boolean, value: Reg | undefined, pc: number): void {
  const size = hi - lo;
  if (value !== undefined && value.kind !== 'scalar' && size !== 8) env.fail('PARTIAL_SPILL', 'invalid size of register spill', pc);
  ownStack(frame);
  if (!fixed) {
    for (let slot = lo >> 3; slot <= (hi - 1) >> 3; slot++) dropSpill(frame, slot);
    for (let i = lo; i < hi; i++) if (!(frame.bytes[i] === Byte.Zero && value !== undefined && isZero(value))) frame.bytes[i] = Byte.Misc;
    return;
  }
  const slot = lo >> 3;
  if (value !== undefined && (lo & 7) === 0) {
    // A spill: its bytes, from the slot's start; the rest of the slot keeps zeros and unwritten bytes.
    frame.spills[slot] = value.kind === 'scalar' && size < 8 && value.var.umax >= 1n << BigInt(size * 8) ? { ...value, id: 0 } : value;
    for (let i = lo; i < slot * 8 + 8; i++) {
      if (i < hi) frame.bytes[i] = Byte.Spill;
      else if (frame.bytes[i] === Byte.Spill) frame.bytes[i] = Byte.Misc;
    }
    return;
  }
  dropSpill(frame, slot);
  frame.bytes.fill(value !== undefined && isZero(value) ? Byte.Zero : Byte.Misc, lo, hi);
}

/** A slot whose spilled register is partly overwritten holds unknown bytes. */
function dropSpill(frame: Frame, slot: number): void {
  if (frame.spills[slot] === undefined) return;
  ownStack(frame);
  for (let i = slot * 8; i < slot * 8 + 8; i++) if (frame.bytes[i] === Byte.Spill) frame.bytes[i] = Byte.Misc;
  frame.spills[slot] = undefined;
}

/**
 * Checked mode, after a store the verifier could not place: it may have hit any stack
 * byte, so no spilled register or known zero survives (their bytes read back as unknown).
 */
export function forgetStack(state: State): void {
  for (const frame of state.frames) {
    ownStack(frame);
    for (let i = 0; i < STACK_FRAME_SIZE; i++) if (frame.bytes[i] === Byte.Spill || frame.bytes[i] === Byte.Zero) frame.bytes[i] = Byte.Misc;
    frame.spills.fill(undefined);
  }
}

const isZero = (r: Reg) => r.kind === 'scalar' && constantOf(r.var) === 0n;

/** A scalar read from memory: its width zero-extended, or sign-extended for ldsx. */
export function loadedScalar(size: number, signed: boolean): Reg {
  if (size === 8) return UNKNOWN_SCALAR;
  const bits = BigInt(size * 8);
  if (!signed) return scalarReg(sync({ ...UNKNOWN, umin: 0n, umax: (1n << bits) - 1n }));
  return scalarReg(sync({ ...UNKNOWN, smin: -(1n << (bits - 1n)), smax: (1n << (bits - 1n)) - 1n }));
}

/** The region of linear memory each kind of pointer points into (sock: none the JIT checks first). */
const REGION_OF: Partial<Record<Reg['kind'], Region>> = {
  stack: 'stack', ctx: 'ctx', input: 'input', packet: 'input', packet_meta: 'input', map_value: 'heap', mem: 'heap',
};

/**
 * One access through register `r` at `off` of `size` bytes; a load returns what it reads.
 * `value`: for a store, what is written (a register, or a known immediate).
 */
export function access(
  env: VerifierEnv, state: State, r: number, off: number, size: Size, write: boolean, value: Reg | undefined, signed: boolean, pc: number,
  atomic = false,
): Reg {
  const reg = readReg(env, currentFrame(state), r, pc);
  const note = (proven: boolean) => env.noteAccess(pc, proven, REGION_OF[reg.kind]);
  // The kernel checks alignment first, whatever the pointer (an or_null one is never
  // strict); atomics must be naturally aligned on every kind of memory.
  if (!reg.orNull) checkAlignment(env, reg, off, size, atomic, pc);
  if (reg.orNull) env.fail('NULL_POINTER', `R${r} invalid mem access '${kindName(reg)}'`, pc);
  switch (reg.kind) {
    case 'stack': {
      // The stack bounds a variable offset by its signed range (the kernel's
      // check_stack_access_within_bounds): fp-16 - (x & 8) is fp-24..fp-16 although its
      // unsigned range is unbounded.
      if (!isConstant(reg.var) && (reg.var.smax >= MAX_VAR_OFF || reg.var.smin <= -MAX_VAR_OFF)) {
        env.fail('UNBOUNDED_ACCESS', `invalid unbounded variable-offset ${write ? 'write to' : 'read from'} stack R${r}`, pc);
      }
      const { frame, lo, hi, fixed } = stackSpan(env, state, r, reg, off, size, write, pc);
      // An atomic's read has no destination register, which the kernel's
      // check_stack_read refuses at a variable offset (with a helper's words).
      if (atomic && !write && !fixed) {
        env.fail('VARIABLE_STACK_ACCESS', `variable offset stack pointer cannot be passed into helper function; var_off=${tnumString(reg.var.tnum)} off=${reg.off + off} size=${size}`, pc);
      }
      note(true);
      if (write) {
        writeStack(env, frame, lo, hi, fixed, value, pc);
        return value ?? UNKNOWN_SCALAR;
      }
      return readStack(env, frame, lo, hi, fixed, size, signed, pc);
    }
    case 'ctx': {
      if (!isConstant(reg.var)) env.fail('MODIFIED_CTX', `variable ctx access var_off=${tnumString(reg.var.tnum)} disallowed`, pc);
      if (reg.off !== 0 || constantOf(reg.var) !== 0n) env.fail('MODIFIED_CTX', `dereference of modified ctx ptr R${r} off=${reg.off} disallowed`, pc);
      const field = contextAccess(env.type, off, size, write, signed);
      if (field === undefined) env.fail('INVALID_CTX_ACCESS', `invalid bpf_context access off=${off} size=${size}`, pc);
      // A tracepoint's record is as long as the bytes a run is given: a read past them traps at run time.
      note(env.type !== 'tracepoint');
      if (write) return value ?? UNKNOWN_SCALAR;
      if (field.kind === 'scalar') return loadedScalar(size, signed);
      if (field.kind === 'sock') return pointerReg('sock', { orNull: true, id: env.newId() });
      return pointerReg(field.kind, { id: 0, range: 0 });
    }
    case 'packet': case 'packet_meta': {
      if (write && !writablePacket(env)) env.fail('READ_ONLY_PACKET', 'cannot write into packet', pc);
      checkVariablePart(env, r, reg, pc);
      const fixed = reg.off + off;
      if (fixed < 0 || fixed + size > reg.range) {
        env.fail('PACKET_OUT_OF_RANGE', `invalid access to packet, off=${fixed} size=${size}, R${r}(id=${reg.id},off=${reg.off},r=${reg.range})`, pc);
      }
      note(true);
      return write ? value ?? UNKNOWN_SCALAR : loadedScalar(size, signed);
    }
    case 'map_value': {
      const map = reg.map!;
      if (write && map.readonly) env.fail('READ_ONLY_MAP', `write into map forbidden, value_size=${map.valueSize} off=${reg.off + off} size=${size}`, pc);
      checkVariablePart(env, r, reg, pc);
      const s = span(reg, off, size);
      if (s.lo < 0n || s.hi > BigInt(map.valueSize)) {
        env.fail('MAP_VALUE_OUT_OF_RANGE', `invalid access to map value, value_size=${map.valueSize} off=${reg.off + off} size=${size}`, pc);
      }
      note(true);
      return write ? value ?? UNKNOWN_SCALAR : loadedScalar(size, signed);
    }
    case 'mem': {
      checkVariablePart(env, r, reg, pc);
      const s = span(reg, off, size);
      if (s.lo < 0n || s.hi > BigInt(reg.size)) {
        env.fail('MEM_OUT_OF_RANGE', `invalid access to memory, mem_size=${reg.size} off=${reg.off + off} size=${size}`, pc);
      }
      note(true);
      return write ? value ?? UNKNOWN_SCALAR : loadedScalar(size, signed);
    }
    case 'sock': {
      if (!sockAccess(reg.off + off, size, write)) env.fail('INVALID_SOCK_ACCESS', `R${r} invalid sock_common access off=${reg.off + off} size=${size}`, pc);
      note(true);
      return loadedScalar(size, signed);
    }
    case 'input': {
      // A raw program's input: proven when it lies inside [0, LEN) for every length this
      // path allows; otherwise the run-time check decides, and a store the verifier cannot
      // place may land on the stack.
      const proven = inputAccessProven(reg, off, size, state.lenMin);
      note(proven);
      if (!proven && !learnFromCheck(state, r, reg, off, size, env.inputSpan) && write) forgetStack(state);
      return write ? value ?? UNKNOWN_SCALAR : loadedScalar(size, signed);
    }
    default:
      if (env.checked) {
        // A raw program's input, or a value the verifier cannot place: the run-time check
        // decides. A store may land on the stack (a number can be a stack address).
        note(false);
        if (write) forgetStack(state);
        return write ? value ?? UNKNOWN_SCALAR : loadedScalar(size, signed);
      }
      env.fail('INVALID_MEM_ACCESS', `R${r} invalid mem access '${kindName(reg)}'`, pc);
  }
}

/** [off + var, + size) through an input pointer, inside [0, LEN) when LEN >= lenMin (input-length.ts). */
function inputAccessProven(reg: Reg, off: number, size: number, lenMin: number): boolean {
  if (reg.var.smin < 0n || reg.off + off + Number(reg.var.umin) < 0) return false;
  const variable = boundOf(reg);
  const end = variable === undefined ? undefined : offsetBound(variable, reg.off + off + size);
  return end !== undefined && withinInput(end, lenMin);
}

/**
 * An input access left to its run-time check, whose every position lies within
 * `inputSpan` bytes of the input's start, where no other region lies: it traps unless it
 * is inside the input, so the path after it knows LEN >= its end (`ldxb [r1+20]` then
 * proves `ldxb [r1+5]`), and a store cannot have touched the stack. False if that is not known.
 */
function learnFromCheck(state: State, r: number, reg: Reg, off: number, size: number, inputSpan: number): boolean {
  const start = reg.off + off;
  if (reg.var.smin < 0n || start + Number(reg.var.umin) < 0 || BigInt(start + size) + reg.var.umax > BigInt(inputSpan)) return false;
  state.lenMin = Math.max(state.lenMin, start + Number(reg.var.umin) + size);
  const bound = tighter(reg.lenBound, { a: 1, b: -(start + size) }, state.lenMin);
  currentFrame(state).regs[r] = { ...reg, var: cappedBy(reg.var, bound), lenBound: bound };
  return true;
}

/** Whether the program type may write its packet directly (the kernel's may_access_direct_pkt_data). */
function writablePacket(env: VerifierEnv): boolean {
  return env.type === 'xdp' || env.type === 'sched_cls';
}

export function checkLoad(env: VerifierEnv, state: State, insn: Insn, sem: LoadSem): void {
  const loaded = access(env, state, insn.src, insn.off, sem.size, false, undefined, sem.signed, insn.pc);
  currentFrame(state).regs[insn.dst] = loaded;
}

export function checkStore(env: VerifierEnv, state: State, insn: Insn, sem: StoreSem): void {
  // st's immediate is sign-extended to 64 bits; a narrow store keeps the low bytes, as a narrow fill gives back.
  const value = sem.source === 'reg' ? readReg(env, currentFrame(state), insn.src, insn.pc) : immediateReg(insn.imm);
  access(env, state, insn.dst, insn.off, sem.size, true, value, false, insn.pc);
}

/**
 * Atomics: only on the stack and map values (and, in checked mode, memory left to run-time
 * checks). A pointer operand is a number to the memory it lands in (root may leak pointers).
 */
export function checkAtomic(env: VerifierEnv, state: State, insn: Insn, sem: AtomicSem): void {
  const frame = currentFrame(state);
  const operand = readReg(env, frame, insn.src, insn.pc);
  if (sem.op === 'cmpxchg') readReg(env, frame, 0, insn.pc);
  const base = readReg(env, frame, insn.dst, insn.pc);
  if (base.kind === 'ctx' || base.kind === 'packet' || base.kind === 'packet_meta' || base.kind === 'sock') {
    env.fail('ATOMIC_NOT_ALLOWED', `BPF_ATOMIC stores into R${insn.dst} ${kindName(base)} is not allowed`, insn.pc);
  }
  const old = access(env, state, insn.dst, insn.off, sem.size, false, undefined, false, insn.pc, true);
  access(env, state, insn.dst, insn.off, sem.size, true, undefined, false, insn.pc, true);
  const fetched = old.kind === 'scalar' ? old : loadedScalar(sem.size, false);
  if (sem.op === 'cmpxchg') frame.regs[0] = fetched;
  else if (sem.fetch) frame.regs[insn.src] = fetched;
}

