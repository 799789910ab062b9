import type { Runtime } from '../runtime.js';
import type { Presentation } from './presentation.js';

/** The raw convention (the conformance suite's, ubpf's): r1 = the input, r2 = its length. */
export const RAW: Presentation = {
  type: 'raw',
  inputAt(runtime, length) {
    const { inputBase, maxInputSize } = runtime.layout;
    if (!Number.isSafeInteger(length) || length < 0 || length > maxInputSize) {
      throw new RangeError(`input of ${length} bytes exceeds maxInputSize ${maxInputSize}`);
    }
    return inputBase;
  },
  begin(runtime, length) {
    return startRun(runtime, length, 0, runtime.inputAddress);
  },
};

/** Record what a run is about to use: the accessible input and context lengths, r1, no packet. */
export function startRun(runtime: Runtime, inputLength: number, contextLength: number, r1: bigint): bigint {
  runtime.inputLength = inputLength;
  runtime.contextLength = contextLength;
  runtime.runContext = r1;
  runtime.packet = undefined;
  return r1;
}
