import { DESC, DESC_MAGIC, DESC_SIZE, MAP_TRAP } from '../descriptor.js';
import type { WatLayout } from './wat-layout.js';

/**
 * The maps module's imports and its argument checks, in WebAssembly text.
 *
 * Helpers implemented here receive raw registers from programs the kernel's verifier
 * never saw, so every pointer argument is checked the way a program's own access is:
 * it must lie inside a region a program may access (stack, current input, current
 * context, heap), else the helper traps with OUT_OF_BOUNDS at the call's pc. The input
 * and context lengths are globals of the runtime that the running program sets.
 */
export function importsAndChecksWat(L: WatLayout): string {
  return `
  (import "env" "memory" (memory $mem 1 65536))
  ;; End of the heap; the runtime grows it when maps are created.
  (import "env" "heap_end" (global $heap_end (mut i32)))
  ;; Length of the current input and context (set per run).
  (import "env" "input_len" (global $input_len (mut i32)))
  (import "env" "ctx_len" (global $ctx_len (mut i32)))
  ;; The CPU the program runs on: its slot of per-CPU maps.
  (import "env" "cpu" (global $cpu (mut i32)))
  ;; trap(code, pc, value): throws the RuntimeTrap for MAP_TRAP code (never returns).
  (import "env" "trap" (func $trap (param i32 i32 i64)))
  ;; trap_oob(pc, addr, size): throws RuntimeTrap OUT_OF_BOUNDS (never returns).
  (import "env" "trap_oob" (func $trap_oob (param i32 i64 i64)))
  ;; notify(descriptor): a ring buffer has data for a waiting host reader.
  (import "env" "notify" (func $notify (param i32)))
  ;; value_accessible(addr, size, write): whether heap bytes lie in one map value (maps/value-areas.ts).
  (import "env" "value_accessible" (func $value_accessible (param i64 i64 i32) (result i32)))

  ;; The i32 address of [addr, addr + size) if it lies inside one program-accessible
  ;; region, else trap. Size 0 accepts any address (kernel: ARG_CONST_SIZE_OR_ZERO may
  ;; come with NULL). Both are below 2^32 after the first check, so $end cannot wrap.
  ;; In the heap only a map's value is accessible (never a descriptor, bucket or key),
  ;; and for a write ($ptr_w) only a value programs may write.
  (func $ptr (param $pc i32) (param $addr i64) (param $size i64) (result i32)
    (call $checked_ptr (local.get $pc) (local.get $addr) (local.get $size) (i32.const 0)))
  (func $ptr_w (param $pc i32) (param $addr i64) (param $size i64) (result i32)
    (call $checked_ptr (local.get $pc) (local.get $addr) (local.get $size) (i32.const 1)))
  (func $checked_ptr (param $pc i32) (param $addr i64) (param $size i64) (param $write i32) (result i32)
    (local $end i64)
    (if (i64.eqz (local.get $size)) (then (return (i32.wrap_i64 (local.get $addr)))))
    (block $bad
      (br_if $bad (i64.gt_u (i64.or (local.get $addr) (local.get $size)) (i64.const 0xffffffff)))
      (local.set $end (i64.add (local.get $addr) (local.get $size)))
      (if (i32.and (i64.ge_u (local.get $addr) (i64.const ${L.stackBase}))
                   (i64.le_u (local.get $end) (i64.const ${L.stackTop})))
        (then (return (i32.wrap_i64 (local.get $addr)))))
      (if (i32.and (i64.ge_u (local.get $addr) (i64.const ${L.heapBase}))
                   (i64.le_u (local.get $end) (i64.extend_i32_u (global.get $heap_end))))
        (then (br_if $bad (i32.eqz (call $value_accessible (local.get $addr) (local.get $size) (local.get $write))))
              (return (i32.wrap_i64 (local.get $addr)))))
      (if (i32.and (i64.ge_u (local.get $addr) (i64.const ${L.inputBase}))
                   (i64.le_u (local.get $end) (i64.add (i64.const ${L.inputBase}) (i64.extend_i32_u (global.get $input_len)))))
        (then (return (i32.wrap_i64 (local.get $addr)))))
      (if (i32.and (i64.ge_u (local.get $addr) (i64.const ${L.contextBase}))
                   (i64.le_u (local.get $end) (i64.add (i64.const ${L.contextBase}) (i64.extend_i32_u (global.get $ctx_len)))))
        (then (return (i32.wrap_i64 (local.get $addr))))))
    (call $trap_oob (local.get $pc) (local.get $addr) (local.get $size))
    (unreachable))

  ;; Whether $r is the address of a map descriptor: inside the heap, carrying the magic
  ;; and its own address. Catches NULL, stack and value pointers passed as maps.
  (func $is_map (param $r i64) (result i32)
    (local $d i32)
    (if (i32.or (i64.lt_u (local.get $r) (i64.const ${L.heapBase}))
                (i64.gt_u (local.get $r) (i64.extend_i32_u (i32.sub (global.get $heap_end) (i32.const ${DESC_SIZE})))))
      (then (return (i32.const 0))))
    (local.set $d (i32.wrap_i64 (local.get $r)))
    (i32.and (i32.eq (i32.load offset=${DESC.magic} (local.get $d)) (i32.const ${DESC_MAGIC}))
             (i32.eq (i32.load offset=${DESC.self} (local.get $d)) (local.get $d))))

  ;; The descriptor address of map argument $r, or trap BAD_MAP.
  (func $map (param $pc i32) (param $r i64) (result i32)
    (if (call $is_map (local.get $r)) (then (return (i32.wrap_i64 (local.get $r)))))
    (call $trap (i32.const ${MAP_TRAP.BAD_MAP}) (local.get $pc) (local.get $r))
    (unreachable))

  ;; The helper does not apply to this map's type.
  (func $bad_type (param $pc i32) (param $d i32)
    (call $trap (i32.const ${MAP_TRAP.BAD_MAP_TYPE}) (local.get $pc) (i64.extend_i32_u (local.get $d)))
    (unreachable))

  ;; A chain or list longer than the map can hold: the map's memory was overwritten.
  (func $corrupt (param $d i32)
    (call $trap (i32.const ${MAP_TRAP.MAP_CORRUPT}) (i32.const -1) (i64.extend_i32_u (local.get $d)))
    (unreachable))
`;
}
