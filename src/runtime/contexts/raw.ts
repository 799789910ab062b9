import type { Runtime } from '../runtime.js';
import type { Presentation } from './presentation.js';

/** The raw convention (the conformance suite's, ubpf's): r1 = the input, r2 = its length. */
export const RAW: Presentation = {
  type: 'raw',
  view(runtime, length) {
    const { inputBase, maxInputSize } = runtime.layout;
    if (!Number.isSafeInteger(length) || length < 0 || length > maxInputSize) {
      throw new RangeError(`input of ${length} bytes exceeds maxInputSize ${maxInputSize}`);
    }
    return runtime.bytes().subarray(inputBase, inputBase + length);
  },
  begin(runtime, length) {
    return startRun(runtime, { input: length, context: 0, r1: BigInt(runtime.layout.inputBase) });
  },
};

/** Record what a run is about to use: the accessible input and context lengths, r1, no packet. */
export function startRun(runtime: Runtime, run: { input: number; context: number; r1: bigint }): bigint {
  runtime.inputLength = run.input;
  runtime.contextLength = run.context;
  runtime.runContext = run.r1;
  runtime.packet = undefined;
  return run.r1;
}
