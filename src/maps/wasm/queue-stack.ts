import { DESC, MAP_KIND } from '../descriptor.js';
import { ERRNO } from '../map-error.js';

/**
 * queue and stack, in WebAssembly text, after the kernel's queue_stack_maps.c: a ring of
 * max_entries + 1 slots of value_size bytes with `head` (next slot to write) and `tail`
 * (oldest element); one slot always stays free, so head == tail means empty. A queue
 * gives out the element at tail, a stack the one below head.
 */
export function queueStackWat(): string {
  return `
  ;; $i + 1, wrapping at the slot count.
  (func $qs_next (param $d i32) (param $i i32) (result i32)
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (select (i32.const 0) (local.get $i) (i32.ge_u (local.get $i) (i32.load offset=${DESC.slots} (local.get $d)))))

  (func $qs_slot (param $d i32) (param $i i32) (result i32)
    (i32.add (i32.load offset=${DESC.storage} (local.get $d)) (i32.mul (local.get $i) (i32.load offset=${DESC.valueSize} (local.get $d)))))

  ;; queue_stack_map_push_elem: BPF_NOEXIST or unknown flags -EINVAL; when full, -E2BIG
  ;; unless BPF_EXIST, which drops the oldest element to make room.
  (func $qs_push (param $d i32) (param $value i32) (param $flags i64) (result i32)
    (local $head i32) (local $next i32)
    (if (i32.or (i64.ne (i64.and (local.get $flags) (i64.const 1)) (i64.const 0)) (i64.gt_u (local.get $flags) (i64.const 2)))
      (then (return (i32.const ${-ERRNO.EINVAL}))))
    (local.set $head (i32.load offset=${DESC.lruHead} (local.get $d)))
    (local.set $next (call $qs_next (local.get $d) (local.get $head)))
    (if (i32.eq (local.get $next) (i32.load offset=${DESC.lruTail} (local.get $d)))
      (then
        (if (i64.eqz (local.get $flags)) (then (return (i32.const ${-ERRNO.E2BIG}))))
        (i32.store offset=${DESC.lruTail} (local.get $d) (call $qs_next (local.get $d) (i32.load offset=${DESC.lruTail} (local.get $d))))))
    (call $copy (call $qs_slot (local.get $d) (local.get $head)) (local.get $value) (i32.load offset=${DESC.valueSize} (local.get $d)))
    (i32.store offset=${DESC.lruHead} (local.get $d) (local.get $next))
    (i32.const 0))

  ;; Peek ($pop = 0) or pop into $out. Empty: $out is zeroed and the result is -ENOENT,
  ;; as the kernel's __queue_map_get / __stack_map_get do.
  (func $qs_get (param $d i32) (param $out i32) (param $pop i32) (result i32)
    (local $head i32) (local $tail i32) (local $index i32)
    (local.set $head (i32.load offset=${DESC.lruHead} (local.get $d)))
    (local.set $tail (i32.load offset=${DESC.lruTail} (local.get $d)))
    (if (i32.eq (local.get $head) (local.get $tail))
      (then
        (memory.fill (local.get $out) (i32.const 0) (i32.load offset=${DESC.valueSize} (local.get $d)))
        (return (i32.const ${-ERRNO.ENOENT}))))
    (if (i32.eq (i32.load offset=${DESC.kind} (local.get $d)) (i32.const ${MAP_KIND.queue}))
      (then
        (local.set $index (local.get $tail))
        (if (local.get $pop) (then (i32.store offset=${DESC.lruTail} (local.get $d) (call $qs_next (local.get $d) (local.get $tail))))))
      (else
        (local.set $index (select (i32.load offset=${DESC.slots} (local.get $d)) (local.get $head) (i32.eqz (local.get $head))))
        (local.set $index (i32.sub (local.get $index) (i32.const 1)))
        (if (local.get $pop) (then (i32.store offset=${DESC.lruHead} (local.get $d) (local.get $index))))))
    (call $copy (local.get $out) (call $qs_slot (local.get $d) (local.get $index)) (i32.load offset=${DESC.valueSize} (local.get $d)))
    (i32.const 0))
`;
}
