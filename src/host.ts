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
  stderr?: { write(text: string): unknown };
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
