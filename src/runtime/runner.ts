import type { ProgramType } from '../abi/program-types.js';
import { place, presentationOf, view } from './contexts/index.js';
import type { Program, RunResult } from './program.js';
import { runChain } from './run-chain.js';
import type { Runtime } from './runtime.js';
import { checkCount, checkInputBytes } from '../arguments.js';

export interface RunnerOptions {
  readonly runtime: Runtime;
  readonly type: ProgramType;
  /** The engine's entry: one program of a (tail-call) chain, r1 given, its context in place. */
  readonly enter: (r1: bigint) => bigint;
  /** Whether the program can write memory at all (else a raw run's input is not copied back). */
  readonly writesMemory: boolean;
  /** Called before a run touches memory (the interpreter refuses re-entry from a helper there). */
  readonly beforeRun?: () => void;
}

/** What every engine's program does the same way: placing the input, the context, the run, the result. */
export type ProgramRuns = Pick<Program, 'run' | 'input' | 'runInput'> & { call(input?: Uint8Array): bigint };

/**
 * The runs of a program, for both engines: the input is placed as the program's type
 * presents it (contexts/), the chain of tail calls runs from r1, and the result is read
 * back (a raw program's memory in place, a packet program's data_out).
 */
export function programRuns(options: RunnerOptions): ProgramRuns {
  const { runtime, enter, beforeRun } = options;
  const presentation = presentationOf(options.type);
  const copyBack = options.type === 'raw' && options.writesMemory;

  const start = (length: number): bigint => {
    beforeRun?.();
    return runChain(runtime, enter, presentation.begin(runtime, length));
  };
  /**
   * The last view `input()` handed out, and the heap's end then. Growing the memory
   * (creating a map does) detaches every view of the old buffer: writes into one vanish
   * without an error, and a run would read the previous packet. A WebAssembly.Memory
   * cannot give views that follow a growth (Node 20 has no resizable buffers for it), so
   * `runInput` detects the stale view instead. The memory only grows when the heap does,
   * so a run compares the heap's end, a field, and looks at the view only when it moved.
   */
  let lastView: Uint8Array | undefined;
  let heapAtView = -1;
  /** Raw inputs up to this length need no further check (-1: every length goes through checkRunInput). */
  const fastMax = options.type === 'raw' ? runtime.layout.maxInputSize : -1;

  /** The length against the area a run reads: past it, a raw program's r2 would cover the heap, maps included. */
  const checkRunInput = (length: number): void => {
    presentation.inputAt(runtime, checkCount('runInput(length)', length));
    if (heapAtView === -1 || heapAtView === runtime.heapLimit) return;
    if (lastView !== undefined && lastView.byteLength === 0 && lastView.buffer !== runtime.memory.buffer) {
      lastView = undefined;
      heapAtView = -1;
      throw new TypeError(
        'runInput(): the view input() returned was detached when the runtime\'s memory grew (creating a map grows it), '
        + 'so what was written into it is lost; call input() again after creating maps',
      );
    }
    heapAtView = runtime.heapLimit;   // the heap grew within the memory: the view is still good
  };
  const runInput = (length: number): bigint => {
    // One inlined test on the zero-copy path (measured: separate checks there doubled a
    // 10 ns run); `(length | 0) === length` is an integer test as maxInputSize <= 1 GiB
    // (a bigint would throw there: hence typeof first).
    if (typeof length !== 'number' || !(length <= fastMax && length >= 0 && (length | 0) === length) || (heapAtView !== -1 && heapAtView !== runtime.heapLimit)) {
      checkRunInput(length);
    }
    return start(length);
  };
  const runOver = (input: Uint8Array): bigint => {
    beforeRun?.();
    place(presentation, runtime, input);
    lastView = undefined;
    heapAtView = -1;
    try {
      return start(input.length);
    } finally {
      // Like ubpf running over the caller's buffer in place: writes are visible even
      // when the run trapped part-way.
      if (copyBack && input.length > 0) input.set(view(presentation, runtime, input.length));
    }
  };
  const call = (input?: Uint8Array): bigint => runOver(checkInputBytes('a program\'s input', input) ?? new Uint8Array(0));
  const run = (input?: Uint8Array): RunResult => {
    const memory = checkInputBytes('run(input)', input) ?? new Uint8Array(0);
    const r0 = runOver(memory);
    return presentation.dataOut ? { r0, memory, dataOut: presentation.dataOut(runtime) } : { r0, memory };
  };
  const input = (length: number): Uint8Array => {
    const bytes = view(presentation, runtime, checkCount('input(length)', length));
    lastView = bytes;
    heapAtView = runtime.heapLimit;
    return bytes;
  };
  return { call, run, runInput, input };
}
