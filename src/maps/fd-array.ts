import { checkBytes } from '../arguments.js';

/**
 * array_map_get_next_key for the maps whose elements live on the host (prog_array,
 * perf_event_array): index 0 after none or an out-of-range index, undefined after the
 * last, else index + 1. Keys are u32 (little-endian).
 */
export function fdArrayNextKey(key: Uint8Array | undefined, maxEntries: number, describe: string): Uint8Array | undefined {
  let index = 0xffff_ffff;
  if (key !== undefined) {
    checkBytes(`nextKey on ${describe}: key`, key, 4);
    index = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
  const next = index >= maxEntries ? 0 : index === maxEntries - 1 ? undefined : index + 1;
  if (next === undefined) return undefined;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next, true);
  return out;
}
