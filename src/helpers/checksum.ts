import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import type { HelperDef } from './registry.js';

/*
 * Internet checksum arithmetic as the kernel does it (include/net/checksum.h,
 * arch/x86/lib/csum-partial_64.c): ones' complement sums on 32-bit "wsum" values and
 * their 16-bit folds. The values are read as the bytes lie in memory, little-endian on
 * this host as on x86-64, so the sums equal the kernel's bit for bit.
 */

/** csum_add: 32-bit ones' complement addition (the carry goes round). */
export function csumAdd(a: number, b: number): number {
  const sum = (a >>> 0) + (b >>> 0);
  return sum > 0xffff_ffff ? sum - 0xffff_ffff : sum;
}

/** csum_sub: a + ~b. */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: a 32-bit sum folded to 16 bits and inverted, the checksum field's value. */
export function csumFold(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum16_add: 16-bit ones' complement addition. */
export function csum16Add(a: number, b: number): number {
  const sum = (a & 0xffff) + (b & 0xffff);
  return sum > 0xffff ? sum - 0xffff : sum;
}

/**
 * csum_partial: `seed` plus the bytes as little-endian 32-bit words (a last partial word
 * padded with zeros), folded to 32 bits with the carries going round.
 */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let sum = seed >>> 0;
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes[i] | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    sum = csumAdd(sum, word >>> 0);
  }
  return sum;
}

/** The most bytes bpf_csum_diff takes in all (the kernel's per-CPU scratch of 128 words). */
const CSUM_DIFF_MAX = 512;

/** csum_from32to16: a 32-bit sum folded to 16 bits, not inverted. */
export function csumFrom32To16(sum: number): number {
  const s = (sum & 0xffff) + (sum >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/**
 * s64 bpf_csum_diff(from, from_size, to, to_size, seed): csum_partial over ~from then to,
 * starting from seed, folded to 16 bits (not inverted), as kernels since 6.12 return it on
 * every architecture (before, x86 gave the 32-bit sum); -EINVAL unless both sizes are
 * multiples of 4 adding up to at most 512. A size of 0 ignores its pointer.
 */
export const CSUM_DIFF: HelperDef = {
  id: HELPER_IDS.csum_diff,
  name: 'csum_diff',
  proto: { args: ['ptr_to_mem', 'const_size_or_zero', 'ptr_to_mem', 'const_size_or_zero', 'anything'], ret: 'integer' },
  programTypes: ['sched_cls', 'xdp'],
  impl: (from, fromSize, to, toSize, seed, env) => {
    if ((fromSize | toSize) & 3n || fromSize + toSize > BigInt(CSUM_DIFF_MAX)) return negErrno(ERRNO.EINVAL);
    const diff = new Uint8Array(Number(fromSize + toSize));
    if (fromSize > 0n) diff.set(env.runtime.view(from, Number(fromSize), env.pc).map((b) => ~b & 0xff));
    if (toSize > 0n) diff.set(env.runtime.view(to, Number(toSize), env.pc), Number(fromSize));
    return BigInt(csumFrom32To16(csumPartial(diff, Number(seed & 0xffff_ffffn))));
  },
};
