import { HELPER_IDS } from '../abi/kernel-ids.js';
import { monotonicNs, processId } from '../host.js';
import type { HelperDef } from './registry.js';

/**
 * Helpers that read the machine: clocks, randomness, CPU and process ids. They take no
 * arguments and return an integer.
 */
const noArgs = { args: [], ret: 'integer' } as const;

/** bpf_ktime_get_ns: monotonic nanoseconds (CLOCK_MONOTONIC, via process.hrtime; host.ts). */
const ktimeGetNs: HelperDef = {
  id: HELPER_IDS.ktime_get_ns, name: 'ktime_get_ns', proto: noArgs,
  impl: monotonicNs,
};

/**
 * bpf_ktime_get_boot_ns: like ktime_get_ns but counting suspend time (CLOCK_BOOTTIME).
 * Node exposes no boot clock; a process that runs is not suspended, so the monotonic
 * clock is a faithful stand-in for time measured within a run.
 */
const ktimeGetBootNs: HelperDef = {
  id: HELPER_IDS.ktime_get_boot_ns, name: 'ktime_get_boot_ns', proto: noArgs,
  impl: monotonicNs,
};

/** bpf_get_prandom_u32: the runtime's seeded PRNG, so runs can be reproduced. */
const getPrandomU32: HelperDef = {
  id: HELPER_IDS.get_prandom_u32, name: 'get_prandom_u32', proto: noArgs,
  impl: (_1, _2, _3, _4, _5, env) => env.runtime.nextRandomU32(),
};

/** bpf_get_smp_processor_id: the CPU the runtime says programs run on (per-CPU maps use it). */
const getSmpProcessorId: HelperDef = {
  id: HELPER_IDS.get_smp_processor_id, name: 'get_smp_processor_id', proto: noArgs,
  impl: (_1, _2, _3, _4, _5, env) => env.runtime.cpu,
};

/**
 * bpf_get_current_pid_tgid: tgid << 32 | pid. Node runs programs on its main thread,
 * whose thread id is the process id, so both halves are process.pid (0 outside Node).
 */
const PID_TGID = (BigInt(processId) << 32n) | BigInt(processId);
const getCurrentPidTgid: HelperDef = {
  id: HELPER_IDS.get_current_pid_tgid, name: 'get_current_pid_tgid', proto: noArgs,
  impl: () => PID_TGID,
};

/** Jiffies per second: CONFIG_HZ of the usual distribution kernels (250). */
const HZ = 250n;

/** bpf_jiffies64: the kernel's tick count, here the monotonic clock in ticks of 1/HZ s. */
const jiffies64: HelperDef = {
  id: HELPER_IDS.jiffies64, name: 'jiffies64', proto: noArgs,
  impl: () => monotonicNs() / (1_000_000_000n / HZ),
};

/** bpf_get_numa_node_id: the NUMA node the program runs on; a runtime is one node, 0. */
const getNumaNodeId: HelperDef = {
  id: HELPER_IDS.get_numa_node_id, name: 'get_numa_node_id', proto: noArgs,
  impl: () => 0n,
};

export const SYSTEM_HELPERS: readonly HelperDef[] = [ktimeGetNs, ktimeGetBootNs, getPrandomU32, getSmpProcessorId, getCurrentPidTgid, jiffies64, getNumaNodeId];
