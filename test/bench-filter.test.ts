/**
 * The parts of `npm run bench:filter` that do not time anything: the hand-written JS
 * predicates accept exactly the packets compileFilter's filters accept (on the fixture
 * captures, whole and cut to 64 bytes), and the generated capture is what the bench says.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilter, parseCapture } from '../src/index.js';
import { benchCapture, packetSpans } from '../bench/filter-capture.js';
import { firstBatchPackets } from '../bench/filter-measure.js';
import { countMatches, JS_PREDICATES } from '../bench/filter-predicates.js';
import { dataAt } from '../src/packet/batch/layout.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/captures/${name}`, import.meta.url)));
const corpus = JSON.parse(readFileSync(new URL('./fixtures/captures/tcpdump-corpus.json', import.meta.url), 'utf8')) as { expressions: { expr: string }[] };

describe('bench:filter', () => {
  it('has JS predicates only for corpus expressions, each accepting the packets the filter accepts', () => {
    expect(JS_PREDICATES.size).toBeGreaterThanOrEqual(4);
    for (const name of ['mixed.pcap', 'snap64.pcap']) {
      const file = fixture(name);
      const { offsets, lengths } = packetSpans(file);
      for (const [expr, predicate] of JS_PREDICATES) {
        expect(corpus.expressions.some((e) => e.expr === expr), expr).toBe(true);
        const { verdicts, matches } = compileFilter(expr).filterBuffer(file, offsets, lengths);
        const accepted = Array.from(offsets, (o, i) => predicate(file, o, lengths[i]));
        expect(accepted, `${expr} on ${name}`).toEqual(Array.from(verdicts, (v) => v !== 0));
        expect(countMatches(predicate, file, offsets, lengths)).toBe(matches);
      }
    }
  });

  it('generates the same capture every time: packets of snap64.pcap, in a pcap file image', () => {
    const a = benchCapture(2000);
    const b = benchCapture(2000);
    expect(a.file).toEqual(b.file);
    expect(a.offsets.length).toBe(2000);
    const packets = [...parseCapture(a.file)];
    expect(packets.map((p) => p.data.length)).toEqual([...a.lengths]);
    const sources = new Set([...parseCapture(fixture('snap64.pcap'))].map((p) => p.data.join(',')));
    for (const p of packets) expect(sources.has(p.data.join(','))).toBe(true);
    expect(new Set(packets.map((p) => p.data.join(','))).size).toBeGreaterThan(300);
  });

  it('sizes the in-place batch to what fits', () => {
    const capture = benchCapture(2000);
    const n = firstBatchPackets(16384, capture);
    const span = (k: number) => dataAt(k) + capture.offsets[k - 1] + capture.lengths[k - 1] - capture.offsets[0];
    expect(span(n)).toBeLessThanOrEqual(16384);
    expect(span(n + 1)).toBeGreaterThan(16384);
  });
});
