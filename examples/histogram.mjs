// node examples/histogram.mjs [--engine interp]
//
// Feed synthetic I/O latencies to histogram.bpf.o, which counts them in log2 slots of
// an array map, then print the slots as a bar chart the way bcc's tools do.
import { u32, u64 } from 'ebpf-wasm';
import { loadExample } from './common.mjs';
import { latencies } from './workload.mjs';

const EVENTS = 5_000;

const object = loadExample('histogram');
const recordLatency = object.program('record_latency');
for (const usecs of latencies(EVENTS)) recordLatency(u64(usecs));   // struct latency_event { __u64 usecs; }

const hist = object.maps.get('hist');
const view = hist.view(u32, u64);
const slots = Array.from({ length: hist.maxEntries }, (_, i) => Number(view.get(i)));
console.log(`${EVENTS} synthetic I/O latencies, by log2 slot:`);
printLog2Hist(slots, 'usecs');

/**
 * libbpf-tools' print_log2_hist: one line per slot up to the last non-empty one,
 * "low -> high : count |stars|", 40 stars for the largest count.
 */
function printLog2Hist(values, unit) {
  const last = values.findLastIndex((v) => v > 0);
  if (last < 0) return;
  const max = Math.max(...values);
  const wide = last > 32;
  const width = wide ? 20 : 10;
  const starsMax = wide ? 20 : 40;
  console.log(`${' '.repeat(wide ? 15 : 5)}${unit.padEnd(wide ? 29 : 19)} : count    distribution`);
  for (let i = 0; i <= last; i++) {
    let low = 2 ** (i + 1) / 2;     // what (1ULL << (i + 1)) >> 1 is
    const high = 2 ** (i + 1) - 1;
    if (low === high) low -= 1;     // slot 0 is "0 -> 1"
    const stars = Math.floor((values[i] * starsMax) / max);
    const bar = '*'.repeat(stars).padEnd(starsMax);
    console.log(`${String(low).padStart(width)} -> ${String(high).padEnd(width)} : ${String(values[i]).padEnd(8)} |${bar}|`);
  }
}
