/**
 * One classic BPF instruction, `struct sock_filter` (include/uapi/linux/filter.h):
 * a 16-bit code, two 8-bit jump offsets and a 32-bit constant, 8 bytes little-endian
 * on the hosts Linux runs filters on. `k` is kept unsigned.
 */
export interface CbpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** Bytes of one `struct sock_filter`. */
export const SOCK_FILTER_BYTES = 8;

export function cbpfInsn(code: number, jt = 0, jf = 0, k = 0): CbpfInsn {
  return { code: code & 0xffff, jt: jt & 0xff, jf: jf & 0xff, k: k >>> 0 };
}
