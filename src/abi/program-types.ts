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
}

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
  },
  kprobe: {
    kernelId: 2, context: 'bytes', contextSize: PT_REGS_SIZE, contextWritable: false, legacyPacketLoads: false, packet: false, packetPointers: [],
  },
  sched_cls: {
    kernelId: 3, context: 'sk_buff', contextSize: 192, contextWritable: true, legacyPacketLoads: true, packet: true, packetPointers: SKB_POINTERS,
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
