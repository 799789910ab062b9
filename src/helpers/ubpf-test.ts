import { RuntimeTrap } from '../errors.js';
import type { HelperHost } from './host.js';
import { ExitProgram } from '../abi/signals.js';
import { HelperRegistry, type HelperDef } from './registry.js';

/*
 * The helpers of ubpf's test harness (vm/test.c, ubpf_plugin/test_helpers.h), with the
 * same ids, so programs from the bpf_conformance suite and ubpf's own tests run
 * unchanged. Arguments arrive as unsigned 64-bit bigints.
 */

const ANY5 = ['anything', 'anything', 'anything', 'anything', 'anything'] as const;

const gatherBytes: HelperDef = {
  id: 0,
  name: 'gather_bytes',
  proto: { args: ANY5, ret: 'integer' },
  // The low byte of each argument, a in bits 32..39 down to e in bits 0..7.
  impl: (a, b, c, d, e) =>
    (a & 0xffn) << 32n | (b & 0xffn) << 24n | (c & 0xffn) << 16n | (d & 0xffn) << 8n | (e & 0xffn),
};

const memfrob: HelperDef = {
  id: 1,
  name: 'memfrob',
  proto: { args: ['ptr_to_mem', 'const_size'], ret: 'integer' },
  // XOR `n` bytes at `ptr` with 42 (glibc memfrob); returns 0.
  impl: (ptr, n, _c, _d, _e, env) => {
    if (n === 0n) return 0n;
    const bytes = env.runtime.view(ptr, Number(n), env.pc);
    for (let i = 0; i < bytes.length; i++) bytes[i] ^= 42;
    return 0n;
  },
};

const noOp: HelperDef = {
  id: 2,
  name: 'no_op',
  proto: { args: [], ret: 'integer' },
  impl: () => 0n,
};

const sqrti: HelperDef = {
  id: 3,
  name: 'sqrti',
  proto: { args: ['anything'], ret: 'integer' },
  // floor(sqrt(x)) of the low 32 bits, as ubpf's `uint32_t sqrti(uint32_t)`; exact,
  // since a double holds every u32 and its square root rounds correctly.
  impl: (x) => BigInt(Math.floor(Math.sqrt(Number(x & 0xffff_ffffn)))),
};

/** Read a NUL-terminated string's bytes (without the NUL) from program memory, checking each byte. */
function readCString(runtime: HelperHost, addr: bigint, pc: number): Uint8Array {
  const memory = runtime.bytes();
  const start = addr > BigInt(memory.length) ? -1 : Number(addr);
  for (let end = start; ; end++) {
    if (end < 0 || !runtime.isAccessible(end, 1)) {
      const at = end < 0 ? addr : BigInt(end);
      throw new RuntimeTrap('OUT_OF_BOUNDS', `string at 0x${addr.toString(16)} runs outside program memory`, pc, at, 1);
    }
    if (memory[end] === 0) return memory.subarray(start, end);
  }
}

const strcmpExt: HelperDef = {
  id: 4,
  name: 'strcmp_ext',
  proto: { args: ['ptr_to_const_str', 'ptr_to_const_str'], ret: 'integer' },
  // C strcmp: the difference of the first differing bytes (as unsigned chars), 0 if
  // equal; negative results are returned as their 64-bit two's complement.
  impl: (a, b, _c, _d, _e, env) => {
    const s1 = readCString(env.runtime, a, env.pc);
    const s2 = readCString(env.runtime, b, env.pc);
    for (let i = 0; ; i++) {
      const c1 = i < s1.length ? s1[i] : 0;
      const c2 = i < s2.length ? s2[i] : 0;
      if (c1 !== c2 || c1 === 0) return BigInt.asUintN(64, BigInt(c1 - c2));
    }
  },
};

const unwind: HelperDef = {
  id: 5,
  name: 'unwind',
  proto: { args: ['anything'], ret: 'integer' },
  // Returns its argument; ubpf's "unwind" helper ends the program at once (r0 = 0)
  // when it returns 0.
  impl: (x) => {
    if (x === 0n) throw new ExitProgram(0n);
    return x;
  },
};

/** A registry with ubpf's test helpers 0..5. */
export function ubpfTestHelpers(): HelperRegistry {
  return new HelperRegistry([gatherBytes, memfrob, noOp, sqrti, strcmpExt, unwind]);
}
