import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { kernelHelpers } from '../src/helpers/kernel.js';
import type { HelperRegistry } from '../src/helpers/registry.js';
import { HELPER_IDS } from '../src/abi/kernel-ids.js';
import { mapHelpers } from '../src/helpers/map-helpers.js';
import { ubpfTestHelpers } from '../src/helpers/ubpf-test.js';
import { u32 } from '../src/maps/codecs.js';
import { MAP_FLAGS } from '../src/maps/map-spec-check.js';
import type { BpfMap } from '../src/maps/bpf-map.js';
import type { RingBufMap } from '../src/maps/ringbuf-map.js';
import type { PerfEventArrayMap } from '../src/maps/perf-event-array.js';
import type { QueueStackMap } from '../src/maps/queue-stack-map.js';
import { Runtime } from '../src/runtime/runtime.js';
import { prepareProgram } from '../src/verify/load-stage.js';
import { differential, dump, ENGINES, run, trapAt, updateElem } from './support/maps.js';

const HEADER = '/usr/include/bpf/bpf_helper_defs.h';

describe('map helper definitions', () => {
  it.skipIf(!existsSync(HEADER))('ids and argument counts match libbpf\'s bpf_helper_defs.h', () => {
    const header = readFileSync(HEADER, 'utf8');
    for (const def of mapHelpers()) {
      const m = new RegExp(`\\(\\*bpf_${def.name}\\)\\(([^)]*)\\) = \\(void \\*\\) (\\d+);`).exec(header);
      expect(m, def.name).not.toBeNull();
      expect([def.name, Number(m![2])]).toEqual([def.name, def.id]);
      expect([def.name, m![1].split(',').length]).toEqual([def.name, def.proto.args.length]);
    }
  });

  it('every map helper has a kernel prototype; all but perf_event_output run in Wasm', () => {
    const defs = mapHelpers();
    expect(defs.map((d) => d.id)).toEqual([1, 2, 3, 25, 87, 88, 89, 130, 131, 132, 133, 134]);
    for (const def of defs) expect(HELPER_IDS[def.name as keyof typeof HELPER_IDS]).toBe(def.id);
    for (const def of defs) expect(def.proto.args.length).toBeGreaterThan(0);
    expect(defs.filter((d) => d.wasm === undefined).map((d) => d.name)).toEqual(['perf_event_output']);
    expect(defs.find((d) => d.id === 1)!.proto).toEqual({ args: ['const_map_ptr', 'ptr_to_map_key'], ret: 'ptr_to_map_value_or_null' });
  });

  it('programs get the kernel helpers by default; explicit registries (ubpf\'s, id 1 = memfrob) are kept', () => {
    const helpersOf = (runtime: Runtime, helpers?: HelperRegistry) => prepareProgram(assemble('exit'), { runtime, helpers }).helpers;
    expect(new Runtime().helpers).toBeUndefined();
    expect(helpersOf(new Runtime()).ids()).toEqual(kernelHelpers().ids());
    for (const id of Object.values(HELPER_IDS)) expect(helpersOf(new Runtime()).has(id)).toBe(true);
    expect(helpersOf(new Runtime({ helpers: ubpfTestHelpers() })).get(1)!.name).toBe('memfrob');
    expect(helpersOf(new Runtime({ helpers: ubpfTestHelpers() }), kernelHelpers()).get(1)!.name).toBe('map_lookup_elem');
  });
});

describe('map helpers trap on bad arguments, identically in both engines', () => {
  for (const engine of ENGINES) {
    it(`${engine}: BAD_MAP for a map argument that is no map, BAD_MAP_TYPE for the wrong type, OUT_OF_BOUNDS for a bad key`, () => {
      const rt = new Runtime();
      const h = rt.createMap({ type: 'hash', keySize: 8, valueSize: 8, maxEntries: 2 });
      const q = rt.createMap({ type: 'queue', keySize: 0, valueSize: 8, maxEntries: 2 });
      expect(trapAt(() => run(engine, 'mov %r1, 0\nmov %r2, %r10\ncall 1\nexit', rt))).toEqual(['BAD_MAP', 2]);
      expect(trapAt(() => run(engine, 'mov %r1, %r10\nadd %r1, -128\nmov %r2, %r10\ncall 1\nexit', rt))).toEqual(['BAD_MAP', 3]);
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${h.fd})\nadd %r1, 8\ncall 3\nexit`, rt))).toEqual(['BAD_MAP', 3]);
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${q.fd})\nmov %r2, %r10\nadd %r2, -8\ncall 1\nexit`, rt))).toEqual(['BAD_MAP_TYPE', 4]);
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${h.fd})\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 0\ncall 87\nexit`, rt))).toEqual(['BAD_MAP_TYPE', 5]);
      // The key must lie wholly inside accessible memory: r10 - 4 leaves 4 of its 8 bytes above the stack.
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${h.fd})\nmov %r2, %r10\nadd %r2, -4\ncall 1\nexit`, rt))).toEqual(['OUT_OF_BOUNDS', 4]);
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${h.fd})\nmov %r2, 16\ncall 3\nexit`, rt))).toEqual(['OUT_OF_BOUNDS', 3]);
      // Inside the input, but only as far as its current length.
      const input = new Uint8Array(12);
      expect(run(engine, `mov %r2, %r1\nadd %r2, 4\nlddw %r1, map_fd(${h.fd})\ncall 1\nexit`, rt, input)).toBe(0n);
      expect(trapAt(() => run(engine, `mov %r2, %r1\nadd %r2, 8\nlddw %r1, map_fd(${h.fd})\ncall 1\nexit`, rt, input))).toEqual(['OUT_OF_BOUNDS', 4]);
    });
  }
});

/** Dump any map: key/value maps by entries, queues by peeking, ring buffers and perf arrays by what they hold. */
function contents(maps: readonly BpfMap[]): unknown {
  return maps.map((m) => {
    if (m.type === 'queue' || m.type === 'stack') return (m as QueueStackMap).drain().map((v) => [...v]);
    if (m.type === 'ringbuf') return (m as RingBufMap).drain().map((v) => [...v]);
    if (m.type === 'perf_event_array') return (m as PerfEventArrayMap).drain().map((r) => [r.cpu, ...r.data]);
    return dump(m);
  });
}

describe('differential: both engines give the same r0 and map contents for programs using every map helper', () => {
  /** The maps, fds 1 to 7; programs run on the last CPU. */
  const setup = (rt: Runtime) => {
    rt.cpu = rt.cpus - 1;
    return maps(rt);
  };
  const maps = (rt: Runtime) => [
    rt.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 8, flags: MAP_FLAGS.ZERO_SEED }),
    rt.createMap({ type: 'lru_hash', keySize: 8, valueSize: 4, maxEntries: 3, flags: MAP_FLAGS.ZERO_SEED }),
    rt.createMap({ type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 4 }),
    rt.createMap({ type: 'queue', keySize: 0, valueSize: 8, maxEntries: 3 }),
    rt.createMap({ type: 'stack', keySize: 0, valueSize: 8, maxEntries: 3 }),
    rt.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }),
    rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 }),
  ];
  const [HASH, LRU, PERCPU, QUEUE, STACK, RINGBUF, PERF] = [1, 2, 3, 4, 5, 6, 7];

  /** r9 = r9 * 31 + r0: a checksum of every helper result. */
  const MIX = 'mul %r9, 31\n    add %r9, %r0';

  /** A loop of 40 steps; each step i updates, looks up and deletes map elements depending on i, accumulating results in r9. */
  const program = `
    mov %r6, 0                   # i
    mov %r9, 0
  loop:
    jge %r6, 40, done
    mov %r1, %r6                 # u32 key i % 11
    mod %r1, 11
    stxw [%r10-4], %r1
    stxdw [%r10-16], %r6         # u64 value i
    mov %r7, %r6
    and %r7, 3
    lddw %r1, map_fd(${HASH})    # update(hash, key, value, i & 3): ANY, NOEXIST, EXIST, EINVAL
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, %r7
    call 2
    ${MIX}
    lddw %r1, map_fd(${HASH})    # lookup(hash, key): add the value
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, looked
    ldxdw %r0, [%r0]
  looked:
    ${MIX}
    jne %r7, 3, lru
    lddw %r1, map_fd(${HASH})    # every 4th step: delete(hash, key)
    mov %r2, %r10
    add %r2, -4
    call 3
    ${MIX}
  lru:
    mov %r1, %r6                 # lru key i / 2 (u64), value i (u32)
    rsh %r1, 1
    stxdw [%r10-24], %r1
    stxw [%r10-28], %r6
    lddw %r1, map_fd(${LRU})
    mov %r2, %r10
    add %r2, -24
    mov %r3, %r10
    add %r3, -28
    mov %r4, 0
    call 2
    ${MIX}
    lddw %r1, map_fd(${LRU})
    mov %r2, %r10
    add %r2, -24
    call 1
    jeq %r0, 0, percpu
    ldxw %r0, [%r0]
    ${MIX}
  percpu:
    lddw %r1, map_fd(${PERCPU})  # percpu_array[i & 3] += i
    stxw [%r10-4], %r7
    mov %r2, %r10
    add %r2, -4
    call 1
    ldxdw %r1, [%r0]
    add %r1, %r6
    stxdw [%r0], %r1
    lddw %r1, map_fd(${QUEUE})   # push(queue, i, BPF_EXIST when i is odd)
    mov %r2, %r10
    add %r2, -16
    mov %r3, %r6
    and %r3, 1
    lsh %r3, 1
    call 87
    ${MIX}
    lddw %r1, map_fd(${STACK})   # push(stack, i), and pop every 3rd step
    mov %r2, %r10
    add %r2, -16
    mov %r3, 0
    call 87
    ${MIX}
    mov %r1, %r6
    mod %r1, 3
    jne %r1, 0, peek
    lddw %r1, map_fd(${STACK})
    mov %r2, %r10
    add %r2, -40
    call 88
    ${MIX}
    ldxdw %r0, [%r10-40]
    ${MIX}
  peek:
    lddw %r1, map_fd(${QUEUE})   # peek(queue)
    mov %r2, %r10
    add %r2, -40
    call 89
    ${MIX}
    ldxdw %r0, [%r10-40]
    ${MIX}
    lddw %r1, map_fd(${RINGBUF}) # ringbuf_output(i, 8 bytes) when i is even, else reserve + submit or discard
    mov %r2, %r6
    and %r2, 1
    jne %r2, 0, reserve
    mov %r2, %r10
    add %r2, -16
    mov %r3, 8
    mov %r4, 0
    call 130
    ${MIX}
    ja perf
  reserve:
    mov %r2, 12
    mov %r3, 0
    call 131
    jeq %r0, 0, perf
    stxw [%r0], %r6
    mov %r1, %r0
    mov %r2, 0
    mov %r3, %r6
    and %r3, 2
    jeq %r3, 0, submit
    call 133
    ja perf
  submit:
    call 132
  perf:
    lddw %r2, map_fd(${PERF})    # perf_event_output(ctx, map, BPF_F_CURRENT_CPU, &i, 8)
    lddw %r3, 0xffffffff
    mov %r4, %r10
    add %r4, -16
    mov %r5, 8
    call 25
    ${MIX}
    lddw %r1, map_fd(${RINGBUF}) # ringbuf_query(BPF_RB_AVAIL_DATA)
    mov %r2, 0
    call 134
    ${MIX}
    add %r6, 1
    ja loop
  done:
    mov %r0, %r9
    exit`;

  it('hash, lru_hash, percpu_array, queue, stack, ringbuf and perf_event_array', () => {
    const { interp, jit } = differential(() => program, setup, { cpus: 2, contents });
    expect(jit).toEqual(interp);
    // The program did what it meant to: something in every map.
    const maps = (interp as { maps: unknown[][] }).maps;
    for (const m of maps) expect(m.length).toBeGreaterThan(0);
    expect(typeof (interp as { result: unknown }).result).toBe('bigint');
  });

  it('a helper trap mid-way leaves the same r0-less error and the same map contents', () => {
    const trapping = `${updateElem(HASH, 1, 5)}
      lddw %r1, map_fd(${HASH})
      mov %r2, 8
      call 1
      exit`;
    const { interp, jit } = differential(() => trapping, setup, { contents });
    expect(jit).toEqual(interp);
    expect((interp as { result: unknown }).result).toEqual({ code: 'OUT_OF_BOUNDS', pc: 13 });
    expect((interp as { maps: unknown[] }).maps[0]).toEqual([`${Buffer.from(u32(1)).toString('hex')}=0500000000000000`]);
  });
});
