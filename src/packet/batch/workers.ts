import { nodeWorkerClass, type NodeWorker } from '../../host.js';
import { runArenaPart, type ArenaPart, type ArenaPlan } from './arena-plan.js';
import { findRecordStart, scanFileRange, type FileRange, type RangeResult } from './pcap-range.js';

/**
 * Worker threads for PacketFilter.filterArena(arena, { workers: n }) and
 * scanPcapFile(filter, path, { workers: n }). An arena's part: the thread instantiates the
 * filter's module (compiled for a shared memory) over the arena's shared memory and runs
 * it over its part, writing that part's verdicts where a one-thread run would. A file's
 * part: the thread reads its byte range of the file in chunks into a memory of its own
 * (pcap-range.ts). The threads are made on first use and kept (unref'd while idle, so they never
 * hold a process open); a message carries the compiled module and the memory, both shared,
 * not copied. The thread's code is the source of runArenaPart, scanFileRange and findRecordStart.
 */
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
const runArenaPart = ${runArenaPart.toString()};
const scanFileRange = ${scanFileRange.toString()};
const findRecordStart = ${findRecordStart.toString()};
function fileRange(m) {
  const fd = fs.openSync(m.path, 'r');
  try {
    const start = m.sync ? findRecordStart(fs.readSync, fd, m.range, m.fileSize) : m.range.start;
    if (start < 0) return { first: -1 };
    const memory = new WebAssembly.Memory({ initial: 1 });
    const x = new WebAssembly.Instance(m.module, { env: { memory } }).exports;
    const r = m.range;
    const scanChunk = (at, end, limit) => {
      const matches = x.scan(at, end, 0, -1, r.swap ? 1 : 0, r.maxCaplen, r.fracLimit, limit) >>> 0;
      return { matches, packets: x.packets.value >>> 0, stop: x.stop.value >>> 0 };
    };
    return { first: start, ...scanFileRange(fs.readSync, fd, memory, scanChunk, { ...r, start }) };
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  try {
    const result = m.kind === 'file' ? fileRange(m)
      : runArenaPart(new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports, m.plan, m.part, m.withVerdicts);
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

const pool: NodeWorker[] = [];
const pending = new Map<number, Pending>();
let nextId = 0;
let active = 0;

function spawn(): NodeWorker {
  const Worker = nodeWorkerClass();
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`filter worker: ${m.error}`));
    else p?.resolve(m.result);
  });
  const fail = (e: Error) => {
    // A thread that died takes its requests with it: fail them all, and start afresh.
    pool.splice(pool.indexOf(worker), 1);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', () => { if (pool.includes(worker)) fail(new Error('a filter worker thread exited')); });
  worker.unref();
  return worker;
}

/** Sends each message to a thread of its own; resolves to their results, in order. */
async function runInWorkers<T>(messages: readonly Record<string, unknown>[]): Promise<T[]> {
  while (pool.length < messages.length) pool.push(spawn());
  const threads = pool.slice(0, messages.length);
  if (active++ === 0) for (const w of pool) w.ref();
  try {
    return await Promise.all(messages.map((message, i) => new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      threads[i].postMessage({ ...message, id });
    })));
  } finally {
    if (--active === 0) for (const w of pool) w.unref();
  }
}

/** Runs each part of an arena on a thread of its own; resolves to each part's matches. */
export function runPartsInWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: ArenaPlan, parts: readonly ArenaPart[], withVerdicts: boolean): Promise<number[]> {
  return runInWorkers<number>(parts.map((part) => ({ kind: 'arena', module, memory, plan, part, withVerdicts })));
}

/** A worker's part of a file: `first` is where it started (its guess at a record boundary when `sync`; -1 if it found none). */
export type FilePartResult = { readonly first: number } & Partial<RangeResult>;

/** Scans each range of the pcap file at `path` on a thread of its own, each range after the first from the record boundary it finds. */
export function scanRangesInWorkers(module: WebAssembly.Module, path: string, fileSize: number, ranges: readonly FileRange[]): Promise<FilePartResult[]> {
  return runInWorkers<FilePartResult>(ranges.map((range, k) => ({ kind: 'file', module, path, fileSize, range, sync: k > 0 })));
}

/** Ends the worker threads (a later run starts new ones). */
export async function closeFilterWorkers(): Promise<void> {
  const all = pool.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}
