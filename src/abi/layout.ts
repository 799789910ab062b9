/**
 * The linear-memory layout shared by every engine of a runtime. The interpreter and
 * the JIT address the same `WebAssembly.Memory` with the same addresses, so a pointer
 * value means the same thing in both (differential tests compare r0 even when it holds
 * a stack address) and maps live in one place for all programs.
 *
 *   0x00000  guard           64 KiB, never accessible: null and small integers are not pointers
 *   0x10000  stack           MAX_CALL_DEPTH frames of 512 bytes; frame k has r10 = STACK_TOP - 512k
 *   0x11000  scratch         4 KiB private to the runtime (helper argument passing), not program-accessible
 *   0x12000  context         4 KiB for context structs (xdp_md, __sk_buff...) of typed program kinds
 *   0x20000  input           the caller's memory / packet, up to `maxInputSize` bytes
 *   then     heap            map storage, grown on demand (page aligned start)
 */

/** The regions of linear memory a program may touch (the map heap holds map values and helper memory). */
export type Region = 'stack' | 'input' | 'ctx' | 'heap';

export const WASM_PAGE = 0x10000;
/** Wasm32 memories hold at most 4 GiB. */
export const MAX_WASM_PAGES = 0x10000;
export const STACK_FRAME_SIZE = 512;
export const MAX_CALL_DEPTH = 8;

export interface Layout {
  /** First address that can ever be valid; below it is the guard. */
  readonly guardEnd: number;
  readonly stackBase: number;
  /** r10 of the outermost frame. */
  readonly stackTop: number;
  readonly scratchBase: number;
  readonly scratchSize: number;
  readonly contextBase: number;
  readonly contextSize: number;
  readonly inputBase: number;
  readonly maxInputSize: number;
  /** Start of the map heap; it ends at the runtime's current heap end. */
  readonly heapBase: number;
}

export interface LayoutOptions {
  /** Largest input/packet a program of this runtime accepts (default 1 MiB). */
  maxInputSize?: number;
}

export const DEFAULT_MAX_INPUT_SIZE = 1 << 20;
/** The largest `maxInputSize` a runtime takes (1 GiB): no input, so no raw program's r2, is longer. */
export const MAX_INPUT_SIZE = 0x4000_0000;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function computeLayout(options: LayoutOptions = {}): Layout {
  const maxInputSize = options.maxInputSize ?? DEFAULT_MAX_INPUT_SIZE;
  if (!Number.isInteger(maxInputSize) || maxInputSize < 0 || maxInputSize > MAX_INPUT_SIZE) {
    throw new RangeError(`maxInputSize must be an integer between 0 and 1 GiB, got ${maxInputSize}`);
  }
  const guardEnd = 0x10000;
  const stackBase = guardEnd;
  const stackTop = stackBase + STACK_FRAME_SIZE * MAX_CALL_DEPTH;
  const scratchBase = stackTop;
  const scratchSize = 0x1000;
  const contextBase = scratchBase + scratchSize;
  const contextSize = 0x1000;
  const inputBase = 0x20000;
  const heapBase = alignUp(inputBase + maxInputSize, WASM_PAGE);
  return { guardEnd, stackBase, stackTop, scratchBase, scratchSize, contextBase, contextSize, inputBase, maxInputSize, heapBase };
}

/** r10 for call depth `depth` (0 = the entry function). */
export function frameTop(layout: Layout, depth: number): number {
  return layout.stackTop - depth * STACK_FRAME_SIZE;
}

/**
 * Code pointers (lddw with src = BPF_PSEUDO_FUNC) are `CODE_POINTER_TAG | pc`: outside
 * the 32-bit range, so `callx` can tell them from helper ids (ubpf's convention: a
 * callx register holding a small integer calls that helper), and never a valid address.
 */
export const CODE_POINTER_TAG = 0xc0de_0000_0000n;

/** The pc a code pointer refers to, or undefined if `value` is not a code pointer. */
export function codePointerPc(value: bigint): number | undefined {
  return value >> 32n === CODE_POINTER_TAG >> 32n ? Number(value & 0xffff_ffffn) : undefined;
}
