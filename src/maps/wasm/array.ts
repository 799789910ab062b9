import { DESC } from '../descriptor.js';
import { ERRNO } from '../map-error.js';

/**
 * array and percpu_array, in WebAssembly text: max_entries values of round_up(value_size,
 * 8) bytes (per-CPU: one such slot per CPU, back to back), zeroed at creation, indexed by
 * a u32 key. Every element always exists: update with BPF_NOEXIST is -EEXIST, delete is
 * -EINVAL, as in the kernel's arraymap.c.
 */
export function arrayWat(): string {
  return `
  ;; The value block of element *(u32 *)$key, or 0 when the index is out of range.
  (func $array_value (param $d i32) (param $key i32) (result i32)
    (local $index i32)
    (local.set $index (i32.load (local.get $key)))
    (if (i32.ge_u (local.get $index) (i32.load offset=${DESC.maxEntries} (local.get $d))) (then (return (i32.const 0))))
    (i32.add (i32.load offset=${DESC.storage} (local.get $d))
             (i32.mul (local.get $index) (i32.load offset=${DESC.elemSize} (local.get $d)))))

  ;; array_map_update_elem's checks, in its order: unknown flags -EINVAL, index out of
  ;; range -E2BIG, BPF_NOEXIST -EEXIST, BPF_F_LOCK without a spin lock -EINVAL.
  (func $array_update (param $d i32) (param $key i32) (param $value i32) (param $flags i64) (param $all i32) (result i32)
    (local $block i32)
    (if (i64.gt_u (i64.and (local.get $flags) (i64.const -5)) (i64.const 2)) (then (return (i32.const ${-ERRNO.EINVAL}))))
    (local.set $block (call $array_value (local.get $d) (local.get $key)))
    (if (i32.eqz (local.get $block)) (then (return (i32.const ${-ERRNO.E2BIG}))))
    (if (i32.wrap_i64 (i64.and (local.get $flags) (i64.const 1))) (then (return (i32.const ${-ERRNO.EEXIST}))))
    (if (i32.wrap_i64 (i64.and (local.get $flags) (i64.const 4))) (then (return (i32.const ${-ERRNO.EINVAL}))))
    (call $store_value (local.get $d) (local.get $block) (local.get $value) (local.get $all) (i32.const 0))
    (i32.const 0))

  ;; array_map_get_next_key: index 0 after none or an out-of-range index, -ENOENT after
  ;; the last, else index + 1.
  (func $array_next_key (param $d i32) (param $key i32) (param $out i32) (result i32)
    (local $index i32) (local $max i32)
    (local.set $max (i32.load offset=${DESC.maxEntries} (local.get $d)))
    (local.set $index (if (result i32) (local.get $key) (then (i32.load (local.get $key))) (else (i32.const -1))))
    (if (i32.ge_u (local.get $index) (local.get $max))
      (then (i32.store (local.get $out) (i32.const 0)) (return (i32.const 0))))
    (if (i32.eq (local.get $index) (i32.sub (local.get $max) (i32.const 1))) (then (return (i32.const ${-ERRNO.ENOENT}))))
    (i32.store (local.get $out) (i32.add (local.get $index) (i32.const 1)))
    (i32.const 0))
`;
}
