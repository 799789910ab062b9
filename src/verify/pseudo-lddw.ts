import { CODE_POINTER_TAG } from '../abi/layout.js';
import { funcPointerTarget, lddwValue, type Insn } from '../decode/insn.js';
import { VerifierError } from '../errors.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * The value an lddw loads, with its pseudo loads resolved against a runtime's maps, the
 * way the kernel's verifier rewrites them at load time (resolve_pseudo_ldimm64):
 *
 *   src 0 imm64          the 64-bit constant
 *   src 1 map_fd         imm = map fd              -> the map's descriptor address (the map pointer helpers take)
 *   src 2 map_value      imm = fd, imm2 = offset   -> address of the value of a single-entry array + offset
 *   src 4 func           imm = pc offset           -> CODE_POINTER_TAG | target pc (for callx)
 *   src 5 map_idx        imm = index into the program's `maps` option      -> as map_fd
 *   src 6 map_idx_value  imm = index, imm2 = offset                         -> as map_value
 *   src 3 btf_id         (kernel BTF objects)      -> UNRESOLVED_PSEUDO
 *
 * map_value is the access to global variables: libbpf turns `.data`, `.rodata` and
 * `.bss` into single-entry array maps. As in the kernel (array_map_direct_value_addr),
 * only an array map with max_entries 1 qualifies, and the offset must be inside its value.
 *
 * The load stage (load-stage.ts) calls this for every lddw, so both engines load the same
 * values and fail the same way: a `VerifierError` with a stable code and the pc.
 */
export type LddwResolver = (insn: Insn) => bigint;

export interface PseudoMaps {
  /** The runtime whose maps `map_fd` names (none: every map reference is UNKNOWN_MAP). */
  readonly runtime?: Runtime;
  /** The program's map array for map_idx / map_idx_value (the kernel's fd_array). */
  readonly maps?: readonly BpfMap[];
}

export function lddwResolver(source: PseudoMaps): LddwResolver {
  const { runtime, maps } = source;

  const mapByFd = (insn: Insn): BpfMap => {
    const fd = insn.imm;
    const map = runtime?.maps.get(fd);
    if (map === undefined) throw new VerifierError('UNKNOWN_MAP', `lddw refers to map fd ${fd}, which this runtime does not have`, insn.pc);
    return map;
  };

  const mapByIndex = (insn: Insn): BpfMap => {
    const index = insn.imm;
    const map = maps?.[index];
    if (map === undefined) {
      const have = maps === undefined ? 'no maps option was given' : `the maps option has ${maps.length}`;
      throw new VerifierError('UNKNOWN_MAP', `lddw refers to map index ${index}, but ${have}`, insn.pc);
    }
    if (map.runtime !== runtime) throw new VerifierError('UNKNOWN_MAP', `map index ${index} (${map.describe()}) belongs to another runtime`, insn.pc);
    return map;
  };

  const valueAddress = (insn: Insn, map: BpfMap): bigint => {
    const offset = insn.imm2 >>> 0;
    if (map.type !== 'array' || map.maxEntries !== 1) {
      throw new VerifierError('BAD_MAP_VALUE', `direct value access needs a single-entry array map, not ${map.describe()}`, insn.pc);
    }
    if (offset >= map.valueSize) {
      throw new VerifierError('BAD_MAP_VALUE', `offset ${offset} is outside the ${map.valueSize}-byte value of ${map.describe()}`, insn.pc);
    }
    return BigInt(map.valueAddress(new Uint8Array(4))! + offset);
  };

  return (insn: Insn): bigint => {
    const sem = insn.spec.sem;
    if (sem.kind !== 'lddw') throw new Error(`lddwResolver called on ${insn.spec.mnemonic}`);
    switch (sem.pseudo) {
      case 'imm64': return lddwValue(insn);
      case 'func': return CODE_POINTER_TAG | BigInt(funcPointerTarget(insn));
      case 'map_fd': return BigInt(mapByFd(insn).address);
      case 'map_value': return valueAddress(insn, mapByFd(insn));
      case 'map_idx': return BigInt(mapByIndex(insn).address);
      case 'map_idx_value': return valueAddress(insn, mapByIndex(insn));
      case 'btf_id':
        throw new VerifierError('UNRESOLVED_PSEUDO', 'lddw btf_id needs kernel BTF objects, which this runtime does not have', insn.pc);
    }
  };
}
