import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import { processTitle } from '../host.js';
import type { HelperDef } from './registry.js';

/**
 * The helpers tracing programs (kprobe, tracepoint) use to read about the task they run
 * in, and memory by address. Here the task is the Node process and "kernel memory" is
 * the runtime's memory: an address a program may read gives its bytes, any other fails.
 */

const TRACING_TYPES = ['kprobe', 'tracepoint'] as const;
/** TASK_COMM_LEN: the kernel keeps 16 bytes of a task's name, NUL-terminated. */
const TASK_COMM_LEN = 16;

/**
 * long bpf_get_current_comm(buf, size): the task's name (process.title, "node" unless
 * the process renamed itself) NUL-terminated and truncated to size - 1; the rest of buf
 * is zeroed, as the kernel's strscpy_pad does.
 */
const GET_CURRENT_COMM: HelperDef = {
  id: HELPER_IDS.get_current_comm,
  name: 'get_current_comm',
  proto: { args: ['ptr_to_uninit_mem', 'const_size'], ret: 'integer' },
  programTypes: TRACING_TYPES,
  impl: (buf, size, _3, _4, _5, env) => {
    const target = env.runtime.view(buf, Number(size), env.pc, true);
    const name = new TextEncoder().encode(processTitle).subarray(0, Math.min(TASK_COMM_LEN, Number(size)) - 1);
    target.fill(0);
    target.set(name);
    return 0n;
  },
};

/**
 * long bpf_probe_read_kernel(dst, size, unsafe_ptr): size bytes from any address; an
 * address that is not readable memory of this runtime zeroes dst and gives -EFAULT, as a
 * fault does in the kernel. Reads never reach the maps' bookkeeping (isAccessible).
 */
const PROBE_READ_KERNEL: HelperDef = {
  id: HELPER_IDS.probe_read_kernel,
  name: 'probe_read_kernel',
  proto: { args: ['ptr_to_uninit_mem', 'const_size_or_zero', 'anything'], ret: 'integer' },
  programTypes: TRACING_TYPES,
  impl: (dst, size, from, _4, _5, env) => {
    const length = Number(size);
    const target = env.runtime.view(dst, length, env.pc, true);
    if (length === 0) return 0n;
    if (from > 0xffff_ffffn || !env.runtime.isAccessible(Number(from), length, false)) {
      target.fill(0);
      return negErrno(ERRNO.EFAULT);
    }
    target.set(env.runtime.bytes().subarray(Number(from), Number(from) + length));
    return 0n;
  },
};

export const TRACING_HELPERS: readonly HelperDef[] = [GET_CURRENT_COMM, PROBE_READ_KERNEL];
