import type { ProgramType } from '../abi/program-types.js';
import { ElfError } from '../errors.js';

/**
 * A program's type from its SEC() name, as libbpf derives it (libbpf.c's section_defs,
 * matched the way sec_def_matches() does): `name+` is the name alone or followed by
 * `/anything`, `name/` needs something after the slash, a plain name must match exactly.
 * Types we do not run are listed too, so their programs fail by name instead of running
 * with the wrong context. `raw` (or `raw/anything`), and any section libbpf does not know,
 * loads as `raw` (ubpf's convention: r1 = the input, r2 = its length).
 */
const SECTIONS: readonly (readonly [string, ProgramType | undefined])[] = [
  ['raw+', 'raw'],
  ['socket', 'socket_filter'],
  ['xdp', 'xdp'], ['xdp.frags', 'xdp'], ['xdp/devmap', 'xdp'], ['xdp.frags/devmap', 'xdp'],
  ['xdp/cpumap', 'xdp'], ['xdp.frags/cpumap', 'xdp'],
  ['tc', 'sched_cls'], ['classifier', 'sched_cls'], ['tc/ingress', 'sched_cls'], ['tc/egress', 'sched_cls'],
  ['tcx/ingress', 'sched_cls'], ['tcx/egress', 'sched_cls'], ['netkit/primary', 'sched_cls'], ['netkit/peer', 'sched_cls'],
  ['kprobe+', 'kprobe'], ['kretprobe+', 'kprobe'], ['uprobe+', 'kprobe'], ['uretprobe+', 'kprobe'],
  ['uprobe.s+', 'kprobe'], ['uretprobe.s+', 'kprobe'], ['kprobe.multi+', 'kprobe'], ['kretprobe.multi+', 'kprobe'],
  ['uprobe.multi+', 'kprobe'], ['uretprobe.multi+', 'kprobe'], ['ksyscall+', 'kprobe'], ['kretsyscall+', 'kprobe'],
  ['usdt+', 'kprobe'], ['usdt.s+', 'kprobe'],
  ['tracepoint+', 'tracepoint'], ['tp+', 'tracepoint'],
  // Known to libbpf, not run here.
  ...['action', 'raw_tracepoint+', 'raw_tp+', 'raw_tracepoint.w+', 'raw_tp.w+', 'tp_btf+', 'fentry+', 'fmod_ret+',
    'fexit+', 'fentry.s+', 'fmod_ret.s+', 'fexit.s+', 'freplace+', 'lsm+', 'lsm.s+', 'lsm_cgroup+', 'iter+', 'iter.s+',
    'syscall', 'perf_event', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local', 'sockops', 'sk_skb/', 'sk_skb',
    'sk_msg', 'lirc_mode2', 'flow_dissector', 'cgroup_skb/', 'cgroup/', 'sk_lookup', 'sk_reuseport', 'sk_reuseport/migrate',
    'struct_ops+', 'struct_ops.s+', 'netfilter'].map((name) => [name, undefined] as const),
];

function matches(pattern: string, section: string): boolean {
  if (pattern.endsWith('/')) return section.startsWith(pattern) && section.length > pattern.length;
  if (pattern.endsWith('+')) {
    const name = pattern.slice(0, -1);
    return section === name || section.startsWith(`${name}/`);
  }
  return section === pattern;
}

/** The type of a program in section `section`; ElfError UNSUPPORTED_PROGRAM_TYPE for a type we do not run. */
export function programTypeOfSection(section: string): ProgramType {
  const known = SECTIONS.find(([pattern]) => matches(pattern, section));
  if (known === undefined) return 'raw';
  if (known[1] === undefined) {
    throw new ElfError('UNSUPPORTED_PROGRAM_TYPE',
      `section '${section}' is a program type libbpf knows (SEC("${known[0].replace(/\+$/, '')}")) that ebpf-wasm does not run; pass programType to load it as another`);
  }
  return known[1];
}
