import { HELPER_IDS } from '../abi/kernel-ids.js';
import { TC_ACTION, XDP_ACTION } from '../abi/program-types.js';
import { REDIRECT_MAP_TYPES, type MapTypeName } from '../maps/types.js';
import { mapArgument } from './map-args.js';
import type { HelperDef } from './registry.js';

/*
 * Redirects (net/core/filter.c). A test run sends nothing anywhere: the helpers check
 * their arguments as the kernel does and return the verdict the program then returns.
 */

const BPF_F_INGRESS = 1n;
/** Lower bits of bpf_redirect_map's flags: the verdict when the map has no entry at the key. */
const ACTION_MASK = 3n;
const BPF_F_BROADCAST = 1n << 3n;
const BPF_F_EXCLUDE_INGRESS = 1n << 4n;

/**
 * long bpf_redirect(ifindex, flags): XDP_REDIRECT from XDP (XDP_ABORTED for any flag),
 * TC_ACT_REDIRECT from tc (TC_ACT_SHOT for a flag other than BPF_F_INGRESS).
 */
const REDIRECT: HelperDef = {
  id: HELPER_IDS.redirect,
  name: 'redirect',
  proto: { args: ['anything', 'anything'], ret: 'integer' },
  programTypes: ['xdp', 'sched_cls'],
  impl: (_ifindex, flags, _3, _4, _5, env) => {
    if (env.runtime.packet?.kind === 'xdp') return BigInt(flags === 0n ? XDP_ACTION.REDIRECT : XDP_ACTION.ABORTED);
    return BigInt(flags & ~BPF_F_INGRESS ? TC_ACTION.SHOT : TC_ACTION.REDIRECT);
  },
};

/**
 * long bpf_redirect_map(map, key, flags): XDP_REDIRECT if the devmap, cpumap or xskmap
 * has an entry at key (or BPF_F_BROADCAST on a devmap), else flags' low two bits (the
 * fallback verdict); XDP_ABORTED for flags the map type does not take.
 */
const REDIRECT_MAP: HelperDef = {
  id: HELPER_IDS.redirect_map,
  name: 'redirect_map',
  proto: { args: ['const_map_ptr', 'anything', 'anything'], ret: 'integer' },
  programTypes: ['xdp'],
  impl: (map, key, flags, _4, _5, env) => {
    const target = mapArgument(env, map, (m) => (REDIRECT_MAP_TYPES as readonly MapTypeName[]).includes(m.type));
    const devmap = target.type === 'devmap' || target.type === 'devmap_hash';
    const allowed = ACTION_MASK | (devmap ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0n);
    if (flags & ~allowed) return BigInt(XDP_ACTION.ABORTED);
    const index = new Uint8Array(4);
    new DataView(index.buffer).setUint32(0, Number(key & 0xffff_ffffn), true);
    if (target.valueAddress(index) === undefined && !(flags & BPF_F_BROADCAST)) return flags & ACTION_MASK;
    return BigInt(XDP_ACTION.REDIRECT);
  },
};

export const REDIRECT_HELPERS: readonly HelperDef[] = [REDIRECT, REDIRECT_MAP];
