import { PROGRAM_TYPE_INFO, XDP_MD } from '../../abi/program-types.js';
import type { Presentation } from './presentation.js';
import { startRun } from './raw.js';

/**
 * struct xdp_md programs, presented as the kernel's BPF_PROG_TEST_RUN presents a frame
 * (bpf_prog_test_run_xdp, on the loopback device's first queue): one 4096-byte page,
 *
 *   hard start      data_meta = data                 data_end          hard end       page end
 *   | headroom 256  | the frame (at least 14 bytes)   | room to grow the tail         | 320 |
 *
 * where the last 320 bytes are the kernel's skb_shared_info, which no helper may grow
 * into. The headroom is zeroed for every run (the kernel allocates the page zeroed), so
 * bytes bpf_xdp_adjust_head exposes read as zero. ingress_ifindex is loopback's (1),
 * rx_queue_index and egress_ifindex 0. The helpers move data, data_meta and data_end
 * within the page (helpers/xdp.ts); after the run the packet is [data_meta, data_end),
 * the kernel's data_out, metadata included.
 */

export const XDP_FRAME_SIZE = 4096;
export const XDP_HEADROOM = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: the end of the page data may not reach. */
export const XDP_SHARED_INFO = 320;
export const XDP_MAX_FRAME = XDP_FRAME_SIZE - XDP_HEADROOM - XDP_SHARED_INFO;
const ETH_HLEN = 14;
const LOOPBACK_IFINDEX = 1;

export const XDP: Presentation = {
  type: 'xdp',
  inputAt(runtime, length) {
    check(length);
    return runtime.layout.inputBase + XDP_HEADROOM;
  },
  begin(runtime, length) {
    check(length);
    const { inputBase, contextBase } = runtime.layout;
    const data = inputBase + XDP_HEADROOM;
    const bytes = runtime.bytes();
    bytes.fill(0, inputBase, data);
    const view = runtime.dataView();
    const field = (offset: number, value: number) => view.setUint32(contextBase + offset, value, true);
    field(XDP_MD.data, data);
    field(XDP_MD.data_end, data + length);
    field(XDP_MD.data_meta, data);
    field(XDP_MD.ingress_ifindex, LOOPBACK_IFINDEX);
    field(XDP_MD.rx_queue_index, 0);
    field(XDP_MD.egress_ifindex, 0);
    startRun(runtime, XDP_FRAME_SIZE - XDP_SHARED_INFO, PROGRAM_TYPE_INFO.xdp.contextSize, runtime.contextAddress);
    runtime.packet = { kind: 'xdp', frameStart: inputBase, frameEnd: inputBase + XDP_FRAME_SIZE - XDP_SHARED_INFO };
    return runtime.contextAddress;
  },
  dataOut(runtime) {
    const { contextBase } = runtime.layout;
    const view = runtime.dataView();
    const meta = view.getUint32(contextBase + XDP_MD.data_meta, true);
    const end = view.getUint32(contextBase + XDP_MD.data_end, true);
    return runtime.bytes().slice(meta, end);
  },
};

function check(length: number): void {
  if (!Number.isSafeInteger(length) || length < ETH_HLEN || length > XDP_MAX_FRAME) {
    throw new RangeError(`an xdp run takes a frame of ${ETH_HLEN} to ${XDP_MAX_FRAME} bytes (one page, no fragments), got ${length}`);
  }
}
