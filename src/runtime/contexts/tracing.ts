import { PROGRAM_TYPE_INFO } from '../../abi/program-types.js';
import type { Presentation } from './presentation.js';
import { startRun } from './raw.js';

/**
 * Tracing contexts: the run's bytes are the context, read-only, at the context area.
 * A kprobe's is struct pt_regs (168 bytes on x86-64: the bytes given, zero-padded); a
 * tracepoint's is its record, as long as the bytes given.
 */
function tracing(type: 'kprobe' | 'tracepoint', padTo: number): Presentation {
  const limit = PROGRAM_TYPE_INFO[type].contextSize;
  return {
    type,
    inputAt(runtime, length) {
      const max = Math.min(limit, runtime.layout.contextSize);
      if (!Number.isSafeInteger(length) || length < 0 || length > max) {
        throw new RangeError(`a ${type} context takes at most ${max} bytes, got ${length}`);
      }
      return runtime.layout.contextBase;
    },
    begin(runtime, length) {
      const { contextBase } = runtime.layout;
      const size = Math.max(length, padTo);
      runtime.bytes().fill(0, contextBase + length, contextBase + size);
      return startRun(runtime, 0, size, runtime.contextAddress);
    },
  };
}

export const KPROBE = tracing('kprobe', PROGRAM_TYPE_INFO.kprobe.contextSize);
export const TRACEPOINT = tracing('tracepoint', 0);
