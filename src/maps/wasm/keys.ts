import { DESC } from '../descriptor.js';

/**
 * Key hashing, key comparison and value stores shared by the array and hash maps, in
 * WebAssembly text. u32 and u64 keys (most maps) take a single-load fast path.
 */
export function keysWat(): string {
  return `
  ;; MurmurHash3's 64-bit finaliser: every input bit affects every output bit, so the
  ;; low bits that pick a bucket are as good as the high ones.
  (func $mix (param $h i64) (result i64)
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xff51afd7ed558ccd)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xc4ceb9fe1a85ec53)))
    (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))))

  ;; The 32-bit hash of the map's key_size-byte key at $key, seeded per map (the kernel
  ;; seeds with a random value unless BPF_F_ZERO_SEED). Other sizes fold 8-byte words,
  ;; then the remaining bytes (little-endian), into the state.
  (func $hash (param $d i32) (param $key i32) (result i32)
    (local $ks i32) (local $h i64) (local $i i32) (local $tail i64) (local $shift i64)
    (local.set $ks (i32.load offset=${DESC.keySize} (local.get $d)))
    (local.set $h (i64.extend_i32_u (i32.load offset=${DESC.hashSeed} (local.get $d))))
    (if (i32.eq (local.get $ks) (i32.const 4))
      (then (return (i32.wrap_i64 (call $mix (i64.xor (local.get $h) (i64.load32_u (local.get $key))))))))
    (if (i32.eq (local.get $ks) (i32.const 8))
      (then (return (i32.wrap_i64 (call $mix (i64.xor (local.get $h) (i64.load (local.get $key))))))))
    (local.set $h (i64.xor (local.get $h) (i64.mul (i64.extend_i32_u (local.get $ks)) (i64.const 0x9e3779b97f4a7c15))))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $ks)))
        (local.set $h (i64.mul
          (i64.rotl (i64.xor (local.get $h) (call $mix (i64.load (i32.add (local.get $key) (local.get $i))))) (i64.const 29))
          (i64.const 0x9e3779b97f4a7c15)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $ks)))
        (local.set $tail (i64.or (local.get $tail)
          (i64.shl (i64.load8_u (i32.add (local.get $key) (local.get $i))) (local.get $shift))))
        (local.set $shift (i64.add (local.get $shift) (i64.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.wrap_i64 (call $mix (i64.xor (local.get $h) (local.get $tail)))))

  ;; Whether the $ks-byte keys at $a and $b are equal.
  (func $key_eq (param $a i32) (param $b i32) (param $ks i32) (result i32)
    (local $i i32)
    (if (i32.eq (local.get $ks) (i32.const 4))
      (then (return (i32.eq (i32.load (local.get $a)) (i32.load (local.get $b))))))
    (if (i32.eq (local.get $ks) (i32.const 8))
      (then (return (i64.eq (i64.load (local.get $a)) (i64.load (local.get $b))))))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $ks)))
        (if (i64.ne (i64.load (i32.add (local.get $a) (local.get $i))) (i64.load (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $ks)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.load8_u (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.const 1))

  ;; memory.copy (memmove) for the small sizes of keys and values: V8 compiles
  ;; memory.copy to a call into C++ (measured: the counter benchmark's event took 30.3
  ;; ns with memory.copy, 28.3 ns with this). Sizes 4 and 8 are one load and one
  ;; store; up to 64 bytes, words then bytes, unless the
  ;; ranges overlap with $dst after $src (a program may pass a pointer into the value
  ;; being written), where only memory.copy gets memmove's result.
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32)
    (if (i32.eq (local.get $n) (i32.const 8))
      (then (i64.store (local.get $dst) (i64.load (local.get $src))) (return)))
    (if (i32.eq (local.get $n) (i32.const 4))
      (then (i32.store (local.get $dst) (i32.load (local.get $src))) (return)))
    (if (i32.or (i32.gt_u (local.get $n) (i32.const 64))
                (i32.lt_u (i32.sub (local.get $dst) (local.get $src)) (local.get $n)))
      (then (memory.copy (local.get $dst) (local.get $src) (local.get $n)) (return)))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (i64.store (i32.add (local.get $dst) (local.get $i)) (i64.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes))))

  ;; The current CPU's copy of the value whose value block starts at $block.
  (func $cpu_slot (param $d i32) (param $block i32) (result i32)
    (i32.add (local.get $block) (i32.mul (global.get $cpu) (i32.load offset=${DESC.cpuStride} (local.get $d)))))

  ;; Store a value into the value block at $block. $all: $src holds the whole block (the
  ;; host API: every CPU's value, each padded to 8 bytes). Otherwise $src holds one value
  ;; for the current CPU's slot, and a $fresh per-CPU element gets zeros in the other
  ;; CPUs' slots (the kernel's pcpu_init_value), so nothing stale shows through.
  (func $store_value (param $d i32) (param $block i32) (param $src i32) (param $all i32) (param $fresh i32)
    (if (local.get $all)
      (then
        (call $copy (local.get $block) (local.get $src) (i32.load offset=${DESC.valueBlock} (local.get $d)))
        (return)))
    (if (i32.and (local.get $fresh) (i32.ne (i32.load offset=${DESC.cpuStride} (local.get $d)) (i32.const 0)))
      (then (memory.fill (local.get $block) (i32.const 0) (i32.load offset=${DESC.valueBlock} (local.get $d)))))
    (call $copy (call $cpu_slot (local.get $d) (local.get $block)) (local.get $src)
      (i32.load offset=${DESC.valueSize} (local.get $d))))
`;
}
