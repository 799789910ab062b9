import { RuntimeTrap } from '../errors.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import type { HelperEnv } from './registry.js';

/**
 * A helper's map argument (what `lddw map_fd` loaded) as the runtime's map, checked the
 * way the maps module checks its own: BAD_MAP for a value that is no map of this runtime,
 * BAD_MAP_TYPE for a map the helper cannot take (the kernel's verifier refuses both).
 */
export function mapArgument(env: HelperEnv, map: bigint, accepts: (map: BpfMap) => boolean): BpfMap {
  const target = env.runtime.mapAt(map);
  if (target === undefined) throw new RuntimeTrap('BAD_MAP', `map argument 0x${map.toString(16)} is not a map of this runtime`, env.pc);
  if (!accepts(target)) throw new RuntimeTrap('BAD_MAP_TYPE', `helper cannot be used with ${target.describe()}`, env.pc);
  return target;
}

/** A perf_event_array map argument (bpf_perf_event_output). */
export function perfEventArray(env: HelperEnv, map: bigint): PerfEventArrayMap {
  return mapArgument(env, map, (m) => m instanceof PerfEventArrayMap) as PerfEventArrayMap;
}
