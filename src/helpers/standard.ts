import { mapHelpers } from './map-helpers.js';
import { HelperRegistry } from './registry.js';

/**
 * The kernel-standard helpers, by their kernel ids: what a runtime gets when it is
 * created without explicit helpers. (ubpf's test helpers reuse some of these ids for
 * other functions; the conformance runner passes those explicitly.)
 */
export function standardHelpers(): HelperRegistry {
  return new HelperRegistry(mapHelpers());
}
