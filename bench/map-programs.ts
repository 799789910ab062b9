import { Prng } from './prng.js';

/**
 * The map benchmark's programs, in assembler text (no compiler needed), and their
 * inputs. Each run walks the input, an array of u32 keys (one per event), and calls
 * the map helpers on the hash map with fd `fd` (u32 keys, u64 values).
 */

/**
 * The counter of the issue: per event, one lookup and one update.
 *   v = map_lookup_elem(&counts, &key); n = v ? *v + 1 : 1; map_update_elem(&counts, &key, &n, BPF_ANY)
 * r0 = the number of events.
 */
export function counterProgram(fd: number): string {
  return `
    mov %r6, %r1             # cursor
    mov %r7, %r1
    add %r7, %r2             # end of the events
    mov %r8, 0               # events seen
  next:
    jge %r6, %r7, done
    ldxw %r1, [%r6]
    stxw [%r10-4], %r1       # key on the stack
    lddw %r1, map_fd(${fd})
    mov %r2, %r10
    add %r2, -4
    call 1                   # map_lookup_elem
    mov %r1, 1
    jeq %r0, 0, store
    ldxdw %r1, [%r0]
    add %r1, 1
  store:
    stxdw [%r10-16], %r1
    lddw %r1, map_fd(${fd})
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0               # BPF_ANY
    call 2                   # map_update_elem
    add %r6, 4
    add %r8, 1
    ja next
  done:
    mov %r0, %r8
    exit
`;
}

/**
 * Lookups only: per event, one lookup, adding the value when the key is there.
 * r0 = the sum of the values found.
 */
export function lookupProgram(fd: number): string {
  return `
    mov %r6, %r1
    mov %r7, %r1
    add %r7, %r2
    mov %r8, 0               # sum
  next:
    jge %r6, %r7, done
    ldxw %r1, [%r6]
    stxw [%r10-4], %r1
    lddw %r1, map_fd(${fd})
    mov %r2, %r10
    add %r2, -4
    call 1                   # map_lookup_elem
    add %r6, 4
    jeq %r0, 0, next
    ldxdw %r1, [%r0]
    add %r8, %r1
    ja next
  done:
    mov %r0, %r8
    exit
`;
}

/** `count` events over `flows` distinct keys (1..flows), as little-endian u32s. */
export function eventKeys(count: number, flows: number, seed = 7): Uint32Array {
  const prng = new Prng(seed);
  return Uint32Array.from({ length: count }, () => 1 + prng.below(flows));
}

export function keyBytes(keys: Uint32Array): Uint8Array {
  return new Uint8Array(keys.buffer, keys.byteOffset, keys.byteLength);
}

/** The value the lookup benchmark stores under key k: present keys are 1..flows. */
export const storedValue = (key: number): bigint => BigInt(key) * 3n;

/** r0 of the lookup program over `keys` when the map holds keys 1..present. */
export function expectedLookupSum(keys: Uint32Array, present: number): bigint {
  let sum = 0n;
  for (const k of keys) if (k <= present) sum += storedValue(k);
  return sum;
}
