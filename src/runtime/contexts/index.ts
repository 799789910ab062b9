import type { ProgramType } from '../../abi/program-types.js';
import type { Presentation } from './presentation.js';
import { RAW } from './raw.js';
import { SCHED_CLS, SOCKET_FILTER } from './skb.js';
import { KPROBE, TRACEPOINT } from './tracing.js';
import { XDP } from './xdp.js';

const PRESENTATIONS: Readonly<Record<ProgramType, Presentation>> = {
  raw: RAW, socket_filter: SOCKET_FILTER, sched_cls: SCHED_CLS, xdp: XDP, kprobe: KPROBE, tracepoint: TRACEPOINT,
};

/** How runs of a program of `type` present their input (presentation.ts). */
export function presentationOf(type: ProgramType): Presentation {
  return PRESENTATIONS[type];
}

export { place, view, type Presentation } from './presentation.js';
