import { nodeWorkerClass, type NodeWorker } from '../../host.js';
import { runArenaPart, type ArenaPart, type ArenaPlan } from './arena-plan.js';

/**
 * Worker threads for PacketFilter.filterArena(arena, { workers: n }): each instantiates the
 * filter's module (compiled for a shared memory) over the arena's shared memory and runs
 * it over one part of the arena, writing that part's verdicts where a one-thread run
 * would. The threads are made on first use and kept (unref'd while idle, so they never
 * hold a process open); a message carries the compiled module and the memory, both shared,
 * not copied. The thread's code is runArenaPart's own source.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const runArenaPart = ${runArenaPart.toString()};
parentPort.on('message', (m) => {
  try {
    const x = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
    parentPort.postMessage({ id: m.id, matches: runArenaPart(x, m.plan, m.part, m.withVerdicts) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;

interface Pending {
  resolve(matches: number): void;
  reject(error: Error): void;
}

const pool: NodeWorker[] = [];
const pending = new Map<number, Pending>();
let nextId = 0;
let active = 0;

function spawn(): NodeWorker {
  const Worker = nodeWorkerClass();
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.on('message', (m: { id: number; matches?: number; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`filter worker: ${m.error}`));
    else p?.resolve(m.matches!);
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

/** Runs each part on a thread of its own; resolves to each part's matches. */
export async function runPartsInWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: ArenaPlan, parts: readonly ArenaPart[], withVerdicts: boolean): Promise<number[]> {
  while (pool.length < parts.length) pool.push(spawn());
  const threads = pool.slice(0, parts.length);
  if (active++ === 0) for (const w of pool) w.ref();
  try {
    return await Promise.all(parts.map((part, i) => new Promise<number>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      threads[i].postMessage({ id, module, memory, plan, part, withVerdicts });
    })));
  } finally {
    if (--active === 0) for (const w of pool) w.unref();
  }
}

/** Ends the worker threads (a later run starts new ones). */
export async function closeFilterWorkers(): Promise<void> {
  const all = pool.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}
