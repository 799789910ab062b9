import { DESC, MAP_KIND } from '../descriptor.js';

/**
 * The maps module's exports, in WebAssembly text.
 *
 * Helpers (kernel names and semantics) take the JIT's helper-import ABI, i64 registers
 * r1..rN then the i32 pc of the call, and return r0 as i64: a JIT-compiled program
 * imports them directly (a Wasm-to-Wasm call, no JS), and the interpreter calls the same
 * functions from JS. Each checks its map argument and its pointer arguments, then runs
 * the shared implementation for the map's kind:
 *   (func $map_lookup_elem (param $map i64) (param $key i64) (param $pc i32) (result i64)
 *     $d = (call $map pc map)                              ;; or trap BAD_MAP
 *     kind hash:  (call $hash_lookup $d (call $ptr pc key key_size) 1) + cpu slot
 *     kind array: (call $array_value $d (call $ptr pc key 4)) + cpu slot
 *     otherwise:  trap BAD_MAP_TYPE
 *
 * host_* functions serve the host API (bpf-map.ts): i32 addresses the host staged its
 * arguments at, no pointer checks, per-CPU values as whole blocks, no LRU refresh on
 * lookup, results as 0 / negative errno (lookups: an address or 0).
 */
export function exportsWat(): string {
  const kind = `(i32.load offset=${DESC.kind} (local.get $d))`;
  const isKind = (k: keyof typeof MAP_KIND) => `(i32.eq ${kind} (i32.const ${MAP_KIND[k]}))`;
  const keySize = `(i64.extend_i32_u (i32.load offset=${DESC.keySize} (local.get $d)))`;
  const valueSize = `(i64.extend_i32_u (i32.load offset=${DESC.valueSize} (local.get $d)))`;
  const badType = '(call $bad_type (local.get $pc) (local.get $d)) (unreachable)';
  const isQueueOrStack = `(i32.or ${isKind('queue')} ${isKind('stack')})`;
  return `
  ;; --- helpers, id 1: void *map_lookup_elem(map, key) ---
  (func $map_lookup_elem (export "map_lookup_elem") (param $map i64) (param $key i64) (param $pc i32) (result i64)
    (local $d i32) (local $block i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if ${isKind('hash')}
      (then (local.set $block (call $hash_lookup (local.get $d) (call $ptr (local.get $pc) (local.get $key) ${keySize}) (i32.const 1))))
      (else
        (if ${isKind('array')}
          (then (local.set $block (call $array_value (local.get $d) (call $ptr (local.get $pc) (local.get $key) (i64.const 4)))))
          (else ${badType}))))
    (if (i32.eqz (local.get $block)) (then (return (i64.const 0))))
    (i64.extend_i32_u (call $cpu_slot (local.get $d) (local.get $block))))

  ;; --- id 2: long map_update_elem(map, key, value, flags) ---
  (func $map_update_elem (export "map_update_elem") (param $map i64) (param $key i64) (param $value i64) (param $flags i64) (param $pc i32) (result i64)
    (local $d i32) (local $k i32) (local $v i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz (i32.or ${isKind('hash')} ${isKind('array')})) (then ${badType}))
    (local.set $k (call $ptr (local.get $pc) (local.get $key) ${keySize}))
    (local.set $v (call $ptr (local.get $pc) (local.get $value) ${valueSize}))
    (i64.extend_i32_s
      (if (result i32) ${isKind('hash')}
        (then (call $hash_update (local.get $d) (local.get $k) (local.get $v) (local.get $flags) (i32.const 0)))
        (else (call $array_update (local.get $d) (local.get $k) (local.get $v) (local.get $flags) (i32.const 0))))))

  ;; --- id 3: long map_delete_elem(map, key); arrays: -EINVAL ---
  (func $map_delete_elem (export "map_delete_elem") (param $map i64) (param $key i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if ${isKind('array')}
      (then
        (drop (call $ptr (local.get $pc) (local.get $key) (i64.const 4)))
        (return (i64.const -22))))
    (if (i32.eqz ${isKind('hash')}) (then ${badType}))
    (i64.extend_i32_s (call $hash_delete (local.get $d) (call $ptr (local.get $pc) (local.get $key) ${keySize}))))

  ;; --- id 87: long map_push_elem(map, value, flags) ---
  (func $map_push_elem (export "map_push_elem") (param $map i64) (param $value i64) (param $flags i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isQueueOrStack}) (then ${badType}))
    (i64.extend_i32_s (call $qs_push (local.get $d) (call $ptr (local.get $pc) (local.get $value) ${valueSize}) (local.get $flags))))

  ;; --- id 88: long map_pop_elem(map, value) ---
  (func $map_pop_elem (export "map_pop_elem") (param $map i64) (param $value i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isQueueOrStack}) (then ${badType}))
    (i64.extend_i32_s (call $qs_get (local.get $d) (call $ptr_w (local.get $pc) (local.get $value) ${valueSize}) (i32.const 1))))

  ;; --- id 89: long map_peek_elem(map, value) ---
  (func $map_peek_elem (export "map_peek_elem") (param $map i64) (param $value i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isQueueOrStack}) (then ${badType}))
    (i64.extend_i32_s (call $qs_get (local.get $d) (call $ptr_w (local.get $pc) (local.get $value) ${valueSize}) (i32.const 0))))

  ;; --- id 130: long ringbuf_output(ringbuf, data, size, flags) ---
  (func $ringbuf_output (export "ringbuf_output") (param $map i64) (param $data i64) (param $size i64) (param $flags i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isKind('ringbuf')}) (then ${badType}))
    (i64.extend_i32_s (call $rb_output (local.get $d) (call $ptr (local.get $pc) (local.get $data) (local.get $size))
      (local.get $size) (local.get $flags))))

  ;; --- id 131: void *ringbuf_reserve(ringbuf, size, flags); flags must be 0 ---
  (func $ringbuf_reserve (export "ringbuf_reserve") (param $map i64) (param $size i64) (param $flags i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isKind('ringbuf')}) (then ${badType}))
    (if (i64.ne (local.get $flags) (i64.const 0)) (then (return (i64.const 0))))
    (i64.extend_i32_u (call $rb_reserve (local.get $d) (local.get $size))))

  ;; --- id 132: void ringbuf_submit(data, flags) ---
  (func $ringbuf_submit (export "ringbuf_submit") (param $sample i64) (param $flags i64) (param $pc i32) (result i64)
    (call $rb_commit (call $rb_record (local.get $pc) (local.get $sample)) (i32.wrap_i64 (local.get $sample)) (local.get $flags) (i32.const 0))
    (i64.const 0))

  ;; --- id 133: void ringbuf_discard(data, flags) ---
  (func $ringbuf_discard (export "ringbuf_discard") (param $sample i64) (param $flags i64) (param $pc i32) (result i64)
    (call $rb_commit (call $rb_record (local.get $pc) (local.get $sample)) (i32.wrap_i64 (local.get $sample)) (local.get $flags) (i32.const 1))
    (i64.const 0))

  ;; --- id 134: u64 ringbuf_query(ringbuf, flags) ---
  (func $ringbuf_query (export "ringbuf_query") (param $map i64) (param $flags i64) (param $pc i32) (result i64)
    (local $d i32)
    (local.set $d (call $map (local.get $pc) (local.get $map)))
    (if (i32.eqz ${isKind('ringbuf')}) (then ${badType}))
    (call $rb_query (local.get $d) (local.get $flags)))

  ;; --- the host API ---

  (func $host_init (export "host_init") (param $d i32)
    (if ${isKind('hash')} (then (call $hash_init (local.get $d)))))

  (func $host_lookup (export "host_lookup") (param $d i32) (param $key i32) (result i32)
    (if (result i32) ${isKind('hash')}
      (then (call $hash_lookup (local.get $d) (local.get $key) (i32.const 0)))
      (else (call $array_value (local.get $d) (local.get $key)))))

  (func $host_update (export "host_update") (param $d i32) (param $key i32) (param $value i32) (param $flags i32) (result i32)
    (if (result i32) ${isKind('hash')}
      (then (call $hash_update (local.get $d) (local.get $key) (local.get $value) (i64.extend_i32_u (local.get $flags)) (i32.const 1)))
      (else (call $array_update (local.get $d) (local.get $key) (local.get $value) (i64.extend_i32_u (local.get $flags)) (i32.const 1)))))

  (func $host_delete (export "host_delete") (param $d i32) (param $key i32) (result i32)
    (call $hash_delete (local.get $d) (local.get $key)))

  (func $host_next_key (export "host_next_key") (param $d i32) (param $key i32) (param $out i32) (result i32)
    (if (result i32) ${isKind('hash')}
      (then (call $hash_next_key (local.get $d) (local.get $key) (local.get $out)))
      (else (call $array_next_key (local.get $d) (local.get $key) (local.get $out)))))

  (func $host_push (export "host_push") (param $d i32) (param $value i32) (param $flags i32) (result i32)
    (call $qs_push (local.get $d) (local.get $value) (i64.extend_i32_u (local.get $flags))))

  (func $host_pop (export "host_pop") (param $d i32) (param $out i32) (result i32)
    (call $qs_get (local.get $d) (local.get $out) (i32.const 1)))

  (func $host_peek (export "host_peek") (param $d i32) (param $out i32) (result i32)
    (call $qs_get (local.get $d) (local.get $out) (i32.const 0)))
`;
}
