import { MAY_GOTO_LOOPS } from '../abi/limits.js';
import { FP } from '../abi/registers.js';
import { RuntimeTrap } from '../errors.js';
import { frameTop, MAX_CALL_DEPTH, type Layout } from '../abi/layout.js';
import type { Runtime } from '../runtime/runtime.js';
import { clearRegisters, type RegisterFile } from './registers.js';

/**
 * Registers a local call gives back to the caller unchanged: r1..r9. r6..r9 are
 * callee-saved in eBPF; r1..r5 are undefined after a call (the kernel verifier rejects
 * reading them), so any value is correct, and restoring the caller's keeps the rule
 * "a call changes only r0" for local calls, helpers and callx alike -- the JIT's rule,
 * since its callers keep r1..r9 in their own Wasm locals.
 */
const PRESERVED_FIRST = 1;
const PRESERVED_COUNT = 9;
const TWO_POW_32 = 4294967296;

/** The state of the bpf_loop calls in progress, innermost last (at most one per frame). */
export class LoopStack {
  depth = 0;
  readonly count = new Int32Array(MAX_CALL_DEPTH);
  readonly index = new Int32Array(MAX_CALL_DEPTH);
  readonly callback = new Int32Array(MAX_CALL_DEPTH);
  readonly after = new Int32Array(MAX_CALL_DEPTH);
  readonly callPc = new Int32Array(MAX_CALL_DEPTH);
  readonly ctx = new BigUint64Array(MAX_CALL_DEPTH);

  push(count: number, callback: number, ctx: bigint, after: number, callPc: number): void {
    const d = this.depth++;
    this.count[d] = count;
    this.index[d] = 0;
    this.callback[d] = callback;
    this.ctx[d] = ctx;
    this.after[d] = after;
    this.callPc[d] = callPc;
  }
}

/**
 * Mutable state of one interpreted program: registers, call frames, and the memory
 * view with the bounds of the regions a program may touch. The per-instruction
 * closures capture it; everything here is preallocated so a step allocates nothing.
 */
export class Machine {
  readonly layout: Layout;
  /** Current view of the runtime's memory; replaced when the memory grows. */
  dv: DataView;
  private buffer: ArrayBuffer;

  // Accessible regions as [base, end). Stack and context bounds are fixed by the
  // layout; input and heap ends are re-read at the start of a run and after helpers.
  readonly stackBase: number;
  readonly stackEnd: number;
  readonly contextBase: number;
  contextEnd = 0;
  readonly inputBase: number;
  inputEnd = 0;
  /** Length of the current input, for LD_ABS/LD_IND. */
  inputLength = 0;
  /** may_goto's allowance left in this run (MAY_GOTO_LOOPS at its start). */
  mayGotoLeft = MAY_GOTO_LOOPS;
  readonly heapBase: number;
  heapEnd = 0;

  /** Call depth: 0 in the entry function. */
  depth = 0;
  /** bpf_loop calls in progress (see loop-semantics.ts). */
  readonly loops = new LoopStack();
  private readonly returnPcs = new Int32Array(MAX_CALL_DEPTH);
  private readonly savedRegisters = new BigUint64Array(MAX_CALL_DEPTH * PRESERVED_COUNT);

  constructor(
    readonly runtime: Runtime,
    readonly regs: RegisterFile,
    /**
     * The accesses the verifier proved inside their object, by pc: they need no check, and
     * only such stores may reach the context (a field the program's type lets it write),
     * as in the JIT.
     */
    private readonly proven: ReadonlySet<number> = new Set(),
  ) {
    this.layout = runtime.layout;
    this.buffer = runtime.memory.buffer;
    this.dv = new DataView(this.buffer);
    this.stackBase = this.layout.stackBase;
    this.stackEnd = this.layout.stackTop;
    this.contextBase = this.layout.contextBase;
    this.inputBase = this.layout.inputBase;
    this.heapBase = this.layout.heapBase;
    this.syncWithRuntime();
  }

  /** Re-read what may have changed outside the program: memory growth, input, context, heap. */
  syncWithRuntime(): void {
    const rt = this.runtime;
    if (rt.memory.buffer !== this.buffer) {
      this.buffer = rt.memory.buffer;
      this.dv = new DataView(this.buffer);
    }
    this.inputLength = rt.inputLength;
    this.inputEnd = this.inputBase + rt.inputLength;
    this.contextEnd = this.contextBase + rt.contextLength;
    this.heapEnd = rt.heapLimit;
  }

  /**
   * Entry state: r1 as given (the input address, or a tail call's ctx), r2 = input
   * length, r10 = stack top, other registers 0.
   * The stack is not cleared (zero in a fresh runtime, else what earlier runs left), as in
   * the JIT, where clearing 4 KiB would cost more than a whole packet-filter run.
   */
  reset(r1: bigint): void {
    this.syncWithRuntime();
    this.runtime.publishLengths();
    const regs = this.regs;
    clearRegisters(regs);
    regs.u64[1] = r1;
    regs.u64[2] = BigInt(this.inputLength);
    regs.u64[FP] = BigInt(frameTop(this.layout, 0));
    this.depth = 0;
    this.loops.depth = 0;
    this.mayGotoLeft = MAY_GOTO_LOOPS;
  }

  /**
   * Whether [addr, addr+size) lies inside one accessible region. `addr` is a double:
   * exact below 2^53, and any larger (or negative) value is outside every region anyway.
   * In the heap, only map values are (maps/value-areas.ts).
   */
  accessible(addr: number, size: number, write = false): boolean {
    const end = addr + size;
    return (addr >= this.stackBase && end <= this.stackEnd)
      || (addr >= this.inputBase && end <= this.inputEnd)
      || (addr >= this.heapBase && end <= this.heapEnd && this.runtime.valueAccessible(addr, size, write))
      || (addr >= this.contextBase && end <= this.contextEnd);
  }

  /**
   * The address `reg + off` for an access of `size` bytes, or a RuntimeTrap. Computed
   * from the register halves without BigInt; an address that wraps around 2^64 lands in
   * the guard page or far above memory, so the unwrapped sum classifies it correctly.
   */
  address(reg: number, off: number, size: number, pc: number): number {
    const u32 = this.regs.u32;
    const addr = u32[2 * reg + 1] * TWO_POW_32 + u32[2 * reg] + off;
    // What the verifier proved needs no check, as in the JIT (a ringbuf record lies in the
    // ring, whose headers a computed address may not reach).
    if (this.accessible(addr, size) || this.proven.has(pc)) return addr;
    throw this.outOfBounds(reg, off, size, pc);
  }

  /**
   * The address of a store (or atomic) of `size` bytes at `reg + off`: as `address`, but
   * the context only for a store the verifier proved, and a map value only if programs
   * may write its map, as in the JIT.
   */
  writeAddress(reg: number, off: number, size: number, pc: number): number {
    const u32 = this.regs.u32;
    const addr = u32[2 * reg + 1] * TWO_POW_32 + u32[2 * reg] + off;
    const end = addr + size;
    if ((addr >= this.stackBase && end <= this.stackEnd) || (addr >= this.inputBase && end <= this.inputEnd)) return addr;
    if (addr >= this.heapBase && end <= this.heapEnd && this.runtime.valueAccessible(addr, size, true)) return addr;
    if (this.proven.has(pc)) return addr;
    throw this.outOfBounds(reg, off, size, pc);
  }

  private outOfBounds(reg: number, off: number, size: number, pc: number): RuntimeTrap {
    const addr = BigInt.asUintN(64, this.regs.u64[reg] + BigInt(off));
    return new RuntimeTrap('OUT_OF_BOUNDS',
      `access of ${size} bytes at 0x${addr.toString(16)} is outside program memory`, pc, addr, size);
  }

  /** Enter a local function: save r1..r9 and the return pc, give it a fresh frame. */
  enterFrame(returnPc: number, callPc: number): void {
    if (this.depth + 1 >= MAX_CALL_DEPTH) {
      throw new RuntimeTrap('CALL_DEPTH_EXCEEDED',
        `call would need stack frame ${this.depth + 2}, more than the ${MAX_CALL_DEPTH} allowed`, callPc);
    }
    const u64 = this.regs.u64;
    const base = this.depth * PRESERVED_COUNT;
    for (let i = 0; i < PRESERVED_COUNT; i++) this.savedRegisters[base + i] = u64[PRESERVED_FIRST + i];
    this.returnPcs[this.depth] = returnPc;
    this.depth++;
    u64[FP] = BigInt(frameTop(this.layout, this.depth));
  }

  /** Return from a local function; gives the pc to continue at in the caller. */
  leaveFrame(): number {
    this.depth--;
    const u64 = this.regs.u64;
    const base = this.depth * PRESERVED_COUNT;
    for (let i = 0; i < PRESERVED_COUNT; i++) u64[PRESERVED_FIRST + i] = this.savedRegisters[base + i];
    u64[FP] = BigInt(frameTop(this.layout, this.depth));
    return this.returnPcs[this.depth];
  }
}
