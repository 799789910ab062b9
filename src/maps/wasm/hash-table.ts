import { DESC, ENTRY } from '../descriptor.js';
import { ERRNO } from '../map-error.js';

/**
 * hash, percpu_hash and lru_hash, in WebAssembly text: the kernel's preallocated htab.
 *
 * Buckets (a power of two >= max_entries, as in the kernel) hold the head of a chain of
 * entries linked through `next`; new entries go to the head of their chain. All
 * max_entries entries are allocated at creation and kept on a free list, so an insert
 * into a full map fails with -E2BIG, except in an lru_hash, which reuses its least
 * recently used entry. lru_hash keeps every entry on a doubly linked recency list (head =
 * most recent): program lookups and all updates move an entry to the head.
 *
 * Every walk is bounded by max_entries + 1 steps: a program can overwrite the map's
 * memory (it lives in the program-accessible heap), and a cycle it made must end in a
 * MAP_CORRUPT trap, not a hang.
 */
export function hashTableWat(): string {
  const E2BIG = -ERRNO.E2BIG;
  const EEXIST = -ERRNO.EEXIST;
  const ENOENT = -ERRNO.ENOENT;
  const EINVAL = -ERRNO.EINVAL;
  return `
  ;; Address of the bucket head for hash $h.
  (func $bucket (param $d i32) (param $h i32) (result i32)
    (i32.add (i32.load offset=${DESC.buckets} (local.get $d))
             (i32.shl (i32.and (local.get $h) (i32.load offset=${DESC.bucketMask} (local.get $d))) (i32.const 2))))

  ;; The entry holding $key (whose hash is $h), or 0.
  (func $hash_find (param $d i32) (param $key i32) (param $h i32) (result i32)
    (local $e i32) (local $ks i32) (local $left i32)
    (local.set $ks (i32.load offset=${DESC.keySize} (local.get $d)))
    (local.set $left (i32.add (i32.load offset=${DESC.maxEntries} (local.get $d)) (i32.const 1)))
    (local.set $e (i32.load (call $bucket (local.get $d) (local.get $h))))
    (loop $walk
      (if (i32.eqz (local.get $e)) (then (return (i32.const 0))))
      (if (i32.eq (i32.load offset=${ENTRY.hash} (local.get $e)) (local.get $h))
        (then (if (call $key_eq (i32.add (local.get $e) (i32.const ${ENTRY.key})) (local.get $key) (local.get $ks))
          (then (return (local.get $e))))))
      (local.set $e (i32.load offset=${ENTRY.next} (local.get $e)))
      (br_if $walk (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))
    (call $corrupt (local.get $d))
    (unreachable))

  ;; The value block of entry $e.
  (func $entry_value (param $d i32) (param $e i32) (result i32)
    (i32.add (local.get $e) (i32.load offset=${DESC.valueOffset} (local.get $d))))

  ;; --- lru_hash recency list ---

  (func $lru_unlink (param $d i32) (param $e i32)
    (local $prev i32) (local $next i32)
    (local.set $prev (i32.load offset=${ENTRY.lruPrev} (local.get $e)))
    (local.set $next (i32.load offset=${ENTRY.lruNext} (local.get $e)))
    (if (local.get $prev)
      (then (i32.store offset=${ENTRY.lruNext} (local.get $prev) (local.get $next)))
      (else (i32.store offset=${DESC.lruHead} (local.get $d) (local.get $next))))
    (if (local.get $next)
      (then (i32.store offset=${ENTRY.lruPrev} (local.get $next) (local.get $prev)))
      (else (i32.store offset=${DESC.lruTail} (local.get $d) (local.get $prev)))))

  (func $lru_push_front (param $d i32) (param $e i32)
    (local $head i32)
    (local.set $head (i32.load offset=${DESC.lruHead} (local.get $d)))
    (i32.store offset=${ENTRY.lruPrev} (local.get $e) (i32.const 0))
    (i32.store offset=${ENTRY.lruNext} (local.get $e) (local.get $head))
    (if (local.get $head)
      (then (i32.store offset=${ENTRY.lruPrev} (local.get $head) (local.get $e)))
      (else (i32.store offset=${DESC.lruTail} (local.get $d) (local.get $e))))
    (i32.store offset=${DESC.lruHead} (local.get $d) (local.get $e)))

  ;; Mark $e most recently used (lru_hash only; a no-op for other hash maps).
  (func $lru_touch (param $d i32) (param $e i32)
    (if (i32.and (i32.load offset=${DESC.lru} (local.get $d))
                 (i32.ne (i32.load offset=${DESC.lruHead} (local.get $d)) (local.get $e)))
      (then
        (call $lru_unlink (local.get $d) (local.get $e))
        (call $lru_push_front (local.get $d) (local.get $e)))))

  ;; --- entries in and out of the table ---

  ;; Unlink live entry $e from its bucket chain and the recency list. $link walks the
  ;; pointers to successive entries (the bucket head, then each entry's \`next\`, which is
  ;; at offset 0, so an entry's address is also the address of its link).
  (func $hash_remove (param $d i32) (param $e i32)
    (local $link i32) (local $left i32)
    (local.set $link (call $bucket (local.get $d) (i32.load offset=${ENTRY.hash} (local.get $e))))
    (local.set $left (i32.add (i32.load offset=${DESC.maxEntries} (local.get $d)) (i32.const 1)))
    (block $unlinked
      (loop $walk
        (if (i32.eq (i32.load (local.get $link)) (local.get $e))
          (then
            (i32.store (local.get $link) (i32.load offset=${ENTRY.next} (local.get $e)))
            (br $unlinked)))
        (local.set $link (i32.load (local.get $link)))
        (br_if $walk (i32.and (i32.ne (local.get $link) (i32.const 0))
                              (i32.ne (local.tee $left (i32.sub (local.get $left) (i32.const 1))) (i32.const 0)))))
      (call $corrupt (local.get $d)))
    (if (i32.load offset=${DESC.lru} (local.get $d)) (then (call $lru_unlink (local.get $d) (local.get $e))))
    (i32.store offset=${DESC.count} (local.get $d) (i32.sub (i32.load offset=${DESC.count} (local.get $d)) (i32.const 1))))

  ;; An unused entry: from the free list; when there is none, an lru_hash evicts its
  ;; least recently used entry; other maps are full (0).
  (func $hash_alloc (param $d i32) (result i32)
    (local $e i32)
    (local.set $e (i32.load offset=${DESC.freeHead} (local.get $d)))
    (if (local.get $e)
      (then
        (i32.store offset=${DESC.freeHead} (local.get $d) (i32.load offset=${ENTRY.next} (local.get $e)))
        (return (local.get $e))))
    (if (i32.eqz (i32.load offset=${DESC.lru} (local.get $d))) (then (return (i32.const 0))))
    (local.set $e (i32.load offset=${DESC.lruTail} (local.get $d)))
    (if (local.get $e) (then (call $hash_remove (local.get $d) (local.get $e))))
    (local.get $e))

  ;; Put every entry of the pool on the free list, in address order (at creation).
  (func $hash_init (param $d i32)
    (local $e i32) (local $i i32) (local $n i32) (local $size i32)
    (local.set $n (i32.load offset=${DESC.maxEntries} (local.get $d)))
    (local.set $size (i32.load offset=${DESC.elemSize} (local.get $d)))
    (local.set $e (i32.load offset=${DESC.storage} (local.get $d)))
    (i32.store offset=${DESC.freeHead} (local.get $d) (local.get $e))
    (block $done
      (loop $link
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store offset=${ENTRY.next} (local.get $e) (i32.add (local.get $e) (local.get $size)))
        (local.set $e (i32.add (local.get $e) (local.get $size)))
        (br $link)))
    (i32.store offset=${ENTRY.next} (local.get $e) (i32.const 0)))

  ;; --- operations ---

  ;; The value block of $key's entry, or 0. $touch: a program's lookup, which counts as
  ;; a use for lru_hash (the host's does not, like the kernel's syscall lookup).
  (func $hash_lookup (param $d i32) (param $key i32) (param $touch i32) (result i32)
    (local $e i32)
    (local.set $e (call $hash_find (local.get $d) (local.get $key) (call $hash (local.get $d) (local.get $key))))
    (if (i32.eqz (local.get $e)) (then (return (i32.const 0))))
    (if (local.get $touch) (then (call $lru_touch (local.get $d) (local.get $e))))
    (call $entry_value (local.get $d) (local.get $e)))

  ;; Insert or replace $key's value, honouring BPF_ANY / BPF_NOEXIST / BPF_EXIST; 0 or a
  ;; negative errno, checked in the kernel's order (flags, then existence, then room).
  ;; BPF_F_LOCK (4) needs a bpf_spin_lock in the value, which we never have: -EINVAL.
  (func $hash_update (param $d i32) (param $key i32) (param $value i32) (param $flags i64) (param $all i32) (result i32)
    (local $h i32) (local $e i32) (local $bucket i32)
    (if (i64.gt_u (local.get $flags) (i64.const 2)) (then (return (i32.const ${EINVAL}))))
    (local.set $h (call $hash (local.get $d) (local.get $key)))
    (local.set $e (call $hash_find (local.get $d) (local.get $key) (local.get $h)))
    (if (local.get $e)
      (then
        (if (i64.eq (local.get $flags) (i64.const 1)) (then (return (i32.const ${EEXIST}))))
        (call $store_value (local.get $d) (call $entry_value (local.get $d) (local.get $e)) (local.get $value) (local.get $all) (i32.const 0))
        (call $lru_touch (local.get $d) (local.get $e))
        (return (i32.const 0))))
    (if (i64.eq (local.get $flags) (i64.const 2)) (then (return (i32.const ${ENOENT}))))
    (local.set $e (call $hash_alloc (local.get $d)))
    (if (i32.eqz (local.get $e)) (then (return (i32.const ${E2BIG}))))
    (i32.store offset=${ENTRY.hash} (local.get $e) (local.get $h))
    (call $copy (i32.add (local.get $e) (i32.const ${ENTRY.key})) (local.get $key) (i32.load offset=${DESC.keySize} (local.get $d)))
    (call $store_value (local.get $d) (call $entry_value (local.get $d) (local.get $e)) (local.get $value) (local.get $all) (i32.const 1))
    (local.set $bucket (call $bucket (local.get $d) (local.get $h)))
    (i32.store offset=${ENTRY.next} (local.get $e) (i32.load (local.get $bucket)))
    (i32.store (local.get $bucket) (local.get $e))
    (i32.store offset=${DESC.count} (local.get $d) (i32.add (i32.load offset=${DESC.count} (local.get $d)) (i32.const 1)))
    (if (i32.load offset=${DESC.lru} (local.get $d)) (then (call $lru_push_front (local.get $d) (local.get $e))))
    (i32.const 0))

  ;; Remove $key: 0, or -ENOENT if absent. The entry goes back on the free list.
  (func $hash_delete (param $d i32) (param $key i32) (result i32)
    (local $e i32)
    (local.set $e (call $hash_find (local.get $d) (local.get $key) (call $hash (local.get $d) (local.get $key))))
    (if (i32.eqz (local.get $e)) (then (return (i32.const ${ENOENT}))))
    (call $hash_remove (local.get $d) (local.get $e))
    (i32.store offset=${ENTRY.next} (local.get $e) (i32.load offset=${DESC.freeHead} (local.get $d)))
    (i32.store offset=${DESC.freeHead} (local.get $d) (local.get $e))
    (i32.const 0))

  ;; The kernel's htab_map_get_next_key: the entry after $key in its chain, else the
  ;; first entry of a later bucket; the first entry overall when $key is 0 (none) or
  ;; absent. Copies that key to $out: 0, or -ENOENT after the last key.
  (func $hash_next_key (param $d i32) (param $key i32) (param $out i32) (result i32)
    (local $h i32) (local $e i32) (local $i i32) (local $n i32)
    (block $scan
      (br_if $scan (i32.eqz (local.get $key)))
      (local.set $h (call $hash (local.get $d) (local.get $key)))
      (local.set $e (call $hash_find (local.get $d) (local.get $key) (local.get $h)))
      (br_if $scan (i32.eqz (local.get $e)))
      (local.set $e (i32.load offset=${ENTRY.next} (local.get $e)))
      (if (local.get $e)
        (then
          (call $copy (local.get $out) (i32.add (local.get $e) (i32.const ${ENTRY.key})) (i32.load offset=${DESC.keySize} (local.get $d)))
          (return (i32.const 0))))
      (local.set $i (i32.add (i32.and (local.get $h) (i32.load offset=${DESC.bucketMask} (local.get $d))) (i32.const 1))))
    (local.set $n (i32.add (i32.load offset=${DESC.bucketMask} (local.get $d)) (i32.const 1)))
    (block $none
      (loop $buckets
        (br_if $none (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $e (i32.load (i32.add (i32.load offset=${DESC.buckets} (local.get $d)) (i32.shl (local.get $i) (i32.const 2)))))
        (if (local.get $e)
          (then
            (call $copy (local.get $out) (i32.add (local.get $e) (i32.const ${ENTRY.key})) (i32.load offset=${DESC.keySize} (local.get $d)))
            (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $buckets)))
    (i32.const ${ENOENT}))
`;
}
