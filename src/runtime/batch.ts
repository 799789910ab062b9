import type { Program } from './program.js';

/*
 * Batches: many inputs staged in the runtime's linear memory and run by one call, so a
 * packet workload pays the JS-to-Wasm crossing once per batch instead of once per
 * packet. The staging area is allocated once from the runtime's heap (like a map) and
 * reused:
 *
 *   descriptors  u32 address, u32 length   8 bytes per input
 *   results      u64 r0                    8 bytes per input
 *   data         the inputs, back to back  (each 8-byte aligned)
 *
 * Every input still runs exactly as `program(input)` would: copied into the input area,
 * r1 = its address, r2 = its length, a fresh budget, and, if the program writes memory,
 * copied back into its staging slot. The JIT runs the whole loop inside Wasm; other
 * engines (and JIT programs calling JS helpers, which expect one run per JS call) run it
 * from JS with the same semantics.
 */

export interface BatchOptions {
  /** Most inputs per batch (default 1024). */
  readonly inputs?: number;
  /** Bytes of input data per batch (default: `inputs` x 2048, enough for 1024 Ethernet frames). */
  readonly bytes?: number;
}

/** Runs inputs `batch.completed`.. of `batch`; see `Batch.run`. */
export type BatchRunner = (batch: Batch) => void;

const DEFAULT_INPUTS = 1024;
const DEFAULT_INPUT_BYTES = 2048;

export class Batch {
  /** Most inputs the batch holds. */
  readonly capacity: number;
  /** Bytes of input data the batch holds. */
  readonly byteCapacity: number;
  /** Linear-memory addresses of the descriptor, result and data areas. */
  readonly descriptorsAddress: number;
  readonly resultsAddress: number;
  private readonly dataAddress: number;
  private count = 0;
  private used = 0;
  /**
   * Inputs whose result is in `results()`: all of them after `run()` returned, the index
   * of the input that failed if it threw.
   */
  completed = 0;

  /** Whether the loop over the inputs runs inside Wasm (JIT programs calling no JS helpers). */
  readonly inWasm: boolean;

  constructor(readonly program: Program, options: BatchOptions = {}, private readonly runner?: BatchRunner) {
    this.inWasm = runner !== undefined;
    const inputs = options.inputs ?? DEFAULT_INPUTS;
    const bytes = options.bytes ?? inputs * DEFAULT_INPUT_BYTES;
    if (!Number.isSafeInteger(inputs) || inputs < 1) throw new RangeError(`inputs must be a positive integer, got ${inputs}`);
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`bytes must be a non-negative integer, got ${bytes}`);
    this.capacity = inputs;
    this.byteCapacity = bytes;
    this.descriptorsAddress = program.runtime.allocate(inputs * 16 + bytes, 8);
    this.resultsAddress = this.descriptorsAddress + inputs * 8;
    this.dataAddress = this.resultsAddress + inputs * 8;
  }

  /** Inputs added since the last `clear()`. */
  get length(): number {
    return this.count;
  }

  /** Empty the batch (the staging memory is kept for the next one). */
  clear(): void {
    this.count = 0;
    this.used = 0;
    this.completed = 0;
  }

  /**
   * Add an input of `length` bytes and return its slot to write it into (zero-copy; the
   * slot's old contents are not cleared). Views of the runtime's memory stay valid until
   * the memory grows (creating a map may grow it).
   */
  add(length: number): Uint8Array {
    const runtime = this.program.runtime;
    if (!Number.isInteger(length) || length < 0 || length > runtime.layout.maxInputSize) {
      throw new RangeError(`input of ${length} bytes: must be 0..maxInputSize (${runtime.layout.maxInputSize})`);
    }
    const start = Math.ceil(this.used / 8) * 8;
    if (this.count === this.capacity) throw new RangeError(`the batch is full (${this.capacity} inputs)`);
    if (start + length > this.byteCapacity) throw new RangeError(`the batch's ${this.byteCapacity} bytes of input space are full`);
    const address = this.dataAddress + start;
    const descriptors = new Uint32Array(runtime.memory.buffer, this.descriptorsAddress, this.capacity * 2);
    descriptors[this.count * 2] = address;
    descriptors[this.count * 2 + 1] = length;
    this.count++;
    this.used = start + length;
    return runtime.bytes().subarray(address, address + length);
  }

  /** Add a copy of `bytes`; returns its index. */
  push(bytes: Uint8Array): number {
    this.add(bytes.length).set(bytes);
    return this.count - 1;
  }

  /** Input `index` as it is now: after `run()`, as the program left it. */
  input(index: number): Uint8Array {
    this.checkIndex(index);
    const descriptors = new Uint32Array(this.program.runtime.memory.buffer, this.descriptorsAddress, this.capacity * 2);
    const address = descriptors[index * 2];
    return this.program.runtime.bytes().subarray(address, address + descriptors[index * 2 + 1]);
  }

  /** r0 of each input of the last run, as a view (valid until the next run or memory growth). */
  results(): BigUint64Array {
    return new BigUint64Array(this.program.runtime.memory.buffer, this.resultsAddress, this.count);
  }

  /**
   * Run the program over every input, in order; returns `results()`. A run that traps
   * ends the batch with its error: `completed` tells how many inputs have results.
   */
  run(): BigUint64Array {
    this.completed = 0;
    (this.runner ?? runEach)(this);
    return this.results();
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`no input ${index} (the batch has ${this.count})`);
  }
}

/** The generic runner: one `program(input)` call per input. */
function runEach(batch: Batch): void {
  const results = batch.results();
  for (let i = batch.completed; i < batch.length; i++) {
    results[i] = batch.program(batch.input(i));
    batch.completed = i + 1;
  }
}
