// node examples/ringbuf.mjs [--engine interp]
//
// Report process exits through a ring buffer: ringbuf.bpf.o reserves, fills and submits
// a record per exit (or discards it); JS reads the records as they arrive with
// `for await`, while the producer runs in batches.
import { setImmediate } from 'node:timers/promises';
import { u32, u64 } from 'ebpf-wasm';
import { loadExample } from './common.mjs';
import { processExits } from './workload.mjs';

const EXITS = 40;
const BATCH = 8;

const object = loadExample('ringbuf');
const handleExit = object.program('handle_exit');
const events = object.maps.get('events');

/** struct exit_ctx, the program's context (64 bytes: the 8-byte common header first). */
function exitContext({ pid, ppid, exitCode, startNs, exitNs, comm }) {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, pid, true);
  view.setUint32(12, ppid, true);
  view.setInt32(16, exitCode, true);
  view.setBigUint64(24, startNs, true);
  view.setBigUint64(32, exitNs, true);
  bytes.set(new TextEncoder().encode(comm).subarray(0, 15), 40);
  return bytes;
}

/** struct event, one record of the ring (48 bytes). */
function printEvent(record) {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const comm = new TextDecoder().decode(record.subarray(32, 48)).replace(/\0.*$/s, '');
  const time = (Number(view.getBigUint64(16, true)) / 1e9).toFixed(3);
  const ms = (Number(view.getBigUint64(24, true)) / 1e6).toFixed(1);
  console.log(`${time.padStart(8)} ${String(view.getUint32(0, true)).padStart(6)} ${String(view.getUint32(4, true)).padStart(6)} ${comm.padEnd(8)} ${String(view.getInt32(8, true)).padStart(4)} ${ms.padStart(10)}`);
}

// The consumer: prints records as they come, waiting (without polling) when there are none.
const stop = new AbortController();
let received = 0;
const consumer = (async () => {
  for await (const record of events.records({ signal: stop.signal })) {
    printEvent(record);
    received++;
  }
})();

console.log(`${'TIME(s)'.padStart(8)} ${'PID'.padStart(6)} ${'PPID'.padStart(6)} ${'COMM'.padEnd(8)} ${'EXIT'.padStart(4)} ${'DURATION_MS'.padStart(10)}`);
// The producer: a batch of exits, then a turn of the event loop, so the consumer runs.
const exits = [...processExits(EXITS)];
for (let i = 0; i < exits.length; i += BATCH) {
  for (const exit of exits.slice(i, i + BATCH)) handleExit(exitContext(exit));
  await setImmediate();
}
stop.abort();
await consumer;
// Anything submitted after the consumer's last wakeup; consume() calls back with views into the ring.
received += events.consume(printEvent);

const minMs = Number(object.maps.get('.rodata').view(u32, u64).get(0)) / 1e6;
const dropped = object.maps.get('.bss').view(u32, u64).get(0);
console.log(`${EXITS} exits: ${received} reported, ${EXITS - received} discarded (exit code 0 and under ${minMs} ms), ${dropped} dropped (ring full)`);
