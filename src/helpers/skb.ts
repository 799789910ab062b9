import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import { skbData } from './packet.js';
import { csum16Add, csumAdd, csumFold, csumPartial, csumSub } from './checksum.js';
import type { HelperDef, HelperEnv } from './registry.js';

/*
 * The __sk_buff helpers (net/core/filter.c), on the run's packet: the skb's data is
 * [frameStart, frameEnd) of `env.runtime.packet` (runtime/contexts/skb.ts). Offsets are
 * relative to skb->data, as in the kernel.
 */

const SKB_TYPES = ['socket_filter', 'sched_cls'] as const;
const INT_MAX = 0x7fff_ffffn;
const BPF_F_RECOMPUTE_CSUM = 1n;
const BPF_F_INVALIDATE_HASH = 2n;
const BPF_F_HDR_FIELD_MASK = 0xfn;
const BPF_F_PSEUDO_HDR = 0x10n;
const BPF_F_MARK_MANGLED_0 = 0x20n;
const BPF_F_MARK_ENFORCE = 0x40n;
const BPF_F_IPV6 = 0x80n;
const CSUM_MANGLED_0 = 0xffff;

/** [offset, offset + len) inside the skb's data: its address, or undefined. */
function within(env: HelperEnv, offset: bigint, len: bigint): number | undefined {
  const data = skbData(env);
  if (offset > INT_MAX || offset + len > BigInt(data.length)) return undefined;
  return data.start + Number(offset);
}

/** long bpf_skb_load_bytes(skb, offset, to, len): -EFAULT (and `to` zeroed) past the data. */
const SKB_LOAD_BYTES: HelperDef = {
  id: HELPER_IDS.skb_load_bytes,
  name: 'skb_load_bytes',
  proto: { args: ['ptr_to_ctx', 'anything', 'ptr_to_uninit_mem', 'const_size'], ret: 'integer' },
  programTypes: SKB_TYPES,
  impl: (_ctx, offset, to, len, _5, env) => {
    const target = env.runtime.view(to, Number(len), env.pc, true);
    const from = within(env, offset, len);
    if (from === undefined) {
      target.fill(0);
      return negErrno(ERRNO.EFAULT);
    }
    target.set(env.runtime.bytes().subarray(from, from + Number(len)));
    return 0n;
  },
};

const BPF_HDR_START_MAC = 0n;
const BPF_HDR_START_NET = 1n;

/**
 * long bpf_skb_load_bytes_relative(skb, offset, to, len, start_header): as
 * bpf_skb_load_bytes, from the MAC (0) or network (1) header: the bytes must end before
 * the data does; -EFAULT (and `to` zeroed) otherwise, or for an offset over 0xffff.
 */
const SKB_LOAD_BYTES_RELATIVE: HelperDef = {
  id: HELPER_IDS.skb_load_bytes_relative,
  name: 'skb_load_bytes_relative',
  proto: { args: ['ptr_to_ctx', 'anything', 'ptr_to_uninit_mem', 'const_size', 'anything'], ret: 'integer' },
  programTypes: SKB_TYPES,
  impl: (_ctx, offset, to, len, startHeader, env) => {
    const target = env.runtime.view(to, Number(len), env.pc, true);
    const data = skbData(env);
    const headers = env.runtime.packet?.skbHeaders;
    const header = startHeader === BPF_HDR_START_MAC ? headers?.mac : startHeader === BPF_HDR_START_NET ? headers?.network : undefined;
    if (header === undefined || offset > 0xffffn || header + Number(offset) + Number(len) > data.length) {
      target.fill(0);
      return negErrno(ERRNO.EFAULT);
    }
    const from = data.start + header + Number(offset);
    target.set(env.runtime.bytes().subarray(from, from + Number(len)));
    return 0n;
  },
};

/** long bpf_skb_store_bytes(skb, offset, from, len, flags): tc only; -EINVAL for unknown flags, -EFAULT past the data. */
const SKB_STORE_BYTES: HelperDef = {
  id: HELPER_IDS.skb_store_bytes,
  name: 'skb_store_bytes',
  proto: { args: ['ptr_to_ctx', 'anything', 'ptr_to_mem', 'const_size', 'anything'], ret: 'integer' },
  programTypes: ['sched_cls'],
  impl: (_ctx, offset, from, len, flags, env) => {
    if (flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) return negErrno(ERRNO.EINVAL);
    const source = env.runtime.view(from, Number(len), env.pc).slice();
    const to = within(env, offset, len);
    if (to === undefined) return negErrno(ERRNO.EFAULT);
    env.runtime.bytes().set(source, to);
    return 0n;
  },
};

/** ~csum_unfold(sum): the 16-bit field widened to a 32-bit sum, then inverted (all 32 bits). */
const notUnfolded = (sum: number) => ~sum >>> 0;

/** The 16-bit checksum field at `offset` of the skb's data (even, below 64 KiB), or an errno. */
function checksumField(env: HelperEnv, offset: bigint): { at: number; view: DataView } | bigint {
  if (offset > 0xffffn || offset & 1n) return negErrno(ERRNO.EFAULT);
  const at = within(env, offset, 2n);
  if (at === undefined) return negErrno(ERRNO.EFAULT);
  return { at, view: new DataView(env.runtime.bytes().buffer) };
}

/** long bpf_l3_csum_replace(skb, offset, from, to, flags): flags' low 4 bits are the field size, 0 for a diff. */
const L3_CSUM_REPLACE: HelperDef = {
  id: HELPER_IDS.l3_csum_replace,
  name: 'l3_csum_replace',
  proto: { args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'], ret: 'integer' },
  programTypes: ['sched_cls'],
  impl: (_ctx, offset, from, to, flags, env) => {
    if (flags & ~BPF_F_HDR_FIELD_MASK) return negErrno(ERRNO.EINVAL);
    const field = checksumField(env, offset);
    if (typeof field === 'bigint') return field;
    const { at, view } = field;
    const sum = view.getUint16(at, true);
    const [f, t] = [Number(from & 0xffff_ffffn), Number(to & 0xffff_ffffn)];
    switch (flags & BPF_F_HDR_FIELD_MASK) {
      case 0n:
        if (from !== 0n) return negErrno(ERRNO.EINVAL);
        view.setUint16(at, csumFold(csumAdd(t, notUnfolded(sum))), true); // csum_replace_by_diff
        break;
      case 2n:
        view.setUint16(at, ~csum16Add(csum16Add(~sum & 0xffff, ~f & 0xffff), t) & 0xffff, true); // csum_replace2
        break;
      case 4n:
        view.setUint16(at, csumFold(csumAdd(csumSub(notUnfolded(sum), f), t)), true); // csum_replace4
        break;
      default:
        return negErrno(ERRNO.EINVAL);
    }
    return 0n;
  },
};

/**
 * long bpf_l4_csum_replace(skb, offset, from, to, flags): the TCP/UDP checksum after a
 * field changed (size in flags' low 4 bits, 0 for a diff). A test-run skb carries no
 * partial checksum (CHECKSUM_NONE), so BPF_F_PSEUDO_HDR changes nothing here;
 * BPF_F_MARK_MANGLED_0 keeps a zero (UDP's "no checksum") zero and writes 0xffff for a
 * result of zero.
 */
const L4_CSUM_REPLACE: HelperDef = {
  id: HELPER_IDS.l4_csum_replace,
  name: 'l4_csum_replace',
  proto: { args: ['ptr_to_ctx', 'anything', 'anything', 'anything', 'anything'], ret: 'integer' },
  programTypes: ['sched_cls'],
  impl: (_ctx, offset, from, to, flags, env) => {
    const known = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;
    if (flags & ~known) return negErrno(ERRNO.EINVAL);
    const field = checksumField(env, offset);
    if (typeof field === 'bigint') return field;
    const { at, view } = field;
    const mangledZero = (flags & BPF_F_MARK_MANGLED_0) !== 0n;
    const sum = view.getUint16(at, true);
    if (mangledZero && (flags & BPF_F_MARK_ENFORCE) === 0n && sum === 0) return 0n;
    const [f, t] = [Number(from & 0xffff_ffffn), Number(to & 0xffff_ffffn)];
    let result: number;
    switch (flags & BPF_F_HDR_FIELD_MASK) {
      case 0n:
        if (from !== 0n) return negErrno(ERRNO.EINVAL);
        result = csumFold(csumAdd(t, notUnfolded(sum)));
        break;
      case 2n: case 4n: {
        // inet_proto_csum_replace4() (replace2 passes the 16-bit values widened): csum_partial
        // over { ~from, to } from ~sum.
        const mask = (flags & BPF_F_HDR_FIELD_MASK) === 2n ? 0xffff : 0xffff_ffff;
        const diff = new DataView(new ArrayBuffer(8));
        diff.setUint32(0, ~(f & mask) >>> 0, true);
        diff.setUint32(4, (t & mask) >>> 0, true);
        result = csumFold(csumPartial(new Uint8Array(diff.buffer), notUnfolded(sum)));
        break;
      }
      default:
        return negErrno(ERRNO.EINVAL);
    }
    view.setUint16(at, mangledZero && result === 0 ? CSUM_MANGLED_0 : result, true);
    return 0n;
  },
};

/**
 * long bpf_skb_pull_data(skb, len): make the first len bytes (all, for 0) linear and
 * writable. A test-run skb is linear from the start, so nothing moves here; it fails
 * with -ENOMEM past the data, as skb_ensure_writable does. The verifier still forgets
 * every packet pointer after it, as the kernel's does.
 */
const SKB_PULL_DATA: HelperDef = {
  id: HELPER_IDS.skb_pull_data,
  name: 'skb_pull_data',
  proto: { args: ['ptr_to_ctx', 'anything'], ret: 'integer' },
  programTypes: ['sched_cls'],
  impl: (_ctx, len, _3, _4, _5, env) => (len > BigInt(skbData(env).length) ? negErrno(ERRNO.ENOMEM) : 0n),
};

export const SKB_HELPERS: readonly HelperDef[] = [SKB_LOAD_BYTES, SKB_LOAD_BYTES_RELATIVE, SKB_STORE_BYTES, SKB_PULL_DATA, L3_CSUM_REPLACE, L4_CSUM_REPLACE];
