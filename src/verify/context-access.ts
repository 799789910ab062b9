import { PT_REGS_SIZE, SK_BUFF, XDP_MD, type ProgramType } from '../abi/program-types.js';
import type { RegKind } from './registers.js';

/**
 * Which accesses to its context a program of each type may make, and what a load gives
 * (the kernel's *_is_valid_access in net/core/filter.c and kernel/trace/bpf_trace.c): a
 * scalar, or for data/data_end/data_meta a packet pointer, or for skb->sk a socket.
 * `undefined` means the access is refused ("invalid bpf_context access").
 */
export interface ContextLoad {
  /** What the loaded register becomes. */
  readonly kind: RegKind;
  /** Whether it may be NULL (skb->sk). */
  readonly orNull?: boolean;
}

const SCALAR: ContextLoad = { kind: 'scalar' };
const SK_BUFF_SIZE = 192;
const XDP_MD_SIZE = 24;
/** PERF_MAX_TRACE_SIZE: the largest tracepoint record. */
const MAX_TRACE_SIZE = 2048;

const inRange = (off: number, start: number, end: number) => off >= start && off < end;
/** Any byte of the u32 field at `field` (the kernel's bpf_ctx_range): a narrow access inside it is still that field. */
const inField = (off: number, field: number) => inRange(off, field, field + 4);

/** Whether [off, off + size) is one aligned access within a field of `fieldSize` bytes at `field` (a narrow load is fine). */
function narrowOk(off: number, size: number, field: number, fieldSize: number): boolean {
  return off >= field && off + size <= field + fieldSize && (size & (size - 1)) === 0 && size <= fieldSize;
}

/** bpf_skb_is_valid_access: the checks every __sk_buff program shares. */
function skbAccess(off: number, size: number, write: boolean, signed: boolean): ContextLoad | undefined {
  if (off < 0 || off >= SK_BUFF_SIZE || off % size !== 0) return undefined;
  const F = SK_BUFF;
  if (inRange(off, F.cb, F.cb + 20)) return off + size <= F.cb + 20 ? SCALAR : undefined;
  if (inRange(off, F.remote_ip4, F.local_ip6 + 16)) return size <= 4 ? SCALAR : undefined;
  // Packet pointers: whole, and never sign-extended (ldsx).
  if (inField(off, F.data) || inField(off, F.data_meta) || inField(off, F.data_end)) return size === 4 && !signed ? SCALAR : undefined;
  if (inRange(off, F.flow_keys, F.flow_keys + 8)) return undefined; // flow dissectors only
  if (inRange(off, F.tstamp, F.tstamp + 8)) return off === F.tstamp && size === 8 ? SCALAR : undefined;
  if (inRange(off, F.sk, F.sk + 8)) return !write && off === F.sk && size === 8 ? { kind: 'sock', orNull: true } : undefined;
  if (inRange(off, F.tstamp_type, F.hwtstamp)) return undefined; // tc only, then the padding
  if (inRange(off, F.hwtstamp, F.hwtstamp + 8)) return !write && off === F.hwtstamp && size === 8 ? SCALAR : undefined;
  // Other u32 fields: writes of the whole field, narrow reads.
  if (write) return size === 4 ? SCALAR : undefined;
  const field = off & ~3;
  return narrowOk(off, size, field, 4) ? SCALAR : undefined;
}

/** sk_filter_is_valid_access: no packet pointers, no tc fields; only cb[] is writable. */
function socketFilterAccess(off: number, size: number, write: boolean, signed: boolean): ContextLoad | undefined {
  const F = SK_BUFF;
  const refused = inField(off, F.tc_classid) || inField(off, F.data) || inField(off, F.data_meta) || inField(off, F.data_end)
    || inRange(off, F.family, F.local_port + 4) || inRange(off, F.tstamp, F.tstamp + 8) || inField(off, F.wire_len)
    || inRange(off, F.hwtstamp, F.hwtstamp + 8) || inRange(off, F.tstamp_type, F.hwtstamp);
  if (refused) return undefined;
  if (write && !inRange(off, F.cb, F.cb + 20)) return undefined;
  return skbAccess(off, size, write, signed);
}

/** tc_cls_act_is_valid_access: packet pointers; mark, priority, tc_index, cb, tc_classid, tstamp, queue_mapping writable. */
function tcAccess(off: number, size: number, write: boolean, signed: boolean): ContextLoad | undefined {
  const F = SK_BUFF;
  const writable: readonly number[] = [F.mark, F.tc_index, F.priority, F.tc_classid, F.tstamp, F.queue_mapping];
  if (write && !writable.includes(off) && !inRange(off, F.cb, F.cb + 20)) return undefined;
  if (inRange(off, F.family, F.local_port + 4)) return undefined;
  if (off === F.tstamp_type) return !write && size === 1 ? SCALAR : undefined;
  const base = skbAccess(off, size, write, signed);
  if (base === undefined || write) return base;
  if (off === F.data) return { kind: 'packet' };
  if (off === F.data_meta) return { kind: 'packet_meta' };
  if (off === F.data_end) return { kind: 'packet_end' };
  return base;
}

/** xdp_is_valid_access: 4-byte reads only; data, data_end, data_meta are packet pointers; egress_ifindex is for devmap programs. */
function xdpAccess(off: number, size: number, write: boolean, signed: boolean): ContextLoad | undefined {
  if (write || off === XDP_MD.egress_ifindex || off < 0 || off >= XDP_MD_SIZE || off % size !== 0 || size !== 4) return undefined;
  // A packet pointer is never sign-extended (ldxsw of rx_queue_index is fine, of data_end not).
  const pointer = off === XDP_MD.data || off === XDP_MD.data_meta || off === XDP_MD.data_end;
  if (pointer && signed) return undefined;
  if (off === XDP_MD.data) return { kind: 'packet' };
  if (off === XDP_MD.data_meta) return { kind: 'packet_meta' };
  if (off === XDP_MD.data_end) return { kind: 'packet_end' };
  return SCALAR;
}

/** kprobe: aligned reads inside struct pt_regs. */
function kprobeAccess(off: number, size: number, write: boolean): ContextLoad | undefined {
  return !write && off >= 0 && off + size <= PT_REGS_SIZE && off % size === 0 ? SCALAR : undefined;
}

/** tracepoint: aligned reads past the 8-byte common header and within the largest record. */
function tracepointAccess(off: number, size: number, write: boolean): ContextLoad | undefined {
  return !write && off >= 8 && off < MAX_TRACE_SIZE && off % size === 0 ? SCALAR : undefined;
}

/** raw programs: their r1 is the input, not a context (checked as memory elsewhere). */
export function contextAccess(type: ProgramType, off: number, size: number, write: boolean, signed = false): ContextLoad | undefined {
  switch (type) {
    case 'socket_filter': return socketFilterAccess(off, size, write, signed);
    case 'sched_cls': return tcAccess(off, size, write, signed);
    case 'xdp': return xdpAccess(off, size, write, signed);
    case 'kprobe': return kprobeAccess(off, size, write);
    case 'tracepoint': return tracepointAccess(off, size, write);
    case 'raw': return undefined;
  }
}

/**
 * struct bpf_sock through skb->sk, which the kernel types sock_common (its
 * bpf_sock_common_is_valid_access, then bpf_sock_is_valid_access): read-only, 4-byte
 * reads by default; narrow reads only at the start of state, family, protocol, src_port
 * and rx_queue_mapping, or anywhere in the addresses; dst_port is a u16 (or read whole)
 * followed by two bytes of padding; type, protocol, mark and priority (bytes 8 to 23)
 * belong to a full socket only.
 */
export function sockAccess(off: number, size: number, write: boolean): boolean {
  const S = { family: 4, srcIp4: 24, srcIp6: 28, srcPort: 44, dstPort: 48, dstIp4: 52, dstIp6: 56, state: 72, rxQueue: 76, end: 80 };
  if (write || off < 0 || off >= S.end || off % size !== 0) return false;
  if (inRange(off, 8, 24)) return false;
  const narrow = size <= 4;
  if ([S.family, S.srcPort, S.state, S.rxQueue].includes(off)) return narrow;
  if (inRange(off, S.srcIp4, S.srcPort) || inRange(off, S.dstIp4, S.state)) return narrow;
  if (inRange(off, S.dstPort, S.dstPort + 2)) return narrow;
  if (inRange(off, S.dstPort + 2, S.dstIp4)) return false;
  return size === 4;
}
