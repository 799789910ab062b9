import { PROGRAM_TYPE_INFO, SK_BUFF } from '../../abi/program-types.js';
import type { Runtime } from '../runtime.js';
import type { Presentation } from './presentation.js';
import { startRun } from './raw.js';

/**
 * struct __sk_buff programs, presented as the kernel's BPF_PROG_TEST_RUN presents a frame
 * (bpf_prog_test_run_skb, on the loopback device):
 *   - the frame must hold an Ethernet header (14 bytes), else EINVAL (here a RangeError);
 *   - eth_type_trans() pulls that header: skb->protocol is its EtherType (big-endian, as
 *     the kernel stores it; 802.3 lengths give ETH_P_802_3/802_2), pkt_type follows the
 *     destination MAC (loopback's address and broadcast address are all zero: zero is
 *     PACKET_HOST, a multicast bit PACKET_MULTICAST, anything else PACKET_OTHERHOST);
 *   - sched_cls (tc, "is_l2") pushes the header back: data, LD_ABS offset 0 and skb->len
 *     start at the Ethernet header; a socket filter starts after it (len = frame - 14),
 *     and after the run the header comes back as 14 zero bytes in data_out;
 *   - ifindex is loopback's (1); ingress_ifindex, mark, priority, hash and the rest are 0.
 *
 * The packet lies at the input area: skb->data is its start, so LD_ABS/LD_IND and the
 * engines' input region read it as they read a raw program's input. A socket filter's
 * Ethernet header lies just below, where no program access reaches.
 */

const ETH_HLEN = 14;
const ETH_P_802_3_MIN = 0x600;
const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;
const PACKET_HOST = 0;
const PACKET_MULTICAST = 2;
const PACKET_OTHERHOST = 3;
const LOOPBACK_IFINDEX = 1;

/** skb->protocol as eth_type_trans() gives it, as the u32 a program loads (a be16 in memory). */
function protocolOf(frame: Uint8Array): number {
  const type = (frame[12] << 8) | frame[13];
  const be16 = (v: number) => ((v & 0xff) << 8) | (v >> 8);
  if (type >= ETH_P_802_3_MIN) return be16(type);
  // Novell's raw 802.3 IPX starts with 0xffff where 802.2 has its LLC header.
  const rawIpx = frame.length >= ETH_HLEN + 2 && frame[14] === 0xff && frame[15] === 0xff;
  return be16(rawIpx ? ETH_P_802_3 : ETH_P_802_2);
}

function packetTypeOf(frame: Uint8Array): number {
  const dst = frame.subarray(0, 6);
  if (dst.every((b) => b === 0)) return PACKET_HOST;
  return dst[0] & 1 ? PACKET_MULTICAST : PACKET_OTHERHOST;
}

function checkFrame(type: string, length: number, runtime: Runtime): void {
  if (!Number.isSafeInteger(length) || length < ETH_HLEN || length > runtime.layout.maxInputSize) {
    throw new RangeError(`a ${type} run takes an Ethernet frame of ${ETH_HLEN} to ${runtime.layout.maxInputSize} bytes, got ${length}`);
  }
}

function skb(type: 'socket_filter' | 'sched_cls'): Presentation {
  // Where the frame's first byte lies relative to the input area (= skb->data).
  const frameOffset = type === 'sched_cls' ? 0 : -ETH_HLEN;
  const contextSize = PROGRAM_TYPE_INFO[type].contextSize;
  return {
    type,
    view(runtime, length) {
      checkFrame(type, length, runtime);
      const start = runtime.layout.inputBase + frameOffset;
      return runtime.bytes().subarray(start, start + length);
    },
    begin(runtime, length) {
      checkFrame(type, length, runtime);
      const { inputBase, contextBase } = runtime.layout;
      const bytes = runtime.bytes();
      const frame = bytes.subarray(inputBase + frameOffset, inputBase + frameOffset + length);
      const len = length + frameOffset;
      const ctx = new DataView(bytes.buffer, contextBase, contextSize);
      bytes.fill(0, contextBase, contextBase + contextSize);
      ctx.setUint32(SK_BUFF.len, len, true);
      ctx.setUint32(SK_BUFF.pkt_type, packetTypeOf(frame), true);
      ctx.setUint32(SK_BUFF.protocol, protocolOf(frame), true);
      ctx.setUint32(SK_BUFF.ifindex, LOOPBACK_IFINDEX, true);
      ctx.setUint32(SK_BUFF.data, inputBase, true);
      ctx.setUint32(SK_BUFF.data_end, inputBase + len, true);
      ctx.setUint32(SK_BUFF.data_meta, inputBase, true);
      startRun(runtime, { input: len, context: contextSize, r1: BigInt(contextBase) });
      runtime.packet = { kind: 'skb', frameStart: inputBase, frameEnd: inputBase + len };
      return runtime.runContext;
    },
    dataOut(runtime) {
      const { inputBase } = runtime.layout;
      const out = new Uint8Array(runtime.inputLength - frameOffset);
      out.set(runtime.bytes().subarray(inputBase, inputBase + runtime.inputLength), -frameOffset);
      return out;
    },
  };
}

export const SOCKET_FILTER = skb('socket_filter');
export const SCHED_CLS = skb('sched_cls');
