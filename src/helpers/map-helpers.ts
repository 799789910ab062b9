import { fromWasmTrap, RuntimeTrap } from '../errors.js';
import type { HelperExportName, MapsExports } from '../maps/maps-module.js';
import type { HelperHost } from './host.js';
import { perfEventArray } from './map-args.js';
import { packetData } from './packet.js';
import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import type { ArgKind, HelperDef, HelperEnv, HelperImpl, HelperProto, RetKind } from './registry.js';

/*
 * The map helpers, with the kernel's ids (include/uapi/linux/bpf.h, checked against
 * libbpf's bpf_helper_defs.h) and prototypes (the kernel's bpf_func_proto for each).
 *
 * All but perf_event_output run in the runtime's maps module (WebAssembly, see
 * src/maps/wasm): a JIT-compiled program imports the module's function directly
 * (`wasm`), and the interpreter calls the same function from JS (`impl`), so the two
 * engines and the host API share one implementation of every map. Measured with
 * `npm run bench:maps`: see bench/maps.ts.
 */

const proto = (args: readonly ArgKind[], ret: RetKind = 'integer'): HelperProto => ({ args, ret });

type Call = (x: MapsExports, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, pc: number) => bigint;

function mapsHelper(id: number, name: HelperExportName, helperProto: HelperProto, call: Call): HelperDef {
  const impl: HelperImpl = (r1, r2, r3, r4, r5, env: HelperEnv) => {
    try {
      return call(env.runtime.mapsModule, r1, r2, r3, r4, r5, env.pc);
    } catch (e) {
      throw fromWasmTrap(e); // map memory overwritten by the program
    }
  };
  return { id, name, proto: helperProto, impl, wasm: (runtime: HelperHost) => runtime.mapsModule[name] };
}

const ID = HELPER_IDS;

/** BPF_F_INDEX_MASK and BPF_F_CTXLEN_MASK: the index, and (packet programs) how many packet bytes to append. */
const INDEX_MASK = 0xffff_ffffn;
const CTXLEN_MASK = 0xf_ffffn << 32n;

/**
 * long perf_event_output(ctx, map, flags, data, size): copy `size` bytes to the host
 * readers of a perf_event_array (perf-event-array.ts has the kernel's checks). A packet
 * program may append the first (flags >> 32) bytes of its packet (the kernel's
 * bpf_skb_event_output / bpf_xdp_event_output; -EFAULT if the packet is shorter). It
 * crosses to JS anyway, so it is a JS helper.
 */
const perfEventOutput: HelperDef = {
  id: ID.perf_event_output,
  name: 'perf_event_output',
  proto: proto(['ptr_to_ctx', 'const_map_ptr', 'anything', 'ptr_to_mem', 'const_size_or_zero']),
  impl: (_ctx, map, flags, data, size, env) => {
    const target = perfEventArray(env, map);
    if (size > 0xffff_ffffn) throw new RuntimeTrap('OUT_OF_BOUNDS', `helper access of ${size} bytes at 0x${data.toString(16)} is outside program memory`, env.pc, data);
    const bytes = size === 0n ? new Uint8Array(0) : env.runtime.view(data, Number(size), env.pc);
    const packet = packetData(env);
    const appended = Number((flags & CTXLEN_MASK) >> 32n);
    if (packet === undefined || appended === 0) return BigInt(target.output(flags, bytes));
    if (flags & ~(CTXLEN_MASK | INDEX_MASK)) return negErrno(ERRNO.EINVAL);
    if (appended > packet.length) return negErrno(ERRNO.EFAULT);
    const record = new Uint8Array(bytes.length + appended);
    record.set(bytes);
    record.set(env.runtime.bytes().subarray(packet.start, packet.start + appended), bytes.length);
    return BigInt(target.output(flags & INDEX_MASK, record));
  },
};

/** The map helpers, ids 1-3, 25, 87-89 and 130-134. */
export function mapHelpers(): HelperDef[] {
  return [
    mapsHelper(ID.map_lookup_elem, 'map_lookup_elem', proto(['const_map_ptr', 'ptr_to_map_key'], 'ptr_to_map_value_or_null'),
      (x, map, key, _3, _4, _5, pc) => x.map_lookup_elem(map, key, pc)),
    mapsHelper(ID.map_update_elem, 'map_update_elem', proto(['const_map_ptr', 'ptr_to_map_key', 'ptr_to_map_value', 'anything']),
      (x, map, key, value, flags, _5, pc) => x.map_update_elem(map, key, value, flags, pc)),
    mapsHelper(ID.map_delete_elem, 'map_delete_elem', proto(['const_map_ptr', 'ptr_to_map_key']),
      (x, map, key, _3, _4, _5, pc) => x.map_delete_elem(map, key, pc)),
    perfEventOutput,
    mapsHelper(ID.map_push_elem, 'map_push_elem', proto(['const_map_ptr', 'ptr_to_map_value', 'anything']),
      (x, map, value, flags, _4, _5, pc) => x.map_push_elem(map, value, flags, pc)),
    mapsHelper(ID.map_pop_elem, 'map_pop_elem', proto(['const_map_ptr', 'ptr_to_uninit_map_value']),
      (x, map, value, _3, _4, _5, pc) => x.map_pop_elem(map, value, pc)),
    mapsHelper(ID.map_peek_elem, 'map_peek_elem', proto(['const_map_ptr', 'ptr_to_uninit_map_value']),
      (x, map, value, _3, _4, _5, pc) => x.map_peek_elem(map, value, pc)),
    mapsHelper(ID.ringbuf_output, 'ringbuf_output', proto(['const_map_ptr', 'ptr_to_mem', 'const_size_or_zero', 'anything']),
      (x, map, data, size, flags, _5, pc) => x.ringbuf_output(map, data, size, flags, pc)),
    mapsHelper(ID.ringbuf_reserve, 'ringbuf_reserve', proto(['const_map_ptr', 'const_alloc_size_or_zero', 'anything'], 'ptr_to_alloc_mem_or_null'),
      (x, map, size, flags, _4, _5, pc) => x.ringbuf_reserve(map, size, flags, pc)),
    mapsHelper(ID.ringbuf_submit, 'ringbuf_submit', proto(['ptr_to_alloc_mem', 'anything'], 'void'),
      (x, sample, flags, _3, _4, _5, pc) => x.ringbuf_submit(sample, flags, pc)),
    mapsHelper(ID.ringbuf_discard, 'ringbuf_discard', proto(['ptr_to_alloc_mem', 'anything'], 'void'),
      (x, sample, flags, _3, _4, _5, pc) => x.ringbuf_discard(sample, flags, pc)),
    mapsHelper(ID.ringbuf_query, 'ringbuf_query', proto(['const_map_ptr', 'anything']),
      (x, map, flags, _3, _4, _5, pc) => x.ringbuf_query(map, flags, pc)),
  ];
}
