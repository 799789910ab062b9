import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import { XDP_MD } from '../abi/program-types.js';
import { RuntimeTrap } from '../errors.js';
import type { HelperDef, HelperEnv } from './registry.js';

/*
 * The XDP helpers that move the packet inside its page (net/core/filter.c). The run's
 * struct xdp_md holds data, data_end and data_meta (runtime/contexts/xdp.ts); the
 * helpers check against the page the same limits the kernel does and update the struct,
 * so the program's next ctx->data reads the new start, as after the kernel's helpers.
 */

const ETH_HLEN = 14;
/** sizeof(struct xdp_frame) on x86-64: the kernel keeps it at the page's start, out of the headroom's reach. */
export const XDP_FRAME_STRUCT = 40;
/** xdp_metalen_invalid(): metadata is a multiple of 4 bytes, at most 255 (32 before Linux 6.x). */
const MAX_META = 255;

export interface XdpBuff {
  data: number;
  dataEnd: number;
  dataMeta: number;
  /** data_hard_start and the end data_end may reach (the page less its skb_shared_info). */
  readonly hardStart: number;
  readonly hardEnd: number;
  store(): void;
}

/** The run's xdp_buff, read from its struct xdp_md; `store()` writes the pointers back. */
export function xdpBuff(env: HelperEnv): XdpBuff {
  const runtime = env.runtime;
  const packet = runtime.packet;
  if (packet?.kind !== 'xdp') throw new RuntimeTrap('NO_PACKET', 'this helper needs an xdp run', env.pc);
  const ctx = new DataView(runtime.bytes().buffer, runtime.layout.contextBase, 12);
  const buff = {
    data: ctx.getUint32(XDP_MD.data, true),
    dataEnd: ctx.getUint32(XDP_MD.data_end, true),
    dataMeta: ctx.getUint32(XDP_MD.data_meta, true),
    hardStart: packet.frameStart,
    hardEnd: packet.frameEnd,
    store() {
      ctx.setUint32(XDP_MD.data, buff.data, true);
      ctx.setUint32(XDP_MD.data_end, buff.dataEnd, true);
      ctx.setUint32(XDP_MD.data_meta, buff.dataMeta, true);
    },
  };
  return buff;
}

/** A helper's s32 `offset` argument (the low 32 bits of the register, as the kernel's int parameter). */
const int32 = (value: bigint) => Number(BigInt.asIntN(32, value));

/**
 * long bpf_xdp_adjust_head(ctx, delta): move data by delta (negative grows the packet at
 * its front), carrying the metadata along; -EINVAL if data would pass the xdp_frame at the
 * page's start (metadata included) or leave less than an Ethernet header.
 */
const XDP_ADJUST_HEAD: HelperDef = {
  id: HELPER_IDS.xdp_adjust_head,
  name: 'xdp_adjust_head',
  proto: { args: ['ptr_to_ctx', 'anything'], ret: 'integer' },
  programTypes: ['xdp'],
  impl: (_ctx, delta, _3, _4, _5, env) => {
    const xdp = xdpBuff(env);
    const offset = int32(delta);
    const metaLength = xdp.data - xdp.dataMeta;
    const data = xdp.data + offset;
    if (data < xdp.hardStart + XDP_FRAME_STRUCT + metaLength || data > xdp.dataEnd - ETH_HLEN) return negErrno(ERRNO.EINVAL);
    if (metaLength > 0) env.runtime.bytes().copyWithin(xdp.dataMeta + offset, xdp.dataMeta, xdp.data);
    xdp.dataMeta += offset;
    xdp.data = data;
    xdp.store();
    return 0n;
  },
};

/**
 * long bpf_xdp_adjust_tail(ctx, delta): move data_end by delta; -EINVAL past the page's
 * usable end or below data + 14. Grown bytes are zeroed, as the kernel does.
 */
const XDP_ADJUST_TAIL: HelperDef = {
  id: HELPER_IDS.xdp_adjust_tail,
  name: 'xdp_adjust_tail',
  proto: { args: ['ptr_to_ctx', 'anything'], ret: 'integer' },
  programTypes: ['xdp'],
  impl: (_ctx, delta, _3, _4, _5, env) => {
    const xdp = xdpBuff(env);
    const offset = int32(delta);
    const dataEnd = xdp.dataEnd + offset;
    if (dataEnd > xdp.hardEnd || dataEnd < xdp.data + ETH_HLEN) return negErrno(ERRNO.EINVAL);
    if (offset > 0) env.runtime.bytes().fill(0, xdp.dataEnd, dataEnd);
    xdp.dataEnd = dataEnd;
    xdp.store();
    return 0n;
  },
};

/**
 * long bpf_xdp_adjust_meta(ctx, delta): move data_meta by delta (negative makes room for
 * metadata before data); -EINVAL past the xdp_frame or data, -EACCES for metadata that is
 * not a multiple of 4 bytes or longer than 32.
 */
const XDP_ADJUST_META: HelperDef = {
  id: HELPER_IDS.xdp_adjust_meta,
  name: 'xdp_adjust_meta',
  proto: { args: ['ptr_to_ctx', 'anything'], ret: 'integer' },
  programTypes: ['xdp'],
  impl: (_ctx, delta, _3, _4, _5, env) => {
    const xdp = xdpBuff(env);
    const meta = xdp.dataMeta + int32(delta);
    if (meta < xdp.hardStart + XDP_FRAME_STRUCT || meta > xdp.data) return negErrno(ERRNO.EINVAL);
    const metaLength = xdp.data - meta;
    if (metaLength % 4 !== 0 || metaLength > MAX_META) return negErrno(ERRNO.EACCES);
    xdp.dataMeta = meta;
    xdp.store();
    return 0n;
  },
};


export const XDP_HELPERS: readonly HelperDef[] = [XDP_ADJUST_HEAD, XDP_ADJUST_TAIL, XDP_ADJUST_META];
