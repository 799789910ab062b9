import { makeInsn, type Insn } from '../src/decode/insn.js';
import { NEGATED } from '../src/analysis/conditions.js';
import { OPCODES, type JmpCond, type OpSpec } from '../src/decode/opcodes.js';
import type { Layout } from '../src/abi/layout.js';
import { Random } from './random.js';

/**
 * A seeded generator of random but well-formed eBPF programs for differential testing.
 * Programs exercise every instruction class with edge-value operands, in both widths,
 * stack and input-memory accesses, atomics, forward branches (so every program
 * terminates), local calls (recursion included, to hit the depth limit), callx, helper
 * calls and legacy packet loads, input accesses guarded by length checks. Occasional
 * out-of-bounds accesses check that both engines trap identically.
 */

export const FUZZ_HELPER_ID = 1;
/** bpf_loop's kernel id; the fuzz runtimes register it (helpers/loop.ts). */
export const LOOP_HELPER_ID = 181;
export const INPUT_SIZE = 64;
/** How often (percent of the items past the first 68% of rolls) the entry function gets a loop. */
export const LOOP_PERCENT = 3;

export interface GeneratedProgram {
  readonly insns: Insn[];
  readonly input: Uint8Array;
}

/** An instruction whose jump/call offset is fixed up once every slot position is known. */
interface Item {
  spec: OpSpec;
  fields: { dst?: number; src?: number; off?: number; imm?: number; imm2?: number };
  /** Jump: index of the target item in the same function. */
  jumpTo?: number;
  /** Call local / lddw func: index of the target function. */
  callFn?: number;
}

const rows = (pred: (s: OpSpec) => boolean) => OPCODES.filter(pred);
const ALU = rows((s) => s.sem.kind === 'alu');
const ENDIAN = rows((s) => s.sem.kind === 'endian');
const JMP = rows((s) => s.sem.kind === 'jmp');
const LOADS = rows((s) => s.sem.kind === 'load');
const STORES = rows((s) => s.sem.kind === 'store');
const ATOMICS = rows((s) => s.sem.kind === 'atomic');
const PACKET = rows((s) => s.sem.kind === 'packet');
const one = (pred: (s: OpSpec) => boolean) => {
  const found = OPCODES.find(pred);
  if (!found) throw new Error('opcode table lacks a row the generator needs');
  return found;
};
const LDDW = one((s) => s.sem.kind === 'lddw' && s.sem.pseudo === 'imm64');
const LDDW_FUNC = one((s) => s.sem.kind === 'lddw' && s.sem.pseudo === 'func');
const JA = one((s) => s.sem.kind === 'ja' && !s.sem.wide);
const JA32 = one((s) => s.sem.kind === 'ja' && s.sem.wide);
const CALL_HELPER = one((s) => s.sem.kind === 'call' && s.sem.target === 'helper');
const CALL_LOCAL = one((s) => s.sem.kind === 'call' && s.sem.target === 'local');
const CALLX = one((s) => s.sem.kind === 'call' && s.sem.target === 'reg');
const EXIT = one((s) => s.sem.kind === 'exit');
const MOV_IMM = one((s) => s.mnemonic === 'mov' && s.form === 'dst_imm');
const ALU_MOV_REG = one((s) => s.mnemonic === 'mov' && s.form === 'dst_src');
const ALU_SUB_IMM = one((s) => s.mnemonic === 'sub' && s.form === 'dst_imm');
const ALU_ADD_IMM = one((s) => s.mnemonic === 'add' && s.form === 'dst_imm');
const ALU_ADD_REG = one((s) => s.mnemonic === 'add' && s.form === 'dst_src');
const ALU_AND_IMM = one((s) => s.mnemonic === 'and' && s.form === 'dst_imm');
const ALU_RSH_IMM = one((s) => s.mnemonic === 'rsh' && s.form === 'dst_imm');
const JMP64_IMM = rows((s) => s.sem.kind === 'jmp' && s.sem.width === 64 && s.sem.source === 'imm');
const JMP64_REG = rows((s) => s.sem.kind === 'jmp' && s.sem.width === 64 && s.sem.source === 'reg');

function sizeOf(spec: OpSpec): number {
  const s = spec.sem;
  return s.kind === 'load' || s.kind === 'store' || s.kind === 'atomic' || s.kind === 'packet' ? s.size : 8;
}

/** A side block placed after the function's exit: its branch jumps to it, it jumps back to `join`. */
interface OutOfLine {
  branch: Item;
  side: Item[];
  join: number;
}

class FunctionBuilder {
  readonly items: Item[] = [];
  private readonly outOfLine: OutOfLine[] = [];
  constructor(
    private readonly rnd: Random, private readonly layout: Layout, private readonly fnCount: number,
    /** The length of the input the program will run on. */
    private readonly inputLength: number,
    private readonly keepArgs = false,
  ) {}

  /**
   * A destination register. In the entry function r1 and r2 (the input and its length)
   * are mostly left alone, so the length-guarded accesses later still see them.
   */
  private reg(): number {
    const r = this.rnd.int(10);
    return this.keepArgs && (r === 1 || r === 2) && this.rnd.bool(0.8) ? this.rnd.range(3, 9) : r;
  }
  private srcReg(): number { return this.rnd.int(11); }

  /** A stack offset for an access of `size` bytes, inside the frame, sometimes unaligned. */
  private stackOff(size: number): number {
    const aligned = this.rnd.bool(0.7);
    const slot = this.rnd.range(1, Math.floor(512 / size));
    return aligned ? -slot * size : -this.rnd.range(size, 512);
  }

  private push(item: Item): void { this.items.push(item); }

  alu(): void {
    const spec = this.rnd.pick(ALU);
    this.push({ spec, fields: { dst: this.reg(), src: this.srcReg(), imm: this.rnd.imm32() } });
  }

  endian(): void {
    this.push({ spec: this.rnd.pick(ENDIAN), fields: { dst: this.reg() } });
  }

  lddw(dst = this.reg(), value = this.rnd.imm64()): void {
    this.push({ spec: LDDW, fields: { dst, imm: Number(BigInt.asIntN(32, value)), imm2: Number(BigInt.asIntN(32, value >> 32n)) } });
  }

  stack(): void {
    const kind = this.rnd.int(3);
    if (kind === 0) {
      const spec = this.rnd.pick(LOADS);
      this.push({ spec, fields: { dst: this.reg(), src: 10, off: this.stackOff(sizeOf(spec)) } });
    } else if (kind === 1) {
      const spec = this.rnd.pick(STORES);
      this.push({ spec, fields: { dst: 10, src: this.srcReg(), off: this.stackOff(sizeOf(spec)), imm: this.rnd.imm32() } });
    } else {
      const spec = this.rnd.pick(ATOMICS);
      this.push({ spec, fields: { dst: 10, src: this.reg(), off: this.stackOff(sizeOf(spec)), imm: spec.match!.value } });
    }
  }

  /** A random memory access: a load, a store or an atomic. */
  private accessSpec(): OpSpec {
    const pick = this.rnd.int(3);
    return pick === 0 ? this.rnd.pick(LOADS) : pick === 1 ? this.rnd.pick(STORES) : this.rnd.pick(ATOMICS);
  }

  /** An access's imm: the operation of an atomic, else a random value (st stores it). */
  private accessImm(spec: OpSpec): number {
    return spec.sem.kind === 'atomic' ? spec.match!.value : this.rnd.imm32();
  }

  /** `spec` through [base + off]: a load into a random register, else storing (or combining) a register of `values` other than base. */
  private pushAccess(spec: OpSpec, base: number, off: number, imm: number, values: readonly number[]): void {
    if (spec.sem.kind === 'load') this.push({ spec, fields: { dst: this.reg(), src: base, off } });
    else this.push({ spec, fields: { dst: base, src: this.rnd.pick(values.filter((r) => r !== base)), off, imm } });
  }

  /** A load/store/atomic on the input area through a pointer made with lddw; rarely out of bounds. */
  input(): void {
    const ptr = this.reg();
    const outOfBounds = this.rnd.bool(0.04);
    const base = outOfBounds ? this.rnd.pick([this.layout.inputBase - 8, this.layout.inputBase + INPUT_SIZE - 2, 0, this.layout.stackTop - 4]) : this.layout.inputBase;
    this.lddw(ptr, BigInt(base));
    const spec = this.accessSpec();
    const off = outOfBounds ? this.rnd.range(0, 8) : this.rnd.range(0, INPUT_SIZE - sizeOf(spec));
    const imm = this.accessImm(spec);
    this.pushAccess(spec, ptr, off, imm, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }

  /**
   * The shapes of bounds-checked C in the entry function, to exercise the JIT's proofs
   * (jit/input-bounds.ts) at their edges: compare the input length (r2 at entry) with a
   * constant near the input's actual length and access the input through r1 (sometimes
   * moved on) near that bound; or compare an index with the length and access
   * r1 + index (+ a small offset).
   */
  guardedInput(bodyLength: number): void {
    const skip = () => this.rnd.range(this.items.length + 2, Math.max(this.items.length + 2, bodyLength));
    const spec = this.accessSpec();
    const imm = this.accessImm(spec);
    const near = () => Math.max(0, this.rnd.bool(0.7) ? this.inputLength + this.rnd.range(-2, 2) : this.rnd.range(0, INPUT_SIZE + 2));
    let base = 1;
    let off: number;
    if (this.rnd.bool(0.5)) {
      const bound = near();
      if (this.rnd.bool(0.3)) this.push({ spec: ALU_ADD_IMM, fields: { dst: 1, imm: this.rnd.range(0, 16) } });
      if (this.rnd.bool(0.3)) {
        const r = this.rnd.range(3, 9);
        this.push({ spec: MOV_IMM, fields: { dst: r, imm: bound } });
        this.push({ spec: this.rnd.pick(JMP64_REG), fields: { dst: r, src: 2 }, jumpTo: skip() });
      } else {
        this.push({ spec: this.rnd.pick(JMP64_IMM), fields: { dst: 2, imm: bound }, jumpTo: skip() });
      }
      off = bound - sizeOf(spec) + this.rnd.range(-2, 1);
    } else {
      // index: a value near the length, which the JIT sees as a constant or (masked) as
      // unknown, or whatever the register holds; sometimes stepped.
      const index = this.rnd.range(3, 9);
      const roll = this.rnd.int(5);
      if (roll < 4) this.push({ spec: MOV_IMM, fields: { dst: index, imm: near() } });
      if (roll < 3) this.push({ spec: ALU_AND_IMM, fields: { dst: index, imm: 0xffff } });
      if (this.rnd.bool(0.3)) this.push({ spec: ALU_ADD_IMM, fields: { dst: index, imm: this.rnd.range(-2, 2) } });
      // The bound: len itself, or a copy shifted right (len / 2^s <= len).
      let bound = 2;
      if (this.rnd.bool(0.3)) {
        bound = this.rnd.pick([3, 4, 5, 6, 7, 8, 9].filter((r) => r !== index));
        this.push({ spec: ALU_MOV_REG, fields: { dst: bound, src: 2 } });
        this.push({ spec: ALU_RSH_IMM, fields: { dst: bound, imm: this.rnd.range(0, 2) } });
      }
      const boundFirst = this.rnd.bool(0.5);
      this.push({ spec: this.rnd.pick(JMP64_REG), fields: boundFirst ? { dst: bound, src: index } : { dst: index, src: bound }, jumpTo: skip() });
      if (this.rnd.bool(0.3)) this.push({ spec: ALU_ADD_IMM, fields: { dst: index, imm: this.rnd.range(-2, 2) } });
      base = this.rnd.pick([0, 3, 4, 5, 6, 7, 8, 9].filter((r) => r !== index));
      this.push({ spec: ALU_MOV_REG, fields: { dst: base, src: 1 } });
      this.push({ spec: ALU_ADD_REG, fields: { dst: base, src: index } });
      off = this.rnd.range(-2, 1) - (sizeOf(spec) - 1) * this.rnd.int(2);
    }
    // Not r1 as the value: an atomic fetch would overwrite it.
    this.pushAccess(spec, base, off, imm, [0, 2, 3, 4, 5, 6, 7, 8, 9]);
  }

  /**
   * A loop (the shapes the JIT versions, counted-loops.ts): an induction variable `i`
   * stepped by a constant or an invariant register, sometimes copied the way clang
   * does (`j = i` after the step), accesses through `base + i` near the ends of the
   * input, random instructions that may break any of it, an exit at the bottom
   * (`if (i op bound) goto head`, sometimes rotated above the body) or at the top. Bounds are mostly a few dozen steps
   * away, at times edge values: a loop then runs 0 times or until the budget ends it.
   */
  loop(): void {
    const rnd = this.rnd;
    const regs = [0, 3, 4, 5, 6, 7, 8, 9];
    const i = rnd.pick(regs);
    const others = regs.filter((r) => r !== i);
    const sane = rnd.bool(0.8);
    const step = rnd.bool(0.85) ? rnd.pick([1, 1, 1, 2, 4, 8, -1, -2]) : rnd.pick([0, 3, 0x7fffffff, -0x80000000]);
    const start = sane ? (step < 0 ? this.inputLength - rnd.range(0, 8) : rnd.range(0, 8)) : rnd.imm32();
    if (rnd.bool(0.9)) this.push({ spec: MOV_IMM, fields: { dst: i, imm: start } });
    let stepReg: number | undefined;
    if (rnd.bool(0.25)) {
      stepReg = rnd.pick(others);
      this.push({ spec: MOV_IMM, fields: { dst: stepReg, imm: step } });
    }
    const copy = rnd.bool(0.3) ? rnd.pick(others.filter((r) => r !== stepReg)) : undefined;
    if (copy !== undefined && rnd.bool(0.9)) this.push({ spec: ALU_MOV_REG, fields: { dst: copy, src: i } });
    let boundReg: number | undefined;
    const trips = rnd.range(0, 40);
    const nearEnd = step < 0 ? rnd.range(0, 8) : this.inputLength + rnd.range(-9, 2);
    const boundValue = !sane ? rnd.imm32() : rnd.bool(0.5) ? nearEnd : start + step * trips + rnd.range(-2, 2);
    if (rnd.bool(0.3)) {
      boundReg = 2; // the input length
    } else if (rnd.bool(0.4)) {
      boundReg = rnd.pick(others.filter((r) => r !== stepReg && r !== copy));
      this.push({ spec: MOV_IMM, fields: { dst: boundReg, imm: boundValue } });
    }
    // Mostly a test that moves towards the bound (`i < n` going up), else any compare.
    const towards: JmpCond[] = step > 0 ? ['lt', 'le', 'ne', 'slt', 'sle'] : ['gt', 'ge', 'ne', 'sgt', 'sge'];
    const continueIf = rnd.pick(towards);
    const cond = (exitTest: boolean) => {
      if (rnd.bool(0.1)) return rnd.pick(JMP);
      const rows = boundReg === undefined ? JMP64_IMM : JMP64_REG;
      if (rnd.bool(0.2)) return rnd.pick(rows);
      const wanted = exitTest ? NEGATED[continueIf] : continueIf;
      return rows.find((r) => r.sem.kind === 'jmp' && r.sem.cond === wanted)!;
    };
    const test = (jumpTo: number, exitTest: boolean): Item => {
      const spec = cond(exitTest);
      const iv = copy !== undefined && rnd.bool(0.5) ? copy : i;
      const item = { spec, fields: { dst: iv, src: boundReg ?? 0, imm: boundValue }, jumpTo };
      this.push(item);
      return item;
    };
    const stepAndCopy = () => {
      if (stepReg !== undefined) this.push({ spec: ALU_ADD_REG, fields: { dst: i, src: stepReg } });
      else this.push({ spec: ALU_ADD_IMM, fields: { dst: i, imm: step } });
      if (copy !== undefined) this.push({ spec: ALU_MOV_REG, fields: { dst: copy, src: i } });
    };
    const topTest = rnd.bool(0.25);
    // Rotated: the latch (step and bottom test) above the body, entered by a jump to the
    // body, which ends by jumping back up to the latch.
    const rotated = !topTest && rnd.bool(0.3);
    const exitAt = this.items.length + 64; // resolved below: one past the loop
    const exitItem = this.items.length;
    let latch = -1;
    if (rotated) {
      const enter: Item = { spec: JA, fields: {}, jumpTo: -1 };
      this.push(enter);
      latch = this.items.length;
      stepAndCopy();
      const bottom = test(-1, false);
      this.push({ spec: JA, fields: {}, jumpTo: exitAt });
      enter.jumpTo = bottom.jumpTo = this.items.length;
    }
    const head = this.items.length;
    if (topTest) test(exitAt, true);
    for (let n = rnd.range(1, 4); n > 0; n--) {
      const roll = rnd.int(11);
      if (roll < 5) {
        const spec = this.accessSpec();
        const base = rnd.pick(others.filter((r) => r !== stepReg && r !== copy && r !== boundReg));
        this.push({ spec: ALU_MOV_REG, fields: { dst: base, src: rnd.bool(0.8) ? 1 : 10 } });
        if (rnd.bool(0.3)) this.push({ spec: ALU_ADD_IMM, fields: { dst: base, imm: rnd.range(-2, 8) } });
        this.push({ spec: ALU_ADD_REG, fields: { dst: base, src: i } });
        const off = rnd.range(-2, 1) - (sizeOf(spec) - 1) * rnd.int(2);
        this.pushAccess(spec, base, off, this.accessImm(spec), regs.filter((r) => r !== base));
      } else if (roll < 7) this.alu();
      else if (roll < 8) this.stack();
      else if (roll < 9) this.helperCall();
      else if (roll < 10) this.triangle();
      else this.push({ spec: rnd.pick(JMP), fields: { dst: this.reg(), src: this.srcReg(), imm: rnd.imm32() }, jumpTo: exitAt });
    }
    if (rotated) {
      if (rnd.bool(0.6)) this.triangle(latch);
      else this.push({ spec: JA, fields: {}, jumpTo: latch });
    } else {
      stepAndCopy();
      if (topTest) this.push({ spec: JA, fields: {}, jumpTo: head });
      else test(head, false);
    }
    // Exits go one past the loop (the function's final exit if nothing follows).
    const after = this.items.length;
    for (let k = exitItem; k < this.items.length; k++) if (this.items[k].jumpTo === exitAt) this.items[k].jumpTo = after;
  }

  /**
   * A branch around one to three ALU instructions (the triangles the JIT turns into
   * selects, if-conversion.ts), mostly on a value just loaded from the stack or the
   * input: inline (`if (c) goto J; S; J:`), out of line (`if (c) goto S; J: ...`, with S
   * after the function's exit jumping back to J), or, given `join`, both edges going
   * there (a loop's latch placed above its body, as clang lays out log2_sum).
   */
  triangle(join?: number): void {
    const rnd = this.rnd;
    let d = this.reg();
    const roll = rnd.int(10);
    if (roll < 4) {
      const spec = rnd.pick(LOADS);
      this.push({ spec, fields: { dst: d, src: 10, off: this.stackOff(sizeOf(spec)) } });
    } else if (roll < 7) {
      const spec = rnd.pick(LOADS);
      const ptr = rnd.pick([3, 4, 5, 6, 7, 8, 9].filter((r) => r !== d));
      this.lddw(ptr, BigInt(this.layout.inputBase));
      this.push({ spec, fields: { dst: d, src: ptr, off: rnd.range(0, INPUT_SIZE - sizeOf(spec)) } });
    } else if (roll < 8) {
      this.helperCall();
      d = 0;
    }
    const branch: Item = { spec: rnd.pick(JMP), fields: { dst: d, src: this.srcReg(), imm: this.rnd.bool(0.5) ? rnd.imm32() : rnd.range(0, 64) } };
    const start = this.items.length;
    for (let n = rnd.range(1, 3); n > 0; n--) {
      const pick = rnd.int(10);
      if (pick < 7) this.alu();
      else if (pick < 8) this.endian();
      else if (pick < 9) this.lddw();
      else this.push({ spec: ALU_MOV_REG, fields: { dst: this.reg(), src: d } });
    }
    const side = this.items.splice(start);
    if (join !== undefined) {
      this.push({ ...branch, jumpTo: join });
      side.forEach((item) => this.push(item));
      this.push({ spec: JA, fields: {}, jumpTo: join });
    } else if (rnd.bool(0.7)) {
      this.push({ ...branch, jumpTo: this.items.length + 1 + side.length });
      side.forEach((item) => this.push(item));
    } else {
      this.push(branch);
      this.outOfLine.push({ branch, side, join: this.items.length });
    }
  }

  /** The function's exit (where jumps past the body land), then its out-of-line side blocks. */
  finish(): void {
    const exitIndex = this.items.length;
    for (const item of this.items) if (item.jumpTo !== undefined && item.jumpTo > exitIndex) item.jumpTo = exitIndex;
    this.exit();
    for (const { branch, side, join } of this.outOfLine) {
      branch.jumpTo = this.items.length;
      side.forEach((item) => this.push(item));
      this.push({ spec: JA, fields: {}, jumpTo: join });
    }
  }

  packet(): void {
    const spec = this.rnd.pick(PACKET);
    const imm = this.rnd.bool(0.85) ? this.rnd.range(0, INPUT_SIZE) : this.rnd.imm32();
    this.push({ spec, fields: { src: spec.sem.kind === 'packet' && spec.sem.mode === 'ind' ? this.reg() : 0, imm } });
  }

  /** A forward jump to a later item of this function (resolved in `finish`). */
  jump(bodyLength: number): void {
    const target = this.rnd.range(this.items.length + 1, bodyLength);
    const r = this.rnd.int(10);
    if (r === 0) this.push({ spec: this.rnd.bool() ? JA : JA32, fields: {}, jumpTo: target });
    else this.push({ spec: this.rnd.pick(JMP), fields: { dst: this.reg(), src: this.srcReg(), imm: this.rnd.imm32() }, jumpTo: target });
  }

  helperCall(): void {
    this.push({ spec: CALL_HELPER, fields: { imm: FUZZ_HELPER_ID } });
  }

  /** A call to another function; mostly later ones, sometimes any (recursion hits the depth limit). */
  localCall(self: number): void {
    if (this.fnCount <= 1) return this.helperCall();
    const later = Array.from({ length: this.fnCount - 1 - self }, (_, i) => self + 1 + i);
    const target = later.length > 0 && this.rnd.bool(0.85) ? this.rnd.pick(later) : this.rnd.range(1, this.fnCount - 1);
    if (this.rnd.bool(0.2)) {
      const r = this.reg();
      this.push({ spec: LDDW_FUNC, fields: { dst: r }, callFn: target });
      this.push({ spec: CALLX, fields: { dst: r } });
    } else {
      this.push({ spec: CALL_LOCAL, fields: {}, callFn: target });
    }
  }

  /** bpf_loop over a few iterations of another function, with a stack pointer as ctx. */
  loopCall(self: number): void {
    if (this.fnCount <= 1) return this.helperCall();
    const target = this.rnd.range(1, this.fnCount - 1);
    const flags = this.rnd.bool(0.95) ? 0 : 1;
    this.push({ spec: MOV_IMM, fields: { dst: 1, imm: this.rnd.bool(0.9) ? this.rnd.range(0, 5) : this.rnd.imm32() } });
    this.push({ spec: LDDW_FUNC, fields: { dst: 2 }, callFn: target });
    this.push({ spec: ALU_MOV_REG, fields: { dst: 3, src: 10 } });
    this.push({ spec: ALU_SUB_IMM, fields: { dst: 3, imm: this.rnd.range(1, 64) * 8 } });
    this.push({ spec: MOV_IMM, fields: { dst: 4, imm: flags } });
    this.push({ spec: CALL_HELPER, fields: { imm: LOOP_HELPER_ID } });
    void self;
  }

  callxHelper(): void {
    const r = this.reg();
    this.push({ spec: MOV_IMM, fields: { dst: r, imm: FUZZ_HELPER_ID } });
    this.push({ spec: CALLX, fields: { dst: r } });
  }

  exit(): void {
    this.push({ spec: EXIT, fields: {} });
  }
}

/** Generate one random program and its input. */
export function generateProgram(rnd: Random, layout: Layout, maxBody = 40, loops = LOOP_PERCENT): GeneratedProgram {
  const fnCount = rnd.bool(0.4) ? rnd.range(2, 4) : 1;
  const inputLength = rnd.bool(0.7) ? INPUT_SIZE : rnd.range(0, INPUT_SIZE);
  const functions: Item[][] = [];
  for (let f = 0; f < fnCount; f++) {
    const b = new FunctionBuilder(rnd, layout, fnCount, inputLength, f === 0);
    const target = rnd.range(1, f === 0 ? maxBody : Math.ceil(maxBody / 2));
    if (f === 0) for (let r = 3; r < 10; r++) if (rnd.bool(0.5)) b.lddw(r);
    while (b.items.length < target) {
      const roll = rnd.int(100);
      if (roll < 40) b.alu();
      else if (roll < 45) b.endian();
      else if (roll < 50) b.lddw();
      else if (roll < 62) b.stack();
      else if (roll < 68 && f === 0) b.guardedInput(target);
      else if (f === 0 && rnd.int(100) < loops) b.loop();
      else if (roll < 70) b.input();
      else if (roll < 73) b.packet();
      else if (roll < 84) b.jump(target);
      else if (roll < 88) b.triangle();
      else if (roll < 92) b.helperCall();
      else if (roll < 96) b.localCall(f);
      else if (roll < 98) b.loopCall(f);
      else b.callxHelper();
    }
    b.finish();
    functions.push(b.items);
  }
  return { insns: layoutProgram(functions), input: rnd.bytes(inputLength) };
}

/** Assign slot positions, then resolve jump and call offsets. */
function layoutProgram(functions: Item[][]): Insn[] {
  const pcs: number[][] = [];
  let pc = 0;
  for (const items of functions) {
    const fnPcs: number[] = [];
    for (const item of items) {
      fnPcs.push(pc);
      pc += item.spec.slots;
    }
    // A jump may target "one past the body", which is the function's final exit (finish).
    pcs.push(fnPcs);
  }
  const insns: Insn[] = [];
  functions.forEach((items, f) => {
    items.forEach((item, i) => {
      const at = pcs[f][i];
      const fields = { ...item.fields };
      if (item.jumpTo !== undefined) {
        const target = pcs[f][Math.min(item.jumpTo, items.length - 1)];
        if (item.spec.sem.kind === 'ja' && item.spec.sem.wide) fields.imm = target - at - 1;
        else fields.off = target - at - 1;
      }
      if (item.callFn !== undefined) fields.imm = pcs[item.callFn][0] - at - 1;
      // Builders fill fields generously; keep only those the row uses, as an encoder would.
      for (const field of ['dst', 'src', 'off', 'imm'] as const) if (!item.spec.uses.has(field)) delete fields[field];
      insns.push(makeInsn(item.spec, fields, at));
    });
  });
  return insns;
}
