import { PROGRAM_TYPE_INFO, SK_BUFF, SKB_HEADROOM } from '../../abi/program-types.js';
import type { Runtime } from '../runtime.js';
import type { Presentation } from './presentation.js';
import { startRun } from './raw.js';

/**
 * struct __sk_buff programs, presented as the kernel's BPF_PROG_TEST_RUN presents a frame
 * (bpf_prog_test_run_skb, on the loopback device):
 *   - the frame must hold an Ethernet header (14 bytes) and, if its EtherType says IPv4 or
 *     IPv6, that header (20 or 40 bytes), and fit a page with the skb's head- and tailroom
 *     (3712 bytes), else EINVAL (here a RangeError);
 *   - eth_type_trans() pulls that header: skb->protocol is its EtherType (big-endian, as
 *     the kernel stores it; 802.3 lengths give ETH_P_802_3/802_2), pkt_type follows the
 *     destination MAC (loopback's address and broadcast address are all zero: zero is
 *     PACKET_HOST, a multicast bit PACKET_MULTICAST, anything else PACKET_OTHERHOST);
 *   - sched_cls (tc, "is_l2") pushes the header back: data, LD_ABS offset 0 and skb->len
 *     start at the Ethernet header; a socket filter starts after it (len = frame - 14),
 *     and after the run the header comes back as 14 zero bytes in data_out;
 *   - ifindex is loopback's (1); ingress_ifindex, mark, priority, hash and the rest are 0;
 *   - skb->sk is a socket made up for the run (struct bpf_sock, right after the
 *     __sk_buff): AF_INET or AF_INET6 by EtherType, its addresses the IP header's source
 *     (rcv_saddr) and destination, state TCP_CLOSE, the rest 0;
 *   - the 64 bytes before the frame (NET_SKB_PAD, skb->head on) read as zero: LD_ABS's
 *     negative offsets may reach them.
 *
 * The packet lies at the input area: skb->data is its start, so LD_ABS/LD_IND and the
 * engines' input region read it as they read a raw program's input. A socket filter's
 * Ethernet header lies just below, where no program access reaches.
 */

const ETH_HLEN = 14;
/** PAGE_SIZE less the headroom and SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const MAX_FRAME = 4096 - SKB_HEADROOM - 320;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
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

function checkLength(type: string, length: number, runtime: Runtime): void {
  const max = Math.min(MAX_FRAME, runtime.layout.maxInputSize);
  if (!Number.isSafeInteger(length) || length < ETH_HLEN || length > max) {
    throw new RangeError(`a ${type} run takes an Ethernet frame of ${ETH_HLEN} to ${max} bytes, got ${length} (EINVAL)`);
  }
}

/** The kernel checks that an IPv4 or IPv6 frame holds that IP header. */
function checkNetworkHeader(type: string, frame: Uint8Array): void {
  const etherType = (frame[12] << 8) | frame[13];
  const needed = etherType === ETH_P_IP ? 20 : etherType === ETH_P_IPV6 ? 40 : 0;
  if (frame.length - ETH_HLEN < needed) {
    throw new RangeError(`a ${type} run of an ${etherType === ETH_P_IP ? 'IPv4' : 'IPv6'} frame needs its ${needed}-byte header, got ${frame.length - ETH_HLEN} bytes after the Ethernet header (EINVAL)`);
  }
}

/** struct bpf_sock's fields (include/uapi/linux/bpf.h), and its size. */
const BPF_SOCK = { family: 4, src_ip4: 24, src_ip6: 28, dst_ip4: 52, dst_ip6: 56, state: 72 } as const;
const BPF_SOCK_SIZE = 80;
const AF_INET = 2;
const AF_INET6 = 10;
const TCP_CLOSE = 7;

/** The socket a test run makes up (bpf_prog_test_run_skb) at `sock`: family and addresses from the IP header. */
function writeSocket(view: DataView, sock: number, frame: Uint8Array): void {
  const etherType = (frame[12] << 8) | frame[13];
  view.setUint32(sock + BPF_SOCK.state, TCP_CLOSE, true);
  const memory = new Uint8Array(view.buffer);
  const copy = (to: number, at: number, length: number) => memory.set(frame.subarray(ETH_HLEN + at, ETH_HLEN + at + length), sock + to);
  if (etherType === ETH_P_IP) {
    view.setUint32(sock + BPF_SOCK.family, AF_INET, true);
    copy(BPF_SOCK.src_ip4, 12, 4);
    copy(BPF_SOCK.dst_ip4, 16, 4);
  } else if (etherType === ETH_P_IPV6) {
    view.setUint32(sock + BPF_SOCK.family, AF_INET6, true);
    copy(BPF_SOCK.src_ip6, 8, 16);
    copy(BPF_SOCK.dst_ip6, 24, 16);
  }
}

function skb(type: 'socket_filter' | 'sched_cls'): Presentation {
  // Where the frame's first byte lies relative to the input area (= skb->data).
  const frameOffset = type === 'sched_cls' ? 0 : -ETH_HLEN;
  const info = PROGRAM_TYPE_INFO[type];
  const contextSize = info.contextSize;
  return {
    type,
    inputAt(runtime, length) {
      checkLength(type, length, runtime);
      return runtime.layout.inputBase + frameOffset;
    },
    begin(runtime, length) {
      checkLength(type, length, runtime);
      const { inputBase, contextBase } = runtime.layout;
      const bytes = runtime.bytes();
      const frameStart = inputBase + frameOffset;
      const frame = bytes.subarray(frameStart, frameStart + length);
      checkNetworkHeader(type, frame);
      bytes.fill(0, frameStart - SKB_HEADROOM, frameStart);
      const len = length + frameOffset;
      const view = runtime.dataView();
      const field = (offset: number, value: number) => view.setUint32(contextBase + offset, value, true);
      const sock = contextBase + contextSize;
      bytes.fill(0, contextBase, sock + BPF_SOCK_SIZE);
      writeSocket(view, sock, frame);
      view.setBigUint64(contextBase + SK_BUFF.sk, BigInt(sock), true);
      field(SK_BUFF.len, len);
      field(SK_BUFF.pkt_type, packetTypeOf(frame));
      field(SK_BUFF.protocol, protocolOf(frame));
      field(SK_BUFF.ifindex, LOOPBACK_IFINDEX);
      field(SK_BUFF.data, inputBase);
      field(SK_BUFF.data_end, inputBase + len);
      field(SK_BUFF.data_meta, inputBase);
      startRun(runtime, len, contextSize + BPF_SOCK_SIZE, runtime.contextAddress);
      runtime.packet = { kind: 'skb', frameStart: inputBase, frameEnd: inputBase + len, skbHeaders: info.skbHeaders };
      return runtime.contextAddress;
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
