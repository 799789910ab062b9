import { checkItems, describeValue } from '../../arguments.js';

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

const isField = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

const isCbpfInsn = (item: unknown): boolean => {
  const i = item as Partial<CbpfInsn> | null;
  return typeof i === 'object' && i !== null && isField(i.code) && isField(i.jt) && isField(i.jf) && isField(i.k);
};
const CBPF_INSN = 'an instruction { code, jt, jf, k } of integers';

/** `what` must be one `{ code, jt, jf, k }` with integer fields. */
export function checkCbpfInsn(what: string, insn: CbpfInsn): CbpfInsn {
  if (!isCbpfInsn(insn)) throw new TypeError(`${what} must be ${CBPF_INSN}, got ${describeValue(insn)}`);
  return insn;
}

/** `what` must be an array of `{ code, jt, jf, k }` with integer fields (masked to their widths, as the kernel's struct would). */
export function checkCbpfInsns(what: string, insns: readonly CbpfInsn[]): readonly CbpfInsn[] {
  return checkItems(what, insns, { items: 'classic BPF instructions { code, jt, jf, k }', item: CBPF_INSN }, isCbpfInsn);
}

export function cbpfInsn(code: number, jt = 0, jf = 0, k = 0): CbpfInsn {
  return { code: code & 0xffff, jt: jt & 0xff, jf: jf & 0xff, k: k >>> 0 };
}
