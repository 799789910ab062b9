/**
 * What the library takes from its host beyond ECMAScript and WebAssembly: a monotonic
 * clock, a process id and a place for trace messages. Node has the better source for
 * each (process.hrtime, process.pid, process.stderr); elsewhere (a browser, a worker)
 * the fallbacks are what every engine has, so no Node global is needed to run programs.
 * `process` is read through globalThis, never named bare: the core is type-checked
 * without Node's types (tsconfig.browser.json), so a new use cannot slip in unnoticed.
 */

interface NodeProcessLike {
  hrtime?: { bigint(): bigint };
  pid?: number;
  title?: string;
  stderr?: { write(text: string): unknown };
  /** Node 20.16+: a built-in module without an import (the files below). */
  getBuiltinModule?: (id: string) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;
const hrtime = nodeProcess?.hrtime;

/**
 * Monotonic nanoseconds: process.hrtime in Node; elsewhere performance.now(), whose
 * resolution browsers coarsen (to 5-100 us), so short intervals may read as 0.
 */
export const monotonicNs: () => bigint = hrtime
  ? () => hrtime.bigint()
  : () => BigInt(Math.round(performance.now() * 1e6));

/** The process id in Node; 0 where there is none (the kernel's pid of its idle task). */
export const processId: number = nodeProcess?.pid ?? 0;

/** One line to stderr in Node (as trace_pipe shows bpf_trace_printk), else to console.error. */
export function writeErrorLine(message: string): void {
  const line = message.endsWith('\n') ? message : `${message}\n`;
  if (nodeProcess?.stderr) nodeProcess.stderr.write(line);
  else console.error(line.slice(0, -1));
}

/** The task's name, as bpf_get_current_comm gives it: process.title in Node ("node" unless renamed). */
export const processTitle: string = nodeProcess?.title ?? 'ebpf-wasm';

/** What the capture readers and writers use of node:fs (named here so no Node types are needed). */
export interface NodeFiles {
  createReadStream(path: string, options: { highWaterMark: number }): AsyncIterable<Uint8Array>;
  createWriteStream(path: string): {
    write(chunk: Uint8Array): boolean;
    end(): unknown;
    once(event: 'drain' | 'finish' | 'error', listener: (...args: unknown[]) => void): unknown;
    removeListener(event: 'drain' | 'finish' | 'error', listener: (...args: unknown[]) => void): unknown;
  };
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
}

/**
 * node:fs, for the functions that take a file path (readCapture, CaptureWriter,
 * scanPcapFile). Fetched when one is called, through process.getBuiltinModule, so the
 * main entry still loads where there is no file system (a browser bundle); there, and in
 * Node before 20.16, a path is refused with this message (bytes and streams still work).
 */
export function nodeFiles(): NodeFiles {
  const fs = nodeProcess?.getBuiltinModule?.('node:fs');
  if (fs === undefined) throw new TypeError('file paths need Node 20.16 or later (process.getBuiltinModule); pass the bytes or a stream instead');
  return fs as NodeFiles;
}

/** What the batch path's worker threads use of node:worker_threads (packet/batch/workers.ts). */
export interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: 'message' | 'error' | 'exit', listener: (value: never) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** node:worker_threads' Worker, fetched as nodeFiles fetches node:fs; refused where there is none. */
export function nodeWorkerClass(): new (source: string, options: { eval: true }) => NodeWorker {
  const threads = nodeProcess?.getBuiltinModule?.('node:worker_threads') as { Worker?: new (source: string, options: { eval: true }) => NodeWorker } | undefined;
  if (threads?.Worker === undefined) throw new TypeError('workers need Node 20.16 or later (node:worker_threads through process.getBuiltinModule)');
  return threads.Worker;
}
