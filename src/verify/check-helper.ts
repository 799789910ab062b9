import { HELPER_IDS } from '../abi/kernel-ids.js';
import { MAP_TYPES } from '../maps/types.js';
import type { ArgKind, HelperDef } from '../helpers/registry.js';
import { readReg } from './check-alu.js';
import { access, forgetStack } from './check-memory.js';
import type { VerifierEnv } from './env.js';
import { isPacketPointer, kindName, NOT_INIT, pointerReg, scalarReg, UNKNOWN_SCALAR, type MapInfo, type Reg } from './registers.js';
import { constantOf, UNKNOWN } from './scalar.js';
import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { Byte, currentFrame, setSpill, type State } from './state.js';

/**
 * A helper call's arguments against its prototype (the kernel's check_func_arg and
 * check_map_func_compatibility), and r0 after it: a scalar, a map value or NULL, memory of
 * a known size or NULL (a reference the program must release), nothing for void. r1-r5
 * are unreadable afterwards; a helper that may move packet data makes every packet
 * pointer a scalar, to be loaded again from the context.
 */

/** Helpers that may change where the packet lies (the kernel's bpf_helper_changes_pkt_data). */
const CHANGES_PACKET = new Set<number>([
  HELPER_IDS.skb_store_bytes, HELPER_IDS.skb_pull_data, HELPER_IDS.l3_csum_replace, HELPER_IDS.l4_csum_replace,
  HELPER_IDS.xdp_adjust_head, HELPER_IDS.xdp_adjust_meta, HELPER_IDS.xdp_adjust_tail,
]);

/** Which helpers a map type may be passed to, and which map types a helper takes. */
const MAP_HELPERS: Record<string, readonly number[]> = {
  prog_array: [HELPER_IDS.tail_call],
  perf_event_array: [HELPER_IDS.perf_event_output],
  ringbuf: [HELPER_IDS.ringbuf_output, HELPER_IDS.ringbuf_reserve, HELPER_IDS.ringbuf_query],
  queue: [HELPER_IDS.map_push_elem, HELPER_IDS.map_pop_elem, HELPER_IDS.map_peek_elem],
  stack: [HELPER_IDS.map_push_elem, HELPER_IDS.map_pop_elem, HELPER_IDS.map_peek_elem],
  devmap: [HELPER_IDS.redirect_map, HELPER_IDS.map_lookup_elem],
  devmap_hash: [HELPER_IDS.redirect_map, HELPER_IDS.map_lookup_elem],
  cpumap: [HELPER_IDS.redirect_map],
  xskmap: [HELPER_IDS.redirect_map, HELPER_IDS.map_lookup_elem],
};
const HELPER_MAPS: Partial<Record<number, readonly string[]>> = {
  [HELPER_IDS.tail_call]: ['prog_array'],
  [HELPER_IDS.perf_event_output]: ['perf_event_array'],
  [HELPER_IDS.ringbuf_output]: ['ringbuf'],
  [HELPER_IDS.ringbuf_reserve]: ['ringbuf'],
  [HELPER_IDS.ringbuf_query]: ['ringbuf'],
  [HELPER_IDS.map_push_elem]: ['queue', 'stack'],
  [HELPER_IDS.map_pop_elem]: ['queue', 'stack'],
  [HELPER_IDS.map_peek_elem]: ['queue', 'stack'],
  [HELPER_IDS.redirect_map]: ['devmap', 'devmap_hash', 'cpumap', 'xskmap'],
};

function checkMapCompatible(env: VerifierEnv, def: HelperDef, map: MapInfo, pc: number): void {
  const allowedHelpers = MAP_HELPERS[map.type];
  const allowedMaps = HELPER_MAPS[def.id];
  if ((allowedHelpers && !allowedHelpers.includes(def.id)) || (allowedMaps && !allowedMaps.includes(map.type))) {
    const typeId = MAP_TYPES[map.type as keyof typeof MAP_TYPES];
    env.fail('MAP_HELPER_MISMATCH', `cannot pass map_type ${typeId} into func bpf_${def.name}#${def.id}`, pc);
  }
}

/** Memory a helper reads (or writes) through register `r`, `size` bytes of it. */
function checkMemoryArgument(env: VerifierEnv, state: State, r: number, size: Reg | number, write: boolean, zeroOk: boolean, pc: number): void {
  const reg = currentFrame(state).regs[r];
  let bytes: number;
  if (typeof size === 'number') bytes = size;
  else {
    const n = size.var;
    const sizeReg = r + 1;
    if (size.kind !== 'scalar') env.fail('HELPER_ARG_TYPE', `R${sizeReg} type=${kindName(size)} expected=scalar`, pc);
    if (n.smin < 0n) env.fail('NEGATIVE_SIZE', `R${sizeReg} min value is negative, either use unsigned or 'var &= const'`, pc);
    // A size that may be 0 is refused where the helper wants at least one byte (the
    // kernel's check_mem_size_reg tests umin before the upper bound): x & 63 may be 0.
    if (n.umin === 0n && !zeroOk) env.fail('ZERO_SIZE', `R${sizeReg} invalid zero-sized read: u64=[${n.umin},${n.umax}]`, pc);
    if (n.umax >= 1n << 29n) env.fail('UNBOUNDED_SIZE', `R${sizeReg} unbounded memory access, use 'var &= const' or 'if (var < const)'`, pc);
    if (n.umax === 0n) return;
    bytes = Number(n.umax);
  }
  if (reg.kind === 'scalar' && env.checked) {
    // A raw program's input: the helper checks it at run time; what it writes may be the stack.
    if (write) forgetStack(state);
    return;
  }
  if (reg.kind === 'ctx' || (reg.kind !== 'stack' && !isPacketPointer(reg) && reg.kind !== 'map_value' && reg.kind !== 'mem')) {
    env.fail('HELPER_ARG_TYPE', `R${r} type=${kindName(reg)} expected=fp, pkt, pkt_meta, map_key, map_value, mem`, pc);
  }
  // Byte by byte as 1-byte accesses: the object's bounds, and (reading the stack) initialised bytes.
  for (let i = 0; i < bytes; i++) {
    try {
      access(env, state, r, i, 1, write, undefined, false, pc);
    } catch (e) {
      if (reg.kind === 'stack' && !write) {
        env.fail('UNINIT_STACK', `invalid indirect read from stack R${r} off ${reg.off}+${i} size ${bytes}`, pc);
      }
      throw e;
    }
  }
}

/** The helper call at `pc` (not bpf_loop or tail calls' control flow, which the verifier handles). */
export function checkHelperCall(env: VerifierEnv, state: State, def: HelperDef, pc: number): void {
  const frame = currentFrame(state);
  const args = def.proto.args.slice(0, 5);
  let map: MapInfo | undefined;
  const sizeOf = (i: number) => (args[i + 1] === 'const_size' || args[i + 1] === 'const_size_or_zero' ? frame.regs[i + 2] : undefined);
  args.forEach((kind: ArgKind, i) => {
    const r = i + 1;
    if (kind === 'unchecked') return;
    const reg = readReg(env, frame, r, pc);
    const expect = (ok: boolean, expected: string) => {
      if (!ok) env.fail('HELPER_ARG_TYPE', `R${r} type=${kindName(reg)} expected=${expected}`, pc);
    };
    switch (kind) {
      case 'anything': case 'const_size': case 'const_size_or_zero': return;
      case 'const_map_ptr':
        expect(reg.kind === 'map_ptr', 'map_ptr');
        map = reg.map!;
        checkMapCompatible(env, def, map, pc);
        return;
      case 'ptr_to_map_key': case 'ptr_to_map_value': case 'ptr_to_uninit_map_value': {
        if (map === undefined) env.fail('HELPER_ARG_TYPE', `invalid map_ptr to access map->${kind === 'ptr_to_map_key' ? 'key' : 'value'}`, pc);
        const size = kind === 'ptr_to_map_key' ? map.keySize : map.valueSize;
        checkMemoryArgument(env, state, r, size, kind === 'ptr_to_uninit_map_value', false, pc);
        return;
      }
      case 'ptr_to_mem': case 'ptr_to_uninit_mem': {
        const size = sizeOf(i);
        if (size === undefined) return;
        if (reg.kind === 'scalar' && constantOf(reg.var) === 0n && constantOf(size.var) === 0n) return; // NULL, 0 bytes
        checkMemoryArgument(env, state, r, size, kind === 'ptr_to_uninit_mem', args[i + 1] === 'const_size_or_zero', pc);
        return;
      }
      case 'ptr_to_ctx':
        if (env.checked && reg.kind === 'scalar') return;
        expect(reg.kind === 'ctx' && reg.off === 0, 'ctx');
        return;
      case 'ptr_to_func': expect(reg.kind === 'func', 'func'); return;
      case 'ptr_to_stack':
        expect(reg.kind === 'stack' || (reg.kind === 'scalar' && constantOf(reg.var) === 0n) || env.checked, 'fp');
        return;
      case 'const_alloc_size_or_zero':
        expect(reg.kind === 'scalar' && constantOf(reg.var) !== undefined, 'scalar (a known size)');
        return;
      case 'ptr_to_alloc_mem': {
        expect(reg.kind === 'mem' && !reg.orNull && reg.refId !== 0, 'ringbuf_mem');
        if (reg.off !== 0 || constantOf(reg.var) !== 0n) env.fail('HELPER_ARG_TYPE', `R${r} must have zero offset when passed to release func`, pc);
        release(state, reg.refId);
        return;
      }
      case 'ptr_to_const_str':
        expect(reg.kind === 'map_value' && reg.map?.readonly === true, 'map_value (read-only)');
        return;
    }
  });
  const changesPacket = CHANGES_PACKET.has(def.id);
  const result = resultOf(env, state, def, map, frame.regs, pc);
  for (let r = 1; r <= 5; r++) frame.regs[r] = NOT_INIT;
  frame.regs[0] = result;
  if (changesPacket) invalidatePacketPointers(state);
}

function resultOf(env: VerifierEnv, state: State, def: HelperDef, map: MapInfo | undefined, regs: Reg[], pc: number): Reg {
  switch (def.proto.ret) {
    case 'void': return NOT_INIT;
    case 'ptr_to_map_value_or_null': {
      // An array's entry under a constant key below max_entries always exists (the kernel
      // 6.x const-key lookup): no NULL check needed.
      const key = def.id === HELPER_IDS.map_lookup_elem && map && ARRAYS.has(map.type) ? constantKey(state, regs[2], map.keySize) : undefined;
      if (key !== undefined && map && key < BigInt(map.maxEntries)) return pointerReg('map_value', { map });
      return pointerReg('map_value', { orNull: true, id: env.newId(), map });
    }
    case 'ptr_to_alloc_mem_or_null': {
      const size = Number(constantOf(regs[def.proto.args.indexOf('const_alloc_size_or_zero') + 1].var) ?? 0n);
      const id = env.newId();
      state.refs.push({ id, pc });
      return pointerReg('mem', { orNull: true, id, refId: id, size });
    }
    default:
      return def.id === HELPER_IDS.get_smp_processor_id ? scalarReg({ ...UNKNOWN, umax: 0xffff_ffffn }) : UNKNOWN_SCALAR;
  }
}

const ARRAYS = new Set(['array', 'percpu_array']);

/**
 * The key at a stack pointer if the stack holds a known number there (the kernel's
 * get_constant_map_key): zeroed bytes from the key's start to within its 8-byte slot, or
 * a constant spilled at the key's start of exactly the key's size. `stdw [r10-8], 0`
 * under a 4-byte key is an 8-byte spill, so that key is not known.
 */
function constantKey(state: State, pointer: Reg, size: number): bigint | undefined {
  const offset = constantOf(pointer.var);
  if (pointer.kind !== 'stack' || offset === undefined) return undefined;
  const frame = state.frames[pointer.frame];
  const start = STACK_FRAME_SIZE + pointer.off + Number(offset);
  if (start < 0 || start + size > STACK_FRAME_SIZE) return undefined;
  const slotEnd = (start & ~7) + 8;
  const bytes = frame.bytes.subarray(start, start + size);
  if (start + size <= slotEnd && bytes.every((b) => b === Byte.Zero)) return 0n;
  const spill = frame.spills[start >> 3];
  if (spill?.kind !== 'scalar' || (start & 7) !== 0) return undefined;
  let spillSize = 0;
  while (spillSize < 8 && frame.bytes[start + spillSize] === Byte.Spill) spillSize++;
  const value = spillSize === size ? constantOf(spill.var) : undefined;
  return value === undefined ? undefined : BigInt.asUintN(size * 8, value);
}

function release(state: State, refId: number): void {
  const at = state.refs.findIndex((ref) => ref.id === refId);
  if (at >= 0) state.refs.splice(at, 1);
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => { if (reg.refId === refId) f.regs[i] = UNKNOWN_SCALAR; });
    f.spills.forEach((reg, i) => { if (reg?.refId === refId) setSpill(f, i, UNKNOWN_SCALAR); });
  }
}

/** After helper `id`, if it may move packet data: packet pointers are gone. */
export function invalidatePacketPointersIfMoved(state: State, id: number): void {
  if (CHANGES_PACKET.has(id)) invalidatePacketPointers(state);
}

/** After a helper that may move packet data: no packet pointer survives (the kernel's clear_all_pkt_pointers). */
function invalidatePacketPointers(state: State): void {
  const scalarIfPacket = (reg: Reg) => (isPacketPointer(reg) || reg.kind === 'packet_end' ? UNKNOWN_SCALAR : reg);
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => { f.regs[i] = scalarIfPacket(reg); });
    f.spills.forEach((reg, i) => { if (reg) setSpill(f, i, scalarIfPacket(reg)); });
  }
}
