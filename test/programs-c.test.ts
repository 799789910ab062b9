import { beforeAll, describe, expect, it } from 'vitest';
import { parseObject } from '../src/elf/object.js';
import { HELPER_IDS } from '../src/abi/kernel-ids.js';
import { KERNEL_HELPERS } from '../src/helpers/kernel.js';
import { u32, u64 } from '../src/maps/codecs.js';
import type { ProgArrayMap } from '../src/maps/prog-array.js';
import type { QueueStackMap } from '../src/maps/queue-stack-map.js';
import type { RingBufMap } from '../src/maps/ringbuf-map.js';
import { MAP_TYPES, REDIRECT_MAP_TYPES } from '../src/maps/types.js';
import { CPUS, expectAgreement, hex, objectBytes, pack, runBoth, struct, type Differential, type MapDump, type Session } from './support/programs-c.js';

/**
 * The C programs of test/fixtures/programs-c (sources and build.sh there), run in both
 * engines with the same inputs, CPUs and host-side map changes: r0, the input memory,
 * every map's contents and the trace must agree (support/programs-c.ts). Each program
 * also has its results computed here independently, so both engines being wrong the
 * same way fails too.
 */

const OBJECTS = ['flows', 'histogram', 'worklist', 'events', 'dispatch', 'loops', 'sampler'];

const neg = (errno: number) => BigInt.asUintN(64, BigInt(-errno));
const ENOENT = 2, E2BIG = 7, EINVAL = 22, EOPNOTSUPP = 95;

/**
 * Run `scenario` on `name`.o in both engines before the describe block's tests (as its
 * first test, require that they agree); returns the runs for the tests that follow.
 */
function differential(name: string, scenario: (s: Session) => void, mask?: (dump: Record<string, MapDump>) => Record<string, MapDump>): () => Differential {
  let d: Differential | undefined;
  beforeAll(() => {
    d = runBoth(name, scenario);
  });
  it('gives the same r0, input memory, maps and trace in both engines', () => expectAgreement(d!, mask));
  return () => d!;
}

/** The entries of a keyed dump as a Map from key hex to value hex. */
function entries(dump: MapDump): Map<string, string> {
  if (dump.type !== 'keyed') throw new Error(`not a keyed map dump: ${dump.type}`);
  return new Map(dump.entries);
}

describe('the C programs use every map type and every helper', () => {
  const parsed = OBJECTS.map((name) => parseObject(objectBytes(name)));

  it('every helper any program type may call is called by some program (the packet helpers: program-types-kernel.test.ts)', () => {
    const called = new Set<number>();
    for (const object of parsed) {
      for (const program of object.programs) {
        for (const insn of program.insns) {
          const sem = insn.spec.sem;
          if (sem.kind === 'call' && sem.target === 'helper') called.add(insn.imm);
        }
      }
    }
    const general = KERNEL_HELPERS.filter((def) => def.programTypes === undefined).map((def) => def.id);
    expect(general.length).toBeGreaterThan(15);
    const missing = Object.entries(HELPER_IDS).filter(([, id]) => general.includes(id) && !called.has(id)).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('every map type but the XDP redirect maps (program-types-kernel.test.ts) is defined by some object', () => {
    const types = new Set(parsed.flatMap((object) => object.maps.map((m) => m.type)));
    const general = Object.keys(MAP_TYPES).filter((t) => !(REDIRECT_MAP_TYPES as readonly string[]).includes(t));
    expect(general.filter((t) => !types.has(t as keyof typeof MAP_TYPES))).toEqual([]);
  });
});

// --- flows.c: hash, percpu_hash, lru_hash ---

interface Packet { saddr: number; daddr: number; sport: number; dport: number; proto: number; flags?: number; bytes: number }

const packet = (p: Packet) => pack([p.saddr, 4], [p.daddr, 4], [p.sport, 2], [p.dport, 2], [p.proto, 1], [p.flags ?? 0, 1], [0, 2], [p.bytes, 4]);
const flowKey = (p: Packet) => hex(pack([p.saddr, 4], [p.daddr, 4], [p.sport, 2], [p.dport, 2], [p.proto, 1], [0, 3]));
const FIN = 1;

/** flows.c in JS: hash of at most 4 flows, exact LRU of 3 sources (program lookups count as use), per-CPU bytes per protocol. */
function flowModel(packets: readonly { p: Packet; cpu: number }[]) {
  const flows = new Map<string, { packets: number; bytes: number; first: number; last: number }>();
  const sources: number[] = [];                    // least recently used first
  const sourceCount = new Map<number, number>();
  const protoBytes = new Map<number, number[]>();
  const r0: number[] = [];
  let seen = 0, closed = 0, dropped = 0;
  for (const { p, cpu } of packets) {
    const seq = ++seen;
    if (sourceCount.has(p.saddr)) {
      sources.splice(sources.indexOf(p.saddr), 1);
      sourceCount.set(p.saddr, sourceCount.get(p.saddr)! + 1);
    } else {
      if (sources.length === 3) sourceCount.delete(sources.shift()!);
      sourceCount.set(p.saddr, 1);
    }
    sources.push(p.saddr);
    const perCpu = protoBytes.get(p.proto) ?? Array<number>(CPUS).fill(0);
    perCpu[cpu] += p.bytes;
    protoBytes.set(p.proto, perCpu);
    const key = flowKey(p);
    let flow = flows.get(key);
    if (!flow) {
      if (flows.size === 4) {
        dropped++;
        r0.push(0);
        continue;
      }
      flow = { packets: 0, bytes: 0, first: seq, last: seq };
      flows.set(key, flow);
    }
    flow.packets++;
    flow.bytes += p.bytes;
    flow.last = seq;
    r0.push(flow.packets);
    if ((p.flags ?? 0) & FIN) {
      flows.delete(key);
      closed++;
    }
  }
  return { flows, sourceCount, protoBytes, r0, seen, closed, dropped };
}

describe('flows.c: a flow counter over hash, percpu_hash and lru_hash', () => {
  const A: Packet = { saddr: 0x0a000001, daddr: 0x0a0000ff, sport: 1000, dport: 80, proto: 6, bytes: 0 };
  const B: Packet = { saddr: 0x0a000002, daddr: 0x0a0000ff, sport: 1001, dport: 443, proto: 6, bytes: 0 };
  const C: Packet = { saddr: 0x0a000003, daddr: 0x08080808, sport: 5353, dport: 53, proto: 17, bytes: 0 };
  const D: Packet = { saddr: 0x0a000001, daddr: 0x0a0000fe, sport: 1002, dport: 22, proto: 6, bytes: 0 };
  const E: Packet = { saddr: 0x0a000004, daddr: 0x08080808, sport: 5354, dport: 53, proto: 17, bytes: 0 };
  const sent: [Packet, number, number?][] = [
    [A, 100], [B, 200], [A, 300], [C, 50], [D, 60],
    [E, 70],                                   // the table holds A, B, C, D: dropped
    [A, 10, FIN],                              // closes A
    [E, 80], [B, 20], [C, 30, FIN], [E, 90],
  ];
  const packets = sent.map(([p, bytes, flags], i) => ({ p: { ...p, bytes, flags }, cpu: i % CPUS }));

  const run = differential('flows', (s) => {
    for (const { p, cpu } of packets) s.run('count_packet', packet(p), cpu);
    s.run('count_packet', packet(A).subarray(0, 19), 1);   // too short: ignored
  });
  const model = flowModel(packets);

  it('returns each flow\'s packet count, 0 for the dropped and the short packet', () => {
    const s = run().jit;
    expect(s.log.map((r) => Number(r.r0))).toEqual([1, 1, 2, 1, 1, 0, 3, 1, 2, 2, 2, 0]);
    expect(s.log.map((r) => Number(r.r0))).toEqual([...model.r0, 0]);
  });

  it('leaves the open flows with their packets, bytes and first and last sequence numbers', () => {
    const { maps } = run();
    const expected = new Map([...model.flows].map(([k, f]) => [k, hex(pack([f.packets, 8], [f.bytes, 8], [f.first, 4], [f.last, 4]))]));
    expect([...model.flows.keys()]).toEqual([flowKey(B), flowKey(D), flowKey(E)]);
    expect(model.flows.get(flowKey(E))).toEqual({ packets: 2, bytes: 170, first: 8, last: 11 });
    expect(entries(maps.flows)).toEqual(expected);
  });

  it('counts bytes per protocol on the CPU that saw them', () => {
    const { maps } = run();
    expect(model.protoBytes).toEqual(new Map([[6, [490, 200]], [17, [90, 230]]]));
    const expected = new Map([...model.protoBytes].map(([proto, perCpu]) => [hex(u32(proto)), hex(pack(...perCpu.map((b) => [b, 8] as const)))]));
    expect(entries(maps.proto_bytes)).toEqual(expected);
  });

  it('keeps the three most recently used sources', () => {
    const { maps } = run();
    expect(model.sourceCount).toEqual(new Map([[B.saddr, 1], [C.saddr, 1], [E.saddr, 3]]));
    const expected = new Map([...model.sourceCount].map(([src, n]) => [hex(u32(src)), hex(u64(n))]));
    expect(entries(maps.recent_src)).toEqual(expected);
  });

  it('counts in global variables and reads its setting from .rodata', () => {
    const s = run().jit;
    expect([s.global('packets_seen'), s.global('flows_closed'), s.global('packets_dropped')]).toEqual([11n, 2n, 1n]);
    expect([model.seen, model.closed, model.dropped]).toEqual([11, 2, 1]);
    expect(s.global('fin_flag')).toBe(1n);
  });
});

// --- histogram.c: array, percpu_array, .data setting ---

const log2 = (v: number) => (v <= 1 ? 0 : 31 - Math.clz32(v));
const samples = (...values: number[]) => pack(...values.map((v) => [v, 4] as const));

describe('histogram.c: a log2 histogram in an array and per-CPU statistics in a percpu_array', () => {
  const batches: [number[], number][] = [
    [[0, 1, 2, 3, 4, 7, 8, 1000, 65535, 65536, 0xffffffff], 0],
    [[5, 6, 100, 100, 1 << 20], 1],
    [[9, 10, 11, 12, 13], 1],                 // after the host lowers max_samples to 3
    [[], 0],
  ];
  const MAX_AFTER = 3;
  const run = differential('histogram', (s) => {
    batches.forEach(([values, cpu], i) => {
      if (i === 2) s.setGlobal('max_samples', u32(MAX_AFTER));
      s.run('record_samples', samples(...values), cpu);
    });
    s.run('histogram_total');
    s.run('histogram_total', u32(6));
    s.run('histogram_total', u32(0xffffffff));
    s.run('histogram_total', u32(40));          // no such bucket: the total
  });

  const recorded = batches.map(([values], i) => values.slice(0, i >= 2 ? MAX_AFTER : 32));
  const buckets = Array<number>(32).fill(0);
  for (const v of recorded.flat()) buckets[log2(v)]++;
  const total = buckets.reduce((sum, n, b) => sum + b * n, 0);

  it('records every sample up to max_samples and answers histogram queries', () => {
    const s = run().jit;
    expect(recorded.map((r) => r.length)).toEqual([11, 5, 3, 0]);
    expect(s.log.map((r) => r.r0)).toEqual([
      ...recorded.map((r) => BigInt(r.length)),
      BigInt(total), BigInt(buckets[6]), BigInt(buckets.filter((n) => n > 0).length), BigInt(total),
    ]);
    expect(buckets[6]).toBe(2);                  // 100, 100
  });

  it('leaves the histogram in the array map', () => {
    const { maps } = run();
    expect(entries(maps.latency_log2)).toEqual(new Map(buckets.map((n, b) => [hex(u32(b)), hex(u64(n))])));
  });

  it('keeps count, sum, min and max per CPU', () => {
    const { jit: s, maps } = run();
    const stats = [0, 1].map((cpu) => {
      const values = recorded.filter((_, i) => batches[i][1] === cpu).flat();
      return [values.length, values.reduce((a, b) => a + b, 0), Math.min(...values), Math.max(...values)];
    });
    expect(stats).toEqual([[11, 0 + 1 + 2 + 3 + 4 + 7 + 8 + 1000 + 65535 + 65536 + 0xffffffff, 0, 0xffffffff], [8, 5 + 6 + 100 + 100 + (1 << 20) + 9 + 10 + 11, 5, 1 << 20]]);
    const value = hex(pack(...stats.flat().map((v) => [v, 8] as const)));
    expect(entries(maps.cpu_stats)).toEqual(new Map([[hex(u32(0)), value]]));
    expect(s.global('runs')).toBe(4n);
    expect(s.global('max_samples')).toBe(3n);
  });
});

// --- worklist.c: queue and stack ---

const OP = { SUBMIT: 1, RUN: 2, PEEK: 3, UNDO: 4, LAST: 5, REQUEUE: 6 } as const;
type Command = [op: number, arg?: number];
const commands = (...cmds: Command[]) => pack(...cmds.flatMap(([op, arg = 0]) => [[op, 1], [0, 3], [arg, 4]] as const));

/** worklist.c in JS: queue of 4 {id, priority}, stack of 4 ids that drops its oldest when full. */
function worklistModel() {
  const tasks: { id: number; priority: number }[] = [];
  const history: number[] = [];                   // oldest first
  const counters = { submitted: 0, rejected: 0, completed: 0 };
  const mix = (acc: bigint, x: number | bigint) => BigInt.asUintN(64, acc * 31n + BigInt.asUintN(64, BigInt(x)));
  const taskWord = (t?: { id: number; priority: number }) => (t ? (BigInt(t.id) << 8n) | BigInt(t.priority) : 0n);
  const run = (cmds: Command[]) => {
    let acc = 0n;
    for (const [op, arg = 0] of cmds.slice(0, 16)) {
      if (op === OP.SUBMIT) {
        if (tasks.length === 4) {
          counters.rejected++;
          acc = mix(acc, -E2BIG);
        } else {
          tasks.push({ id: arg, priority: arg % 4 });
          counters.submitted++;
          if (history.length === 4) history.shift();
          history.push(arg);
          acc = mix(acc, 0);
        }
      } else if (op === OP.RUN || op === OP.PEEK) {
        const t = op === OP.RUN ? tasks.shift() : tasks[0];
        if (t && op === OP.RUN) counters.completed++;
        acc = mix(mix(acc, t ? 0 : -ENOENT), taskWord(t));
      } else if (op === OP.UNDO || op === OP.LAST) {
        const id = op === OP.UNDO ? history.pop() : history.at(-1);
        acc = mix(mix(acc, id === undefined ? -ENOENT : 0), id ?? 0);
      } else if (op === OP.REQUEUE) {
        const t = tasks.shift();
        if (t) tasks.push({ id: t.id, priority: t.priority + 1 });
        acc = mix(acc, t ? 0 : -ENOENT);
      } else {
        acc = mix(acc, 0xff);
      }
    }
    return acc;
  };
  return { tasks, history, counters, run };
}

describe('worklist.c: a work list over a queue and a stack', () => {
  const batches: Command[][] = [
    [[OP.PEEK], [OP.RUN], [OP.UNDO], [OP.SUBMIT, 10], [OP.SUBMIT, 11], [OP.SUBMIT, 12], [OP.PEEK], [OP.LAST]],
    // the host queues task 99 before this batch
    [[OP.SUBMIT, 13], [OP.SUBMIT, 14], [OP.RUN], [OP.REQUEUE], [OP.SUBMIT, 15], [OP.UNDO], [OP.LAST], [9]],
    // 17 commands: the program stops after 16
    [[OP.RUN], [OP.RUN], [OP.SUBMIT, 16], [OP.SUBMIT, 17], [OP.SUBMIT, 18], [OP.SUBMIT, 19], [OP.RUN], [OP.UNDO], [OP.UNDO],
      [OP.PEEK], [OP.LAST], [OP.REQUEUE], [OP.REQUEUE], [OP.SUBMIT, 20], [OP.SUBMIT, 21], [OP.UNDO], [OP.RUN]],
  ];
  const HOST_TASK = { id: 99, priority: 3 };
  const run = differential('worklist', (s) => {
    batches.forEach((cmds, i) => {
      if (i === 1) s.map<QueueStackMap>('tasks').push(pack([HOST_TASK.id, 4], [HOST_TASK.priority, 4]));
      s.run('process_commands', commands(...cmds), i % CPUS);
      s.notes.push(s.map<QueueStackMap>('tasks').peek());
    });
  });
  const model = worklistModel();
  const r0 = batches.map((cmds, i) => {
    if (i === 1) model.tasks.push(HOST_TASK);
    return model.run(cmds);
  });

  it('returns the checksum of what every command saw', () => {
    const s = run().jit;
    expect(s.log.map((r) => r.r0)).toEqual(r0);
    // The first batch by hand: peek and run on the empty queue fail, undo on the empty stack fails.
    // (peek, run, undo: -ENOENT and 0 each; three pushes: 0; peek: 0 and task 10; last: 0 and id 12)
    const mix = (acc: bigint, x: bigint) => BigInt.asUintN(64, acc * 31n + x);
    let acc = 0n;
    for (const x of [neg(ENOENT), 0n, neg(ENOENT), 0n, neg(ENOENT), 0n, 0n, 0n, 0n, 0n, (10n << 8n) | 2n, 0n, 12n]) acc = mix(acc, x);
    expect(s.log[0].r0).toBe(acc);
  });

  it('leaves the queue in FIFO and the stack in LIFO order', () => {
    const { jit: s, maps } = run();
    const task = (t: { id: number; priority: number }) => hex(pack([t.id, 4], [t.priority, 4]));
    expect(model.tasks).toEqual([{ id: 17, priority: 1 }, { id: 15, priority: 4 }, { id: 16, priority: 1 }, { id: 20, priority: 0 }]);
    expect(model.history).toEqual([11, 12]);     // 10 was dropped when 17 was pushed onto a full stack
    expect(maps.tasks).toEqual({ type: 'fifo', values: model.tasks.map(task) });
    expect(maps.history).toEqual({ type: 'fifo', values: [...model.history].reverse().map((id) => hex(u64(id))) });
    expect([s.global('submitted'), s.global('rejected'), s.global('completed')]).toEqual(
      [model.counters.submitted, model.counters.rejected, model.counters.completed].map(BigInt));
    expect(model.counters.rejected).toBeGreaterThan(0);
  });
});

// --- events.c: ringbuf and perf_event_array ---

const KIND = { SUBMIT: 0, DISCARD: 1, OUTPUT: 2, PERF: 3, HUGE: 4, PERF_TO: 5 } as const;
const PAYLOAD = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const request = (kind: number, value = 0, size = 0) => Uint8Array.from([...pack([kind, 4], [value, 4], [size, 4], [0, 4]), ...PAYLOAD]);
const event = (seq: number, cpu: number, kind: number, value: number) => hex(Uint8Array.from([...pack([seq, 4], [cpu, 4], [kind, 4], [value, 4]), ...PAYLOAD.subarray(0, 8)]));

describe('events.c: an event emitter over a ring buffer and a perf event array', () => {
  const steps: [kind: number, value: number, size: number, cpu: number][] = [
    [KIND.SUBMIT, 1, 0, 0],
    [KIND.DISCARD, 2, 0, 1],
    [KIND.OUTPUT, 3, 5, 0],
    [KIND.PERF, 4, 0, 1],
    [KIND.PERF_TO, 0, 0, 1],                  // another CPU's buffer: -EOPNOTSUPP
    [KIND.PERF_TO, 2, 0, 0],                  // beyond max_entries (one per CPU): -E2BIG
    [KIND.PERF_TO, 0, 0, 0],                  // this CPU's buffer
    [KIND.HUGE, 0, 0, 1],                     // larger than the ring: no record
    // the host drains the ring buffer here
    [KIND.SUBMIT, 8, 0, 1],
    [KIND.OUTPUT, 9, 0, 0],                   // an empty record
    [KIND.OUTPUT, 9, 17, 0],                  // more than the payload: refused before sending
  ];
  const DRAIN_AT = 8;
  type After = { lastError: bigint; ring: Record<'size' | 'consumer' | 'producer', bigint> };
  const run = differential('events', (s) => {
    steps.forEach(([kind, value, size, cpu], i) => {
      if (i === DRAIN_AT) s.notes.push({ drained: s.map<RingBufMap>('events').drain().map(hex) });
      s.run('emit', request(kind, value, size), cpu);
      s.notes.push({
        lastError: BigInt.asIntN(64, s.global('last_error')),
        ring: struct(s.globalBytes('ring'), [['size', 8], ['consumer', 8], ['producer', 8]]),
      });
    });
  });
  /** What the host saw: the records it drained, and the globals after each run. */
  const seen = () => {
    const notes = run().jit.notes as ({ drained: string[] } | After)[];
    return {
      drained: notes.flatMap((n) => ('drained' in n ? n.drained : [])),
      after: notes.filter((n): n is After => !('drained' in n)),
    };
  };

  it('returns the unconsumed bytes of the ring; discarded records take space until consumed', () => {
    const s = run().jit;
    const { after } = seen();
    // Each record: an 8-byte header and its data rounded up to 8 (events are 24 bytes).
    expect(s.log.map((r) => Number(r.r0))).toEqual([32, 64, 80, 80, 80, 80, 80, 80, 32, 40, 0]);
    expect(after.map((a) => [a.ring.consumer, a.ring.producer].map(Number))).toEqual([
      [0, 32], [0, 64], [0, 80], [0, 80], [0, 80], [0, 80], [0, 80], [0, 80], [80, 112], [80, 120], [80, 120],
    ]);
    expect(after.every((a) => a.ring.size === 4096n)).toBe(true);
  });

  it('reports each send\'s result, with the kernel\'s errors for perf buffers it cannot write', () => {
    expect(run().jit.map('perf').maxEntries).toBe(CPUS);   // libbpf's default: one per CPU
    const s = run().jit;
    const { after } = seen();
    expect(after.map((a) => Number(a.lastError))).toEqual([0, 0, 0, 0, -EOPNOTSUPP, -E2BIG, 0, -1, 0, 0, 0]);
    expect(s.global('failures')).toBe(3n);
  });

  it('delivers submitted and output records in order, skips discarded ones, and sends perf records to the CPU\'s buffer', () => {
    const { jit: s, maps } = run();
    const { drained } = seen();
    expect(drained).toEqual([event(1, 0, KIND.SUBMIT, 1), hex(PAYLOAD.subarray(0, 5))]);
    expect(maps.events).toEqual({ type: 'fifo', values: [event(7, 1, KIND.SUBMIT, 8), ''] });
    expect(maps.perf).toEqual({ type: 'perf', records: [
      { cpu: 1, data: event(3, 1, KIND.PERF, 4) },
      { cpu: 0, data: event(6, 0, KIND.PERF_TO, 0) },
    ] });
    expect(s.global('seq')).toBe(7n);
  });
});

// --- dispatch.c: prog_array and tail calls ---

const requestOf = (op: number, a: number, b: number) => pack([op, 4], [0, 4], [a, 8], [b, 8], [0, 8]);
const REQUEST = [['op', 4], ['hops', 4], ['a', 8], ['b', 8], ['result', 8]] as const;

describe('dispatch.c: a tail-call dispatcher over a prog_array filled by the host', () => {
  const run = differential('dispatch', (s) => {
    const handlers = s.map<ProgArrayMap>('handlers');
    const program = (name: string) => s.object.program(name);
    handlers.set(1, program('add'));
    handlers.set(2, program('mul'));
    handlers.set(3, program('count_down'));
    handlers.set(7, program('finish'));
    s.run('dispatch', requestOf(1, 2, 3), 0);     // add, then finish
    s.run('dispatch', requestOf(2, 6, 7), 1);     // mul, then finish
    s.run('dispatch', requestOf(4, 0, 0), 0);     // slot 4 is empty
    s.run('dispatch', requestOf(3, 5, 10), 1);    // count_down 5 times, then finish
    s.run('dispatch', requestOf(3, 100, 1), 0);   // count_down until the 33-tail-call limit
    handlers.delete(7);
    s.run('dispatch', requestOf(1, 1, 1), 1);     // add, and finish is gone
    handlers.set(4, program('mul'));
    s.run('dispatch', requestOf(4, 3, 3), 0);     // mul in a second slot
    s.run('dispatch', requestOf(1, 1, 1).subarray(0, 8), 1);
    s.run('finish', pack([0, 4], [0, 4], [0, 8], [0, 8], [5, 8]), 0);   // a handler run directly
  });

  it('follows the tail calls: r0 and the request each handler left', () => {
    const s = run().jit;
    expect(s.log.map((r) => r.r0)).toEqual([502n, 4202n, 1004n, 5007n, (1n << 32n) + 33n, 1007n, 1007n, 0n, 500n]);
    const requests = s.log.slice(0, 7).map((r) => struct(Buffer.from(r.memory, 'hex'), REQUEST));
    expect(requests.map((q) => [q.hops, q.result].map(Number))).toEqual([[2, 5], [2, 42], [0, 0], [7, 50], [33, 33], [1, 2], [1, 9]]);
    expect(requests[4].a).toBe(67n);             // 33 count_downs ran before the limit
  });

  it('counts visits per slot and failed tail calls', () => {
    const { jit: s, maps } = run();
    const visits = [7, 2, 2, 6 + 33, 0, 0, 0, 4];
    expect(entries(maps.visits)).toEqual(new Map(visits.map((n, slot) => [hex(u32(slot)), hex(u64(n))])));
    expect(s.global('fallthroughs')).toBe(4n);
    expect(maps.handlers).toEqual({ type: 'slots', programs: [null, 'add', 'mul', 'count_down', 'mul', null, null, null] });
  });
});

// --- loops.c: bpf_loop, nested ---

function collatz(n: number): { steps: number; peak: number } {
  let v = n, peak = n, steps = 0;
  while (v > 1) {
    v = v % 2 ? 3 * v + 1 : v / 2;
    peak = Math.max(peak, v);
    steps++;
  }
  return { steps, peak };
}

/** composite[] after sieving below `limit`, and the primes found. */
function sieve(limit: number): { composite: number[]; primes: number[] } {
  const composite = Array<number>(256).fill(0);
  const primes: number[] = [];
  for (let i = 2; i < limit; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let m = 2 * i; m < limit; m += i) composite[m] = 1;
  }
  return { composite, primes };
}

describe('loops.c: bpf_loop with callbacks, nested', () => {
  const starts = [27, 97, 1, 0, 6171];
  const limits = [10, 100, 1000, 2, 256, 30];
  const statuses: [number, number][] = [[1000, 0], [0, 0], [(1 << 23) + 1, 0], [5, 1]];
  const run = differential('loops', (s) => {
    starts.forEach((n, i) => s.run('collatz', u32(n), i % CPUS));
    limits.forEach((limit, i) => s.run('count_primes', u32(limit), i % CPUS));
    for (const [loops, flags] of statuses) s.run('loop_status', pack([loops, 4], [flags, 4]));
  });

  it('counts Collatz steps and keeps each start\'s peak in a hash', () => {
    const { jit: s, maps } = run();
    expect(collatz(27)).toEqual({ steps: 111, peak: 9232 });
    expect(s.log.slice(0, starts.length).map((r) => Number(r.r0))).toEqual(starts.map((n) => collatz(n).steps));
    expect(entries(maps.peaks)).toEqual(new Map(starts.map((n) => [hex(u32(n)), hex(u64(collatz(n).peak))])));
  });

  it('sieves primes with a bpf_loop inside a bpf_loop callback', () => {
    const { jit: s, maps } = run();
    const counts = limits.map((limit) => sieve(Math.min(limit, 256)).primes.length);
    expect(counts).toEqual([4, 25, 54, 0, 54, 10]);
    expect(s.log.slice(starts.length, starts.length + limits.length).map((r) => Number(r.r0))).toEqual(counts);
    expect([...s.globalBytes('composite')]).toEqual(sieve(30).composite);
    // The callbacks' map updates: the primes below 30 over the first 64 of those below 256 (54 of them).
    const list = [...sieve(30).primes, ...sieve(256).primes.slice(10)];
    expect(list.slice(0, 12)).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]);
    expect(entries(maps.prime_list)).toEqual(new Map(Array.from({ length: 64 }, (_, i) => [hex(u32(i)), hex(u32(list[i] ?? 0))])));
  });

  it('returns bpf_loop\'s own result: the calls made, -E2BIG past 2^23 loops, -EINVAL for flags', () => {
    const s = run().jit;
    expect(s.log.slice(-statuses.length).map((r) => r.r0)).toEqual([1000n, 0n, neg(E2BIG), neg(EINVAL)]);
  });
});

// --- sampler.c: clocks, randomness, CPU, pid, trace_printk ---

const SAMPLE = [['mono', 8], ['boot', 8], ['elapsed', 8], ['pidTgid', 8], ['cpu', 4], ['rnd', 4]] as const;
/** The clock readings (mono, boot, elapsed: the first 24 bytes of each sample) blanked. */
const CLOCKS_HEX = 48;

describe('sampler.c: ktime, prandom, smp_processor_id, pid_tgid and trace_printk', () => {
  const RUNS = 16;
  let before = 0n, after = 0n;
  const run = differential('sampler', (s) => {
    if (s.engine === 'interp') before = process.hrtime.bigint();
    for (let i = 0; i < RUNS; i++) s.run('sample', new Uint8Array(i), i % CPUS);
    after = process.hrtime.bigint();
  }, (dump) => {
    const samples = dump.samples as { entries: [string, string][] };
    samples.entries = samples.entries.map(([k, v]) => [k, '0'.repeat(CLOCKS_HEX) + v.slice(CLOCKS_HEX)]);
    return dump;
  });
  const sampled = () => run().jit.log.map((r, i) => ({ i, cpu: i % CPUS, rnd: Number(r.r0) })).filter((r) => r.rnd !== 0);

  it('keeps the runs whose random number is not a multiple of 4, and wraps around the slots', () => {
    const s = run().jit;
    for (const r of s.log) expect(r.r0 < 1n << 32n && r.r0 % 4n !== 0n || r.r0 === 0n).toBe(true);
    expect(sampled().length).toBeGreaterThan(8);
    expect(sampled().length).toBeLessThan(RUNS);
    expect(s.global('next_slot')).toBe(BigInt(sampled().length));
    expect(s.global('skipped')).toBe(BigInt(RUNS - sampled().length));
    // Different seeds give different numbers; the same seed (both engines) the same.
    expect(new Set(sampled().map((r) => r.rnd)).size).toBe(sampled().length);
  });

  it('traces every run with the kernel\'s printk formats', () => {
    const s = run().jit;
    const expected: (string | RegExp)[] = [];
    let slot = 0;
    s.log.forEach((r, i) => {
      if (r.r0 === 0n) expected.push(/^skip (\d+)$/);
      else {
        const parity = r.r0 & 1n ? 'odd' : 'even';
        expected.push(`sample ${slot++ % 8} cpu ${i % CPUS} pid ${process.pid}`, `rnd ${r.r0.toString(16).padStart(8, '0')} ${parity} len ${i}%`);
      }
    });
    expect(s.trace.length).toBe(expected.length);
    s.trace.forEach((line, i) => {
      const want = expected[i];
      if (typeof want === 'string') expect(line).toBe(want);
      else expect(Number(want.exec(line)![1]) % 4).toBe(0);
    });
  });

  it('stores the clocks, pid, CPU and random number of the last eight samples; clocks by their properties', () => {
    const all = sampled();
    for (const engine of ['interp', 'jit'] as const) {
      const dump = run().dumps[engine].samples as { entries: [string, string][] };
      const slots = new Map(dump.entries.map(([k, v]) => [Number(BigInt('0x' + k.slice(0, 2))), struct(Buffer.from(v, 'hex'), SAMPLE)]));
      // The last eight samples, each in slot (its index among the samples) % 8.
      const writes = all.map((r, n) => ({ r, sample: slots.get(n % 8)! })).slice(-8);
      for (const { r, sample } of writes) {
        expect([sample.cpu, sample.rnd, sample.pidTgid >> 32n]).toEqual([BigInt(r.cpu), BigInt(r.rnd), BigInt(process.pid)]);
        expect(sample.mono > before && sample.mono < after).toBe(true);
        expect(sample.boot).toBeGreaterThan(0n);
        expect(sample.elapsed).toBeLessThan(1_000_000_000n);
      }
      // In the order the runs wrote them, the monotonic clock never goes back.
      const monos = writes.map((w) => w.sample.mono);
      expect([...monos].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(monos);
    }
  });

  it('counts samples per CPU in a hash keyed by bpf_get_smp_processor_id', () => {
    const { maps } = run();
    const perCpu = [0, 1].map((cpu) => sampled().filter((r) => r.cpu === cpu).length);
    expect(entries(maps.per_cpu)).toEqual(new Map(perCpu.map((n, cpu) => [hex(u32(cpu)), hex(u64(n))])));
  });
});
