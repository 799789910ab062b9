/**
 * Program types, as the kernel names them, and what each one's context is. A program's
 * type decides what r1 points to when it starts, what the context holds, whether the
 * legacy packet loads (LD_ABS/LD_IND) work, and which helpers it may call.
 *
 *   raw            r1 = the input, r2 = its length (the conformance suite's and ubpf's convention)
 *   socket_filter  r1 = struct __sk_buff; LD_ABS/LD_IND read the packet
 *   sched_cls      r1 = struct __sk_buff (tc); direct packet access through data/data_end; LD_ABS/LD_IND
 *   xdp            r1 = struct xdp_md; direct packet access through data/data_end/data_meta
 *   kprobe         r1 = struct pt_regs (168 bytes on x86-64), read-only
 *   tracepoint     r1 = the tracepoint's record, read-only, as long as the bytes a run is given
 */

export const PROGRAM_TYPES = ['raw', 'socket_filter', 'sched_cls', 'xdp', 'kprobe', 'tracepoint'] as const;
export type ProgramType = (typeof PROGRAM_TYPES)[number];

export function isProgramType(name: string): name is ProgramType {
  return (PROGRAM_TYPES as readonly string[]).includes(name);
}

/** What the program is handed in r1. */
export type ContextKind = 'input' | 'sk_buff' | 'xdp_md' | 'bytes';

export interface ProgramTypeInfo {
  /** `enum bpf_prog_type` (include/uapi/linux/bpf.h); raw has none. */
  readonly kernelId?: number;
  readonly context: ContextKind;
  /**
   * Bytes of the context struct (a `bytes` context: at most this many, zero-padded to it
   * for kprobe, as long as the run's bytes for tracepoint).
   */
  readonly contextSize: number;
  /** Whether the program may store into its context (field by field is the verifier's job). */
  readonly contextWritable: boolean;
  /** Whether LD_ABS/LD_IND are allowed (the kernel's may_access_skb(), and raw programs). */
  readonly legacyPacketLoads: boolean;
  /** Whether a run is handed a packet (and gives back the packet after the run, data_out). */
  readonly packet: boolean;
  /** Offsets of the context's u32 fields that hold packet pointers (data, data_end, data_meta). */
  readonly packetPointers: readonly number[];
  /** skb types: where the headers and the buffer start lie, relative to skb->data, in a test run. */
  readonly skbHeaders?: SkbHeaders;
}

/**
 * Where an skb's link-layer (MAC) and network headers lie relative to skb->data, and
 * skb->head: the start of its buffer, NET_SKB_PAD (64 bytes) before the frame. LD_ABS's
 * negative offsets (SKF_LL_OFF, SKF_NET_OFF) and bpf_skb_load_bytes_relative read from them.
 */
export interface SkbHeaders {
  readonly mac: number;
  readonly network: number;
  readonly head: number;
}

/** LD_ABS/LD_IND offsets at or above these (and below 0) read from the network or the MAC header. */
export const SKF_NET_OFF = -0x100000;
export const SKF_LL_OFF = -0x200000;

/**
 * Where a legacy packet load at offset k (LD_ABS's imm, LD_IND's s32 sum) reads, relative
 * to the packet's data: k itself from 0 up; for an skb, SKF_NET_OFF + n and SKF_LL_OFF + n
 * are n bytes into the network and MAC headers (bpf_internal_load_pointer_neg_helper).
 * The load is valid when the bytes lie in [head, len) (0 for a raw program); anything else
 * ends the program with r0 = 0.
 */
export function legacyLoadOffset(k: number, headers: SkbHeaders | undefined): number | undefined {
  if (k >= 0) return k;
  if (headers === undefined) return undefined;
  if (k >= SKF_NET_OFF) return headers.network + (k - SKF_NET_OFF);
  if (k >= SKF_LL_OFF) return headers.mac + (k - SKF_LL_OFF);
  return undefined;
}

/** NET_SKB_PAD: headroom the kernel reserves before an skb's frame (max(32, L1_CACHE_BYTES)). */
export const SKB_HEADROOM = 64;
const ETH_HLEN = 14;

/** Bytes of struct pt_regs on x86-64, a kprobe's context. */
export const PT_REGS_SIZE = 168;


/** Offsets of struct __sk_buff's fields (include/uapi/linux/bpf.h); all u32 unless noted. */
export const SK_BUFF = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24,
  vlan_proto: 28, priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44,
  /** u32[5] */
  cb: 48,
  hash: 68, tc_classid: 72, data: 76, data_end: 80, napi_id: 84, family: 88, remote_ip4: 92,
  local_ip4: 96,
  /** u32[4] each */
  remote_ip6: 100, local_ip6: 116,
  remote_port: 132, local_port: 136, data_meta: 140,
  /** u64 pointers */
  flow_keys: 144,
  /** u64 */
  tstamp: 152,
  wire_len: 160, gso_segs: 164,
  /** u64 pointer */
  sk: 168,
  gso_size: 176,
  /** u8 */
  tstamp_type: 180,
  /** u64 */
  hwtstamp: 184,
} as const;

/** Offsets of struct xdp_md's fields, all u32. */
export const XDP_MD = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20 } as const;

const SKB_POINTERS = [SK_BUFF.data, SK_BUFF.data_end, SK_BUFF.data_meta];
const XDP_POINTERS = [XDP_MD.data, XDP_MD.data_end, XDP_MD.data_meta];

export const PROGRAM_TYPE_INFO: Readonly<Record<ProgramType, ProgramTypeInfo>> = {
  raw: { context: 'input', contextSize: 0, contextWritable: true, legacyPacketLoads: true, packet: false, packetPointers: [] },
  socket_filter: {
    kernelId: 1, context: 'sk_buff', contextSize: 192, contextWritable: true, legacyPacketLoads: true, packet: true, packetPointers: SKB_POINTERS,
    // eth_type_trans() pulled the Ethernet header: data is the network header.
    skbHeaders: { mac: -ETH_HLEN, network: 0, head: -ETH_HLEN - SKB_HEADROOM },
  },
  kprobe: {
    kernelId: 2, context: 'bytes', contextSize: PT_REGS_SIZE, contextWritable: false, legacyPacketLoads: false, packet: false, packetPointers: [],
  },
  sched_cls: {
    kernelId: 3, context: 'sk_buff', contextSize: 192, contextWritable: true, legacyPacketLoads: true, packet: true, packetPointers: SKB_POINTERS,
    // tc pushes the Ethernet header back: data is the MAC header.
    skbHeaders: { mac: 0, network: ETH_HLEN, head: -SKB_HEADROOM },
  },
  tracepoint: {
    kernelId: 5, context: 'bytes', contextSize: 4096, contextWritable: false, legacyPacketLoads: false, packet: false, packetPointers: [],
  },
  xdp: { kernelId: 6, context: 'xdp_md', contextSize: 24, contextWritable: false, legacyPacketLoads: false, packet: true, packetPointers: XDP_POINTERS },
};

/** XDP verdicts (enum xdp_action). */
export const XDP_ACTION = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;

/** tc verdicts (TC_ACT_* in include/uapi/linux/pkt_cls.h). */
export const TC_ACTION = { UNSPEC: -1, OK: 0, RECLASSIFY: 1, SHOT: 2, PIPE: 3, STOLEN: 4, QUEUED: 5, REPEAT: 6, REDIRECT: 7 } as const;
