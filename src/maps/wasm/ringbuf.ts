import { DESC, MAP_KIND, MAP_TRAP, RINGBUF } from '../descriptor.js';
import { ERRNO } from '../map-error.js';

/**
 * The producer side of ringbuf, in WebAssembly text, after the kernel's ringbuf.c. The
 * consumer is the host (ringbuf-map.ts), as user space is for the kernel.
 *
 * Positions are 64-bit byte counts that only grow; a record lives at `data + (pos &
 * mask)` and starts with an 8-byte header: u32 len with BUSY (not yet submitted) and
 * DISCARD bits, u32 pg_off (the kernel's page offset back to the ring; ours holds the
 * descriptor address, for the same purpose). Records are 8-aligned. The kernel maps the
 * data pages twice in a row so a record running past the end stays contiguous; here the
 * data area is followed by a shadow area of the same size for that purpose, so producer
 * and consumer both see each record as one contiguous range.
 */
export function ringbufWat(): string {
  const H = RINGBUF.headerSize;
  return `
  ;; __bpf_ringbuf_reserve: the data pointer of a new BUSY record of $size bytes, or 0
  ;; when it is too large or the ring has no room (the producer may run at most
  ;; ring_size - 1 bytes ahead of the consumer).
  (func $rb_reserve (param $d i32) (param $size i64) (result i32)
    (local $len i64) (local $prod i64) (local $hdr i32)
    (if (i64.gt_u (local.get $size) (i64.const 0x3fffffff)) (then (return (i32.const 0))))
    (local.set $len (i64.and (i64.add (local.get $size) (i64.const ${H + 7})) (i64.const -8)))
    (if (i64.gt_u (local.get $len) (i64.extend_i32_u (i32.add (i32.load offset=${DESC.ringMask} (local.get $d)) (i32.const 1))))
      (then (return (i32.const 0))))
    (local.set $prod (i64.load offset=${DESC.producerPos} (local.get $d)))
    (if (i64.gt_u (i64.sub (i64.add (local.get $prod) (local.get $len)) (i64.load offset=${DESC.consumerPos} (local.get $d)))
                  (i64.extend_i32_u (i32.load offset=${DESC.ringMask} (local.get $d))))
      (then (return (i32.const 0))))
    (local.set $hdr (i32.add (i32.load offset=${DESC.storage} (local.get $d))
                             (i32.and (i32.wrap_i64 (local.get $prod)) (i32.load offset=${DESC.ringMask} (local.get $d)))))
    (i32.store (local.get $hdr) (i32.or (i32.wrap_i64 (local.get $size)) (i32.const ${RINGBUF.busyBit})))
    (i32.store offset=4 (local.get $hdr) (local.get $d))
    (i64.store offset=${DESC.producerPos} (local.get $d) (i64.add (local.get $prod) (local.get $len)))
    (i32.add (local.get $hdr) (i32.const ${H})))

  ;; The descriptor of the ring holding the reserved, unsubmitted record whose data
  ;; starts at $sample, or trap BAD_RINGBUF_RECORD (the kernel's verifier only lets a
  ;; program submit or discard a pointer it got from ringbuf_reserve, once).
  (func $rb_record (param $pc i32) (param $sample i64) (result i32)
    (local $hdr i32) (local $d i32) (local $off i32)
    (block $bad
      (br_if $bad (i64.lt_u (local.get $sample) (i64.const ${H})))
      (br_if $bad (i64.gt_u (local.get $sample) (i64.extend_i32_u (global.get $heap_end))))
      (local.set $hdr (i32.wrap_i64 (i64.sub (local.get $sample) (i64.const ${H}))))
      (local.set $d (i32.load offset=4 (local.get $hdr)))
      (br_if $bad (i32.eqz (call $is_map (i64.extend_i32_u (local.get $d)))))
      (br_if $bad (i32.ne (i32.load offset=${DESC.kind} (local.get $d)) (i32.const ${MAP_KIND.ringbuf})))
      (local.set $off (i32.sub (local.get $hdr) (i32.load offset=${DESC.storage} (local.get $d))))
      (br_if $bad (i32.gt_u (local.get $off) (i32.load offset=${DESC.ringMask} (local.get $d))))
      (br_if $bad (i32.and (local.get $off) (i32.const 7)))
      (br_if $bad (i32.eqz (i32.and (i32.load (local.get $hdr)) (i32.const ${RINGBUF.busyBit}))))
      (return (local.get $d)))
    (call $trap (i32.const ${MAP_TRAP.BAD_RINGBUF_RECORD}) (local.get $pc) (local.get $sample))
    (unreachable))

  ;; bpf_ringbuf_commit: clear BUSY (setting DISCARD for a discard), then wake a waiting
  ;; reader if asked to (BPF_RB_FORCE_WAKEUP, 2) or if the consumer had caught up with
  ;; this record, unless BPF_RB_NO_WAKEUP (1): the kernel's adaptive notification.
  (func $rb_commit (param $d i32) (param $sample i32) (param $flags i64) (param $discard i32)
    (local $hdr i32) (local $rec_pos i32) (local $cons_pos i32) (local $wake i32)
    (local.set $hdr (i32.sub (local.get $sample) (i32.const ${H})))
    (i32.store (local.get $hdr)
      (i32.or (i32.xor (i32.load (local.get $hdr)) (i32.const ${RINGBUF.busyBit}))
              (select (i32.const ${RINGBUF.discardBit}) (i32.const 0) (local.get $discard))))
    (local.set $rec_pos (i32.sub (local.get $hdr) (i32.load offset=${DESC.storage} (local.get $d))))
    (local.set $cons_pos (i32.and (i32.wrap_i64 (i64.load offset=${DESC.consumerPos} (local.get $d)))
                                  (i32.load offset=${DESC.ringMask} (local.get $d))))
    (local.set $wake
      (i32.or (i64.ne (i64.and (local.get $flags) (i64.const 2)) (i64.const 0))
              (i32.and (i32.eq (local.get $cons_pos) (local.get $rec_pos))
                       (i64.eqz (i64.and (local.get $flags) (i64.const 1))))))
    (if (i32.and (local.get $wake) (i32.ne (i32.load offset=${DESC.waiting} (local.get $d)) (i32.const 0)))
      (then (call $notify (local.get $d)))))

  ;; bpf_ringbuf_output: reserve, copy, commit. Unknown flags -EINVAL, no room -EAGAIN.
  (func $rb_output (param $d i32) (param $data i32) (param $size i64) (param $flags i64) (result i32)
    (local $sample i32)
    (if (i64.ne (i64.and (local.get $flags) (i64.const -4)) (i64.const 0)) (then (return (i32.const ${-ERRNO.EINVAL}))))
    (local.set $sample (call $rb_reserve (local.get $d) (local.get $size)))
    (if (i32.eqz (local.get $sample)) (then (return (i32.const ${-ERRNO.EAGAIN}))))
    (call $copy (local.get $sample) (local.get $data) (i32.wrap_i64 (local.get $size)))
    (call $rb_commit (local.get $d) (local.get $sample) (local.get $flags) (i32.const 0))
    (i32.const 0))

  ;; bpf_ringbuf_query: BPF_RB_AVAIL_DATA (0), RING_SIZE (1), CONS_POS (2), PROD_POS (3); else 0.
  (func $rb_query (param $d i32) (param $flags i64) (result i64)
    (if (i64.eqz (local.get $flags))
      (then (return (i64.sub (i64.load offset=${DESC.producerPos} (local.get $d)) (i64.load offset=${DESC.consumerPos} (local.get $d))))))
    (if (i64.eq (local.get $flags) (i64.const 1))
      (then (return (i64.extend_i32_u (i32.add (i32.load offset=${DESC.ringMask} (local.get $d)) (i32.const 1))))))
    (if (i64.eq (local.get $flags) (i64.const 2)) (then (return (i64.load offset=${DESC.consumerPos} (local.get $d)))))
    (if (i64.eq (local.get $flags) (i64.const 3)) (then (return (i64.load offset=${DESC.producerPos} (local.get $d)))))
    (i64.const 0))
`;
}
