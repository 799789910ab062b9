import { BPF_LOOP } from './loop.js';
import { HelperRegistry, type HelperDef } from './registry.js';
import { SYSTEM_HELPERS } from './system.js';
import { TRACE_PRINTK } from './trace-printk.js';

/** The kernel helpers we implement that need no maps. */
export const KERNEL_HELPERS: readonly HelperDef[] = [...SYSTEM_HELPERS, TRACE_PRINTK, BPF_LOOP];

/** A registry of the kernel-standard helpers, by their kernel ids. */
export function kernelHelpers(): HelperRegistry {
  return new HelperRegistry(KERNEL_HELPERS);
}
