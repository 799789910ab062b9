// node examples/syscount.mjs [--engine interp]
//
// Run syscount.bpf.o once per synthetic system call, then print the most frequent
// system calls from the program's hash map, the way bcc's syscount does.
import { u32, u64 } from 'ebpf-wasm';
import { loadExample } from './common.mjs';
import { SYSCALLS, syscallEvents } from './workload.mjs';

const EVENTS = 20_000;
const TOP = 10;

const object = loadExample('syscount');
const countSyscall = object.program('count_syscall');

// The context is struct syscall_event { __u64 common; __u32 pid; __u32 nr; }.
const ctx = new Uint8Array(16);
const fields = new DataView(ctx.buffer);
for (const { pid, nr } of syscallEvents(EVENTS)) {
  fields.setUint32(8, pid, true);
  fields.setUint32(12, nr, true);
  countSyscall(ctx);
}

// The map, read through a typed view: key __u32 (syscall number), value __u64 (count).
const counts = [...object.maps.get('counts').view(u32, u64)];
counts.sort(([nrA, a], [nrB, b]) => (a === b ? nrA - nrB : a < b ? 1 : -1));
const names = new Map(SYSCALLS.map((s) => [s.nr, s.name]));

console.log(`Traced ${EVENTS} system calls; the top ${TOP} of ${counts.length}:`);
console.log(`${'SYSCALL'.padEnd(22)} ${'COUNT'.padStart(8)}`);
for (const [nr, count] of counts.slice(0, TOP)) {
  console.log(`${(names.get(nr) ?? `[${nr}]`).padEnd(22)} ${String(count).padStart(8)}`);
}
