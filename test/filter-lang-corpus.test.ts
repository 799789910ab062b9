/**
 * The pcap filter compiler against libpcap: every expression tcpdump compiled in the
 * recording (test/fixtures/captures/tcpdump-corpus.json, scripts/captures/record-tcpdump.mjs)
 * compiles here to a program that matches exactly tcpdump's count of packets, on both
 * captures, in both engines, one packet at a time (loadCbpf) and in batches (compileFilter);
 * its verdicts equal those of tcpdump's own program for every packet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileFilter, compileFilterCbpf, ENGINE_NAMES, loadCbpf, PacketFilter, parseCapture, Runtime, validateCbpf, type EngineName,
} from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/captures/${name}`, import.meta.url);
const corpus = JSON.parse(readFileSync(fixture('tcpdump-corpus.json'), 'utf8')) as {
  expressions: { expr: string; dd: string; counts: Record<string, number> }[];
};
/** libpcap compiles protochain to a backward jump the kernel refuses; this compiler refuses it by name. */
const compiled = corpus.expressions.filter((e) => !e.expr.includes('protochain'));
const mixed = [...parseCapture(readFileSync(fixture('mixed.pcap')))].map((p) => p.data);
const snap64 = [...parseCapture(readFileSync(fixture('snap64.pcap')))].map((p) => p.data);
/** `len` is the wire length in libpcap and the captured length here: snap64 differs. */
const readsLength = (expr: string) => /\b(len|less|greater)\b/.test(expr);

describe('the recorded corpus', () => {
  it('has the expressions to cover', () => {
    expect(compiled.length).toBeGreaterThanOrEqual(60);
  });

  it('compiles every expression to a program the kernel\'s checks accept', () => {
    for (const { expr } of compiled) expect(() => validateCbpf(compileFilterCbpf(expr)), expr).not.toThrow();
  });
});

describe.each(ENGINE_NAMES)('compiled expressions in %s', (engine: EngineName) => {
  const runtime = new Runtime();
  const one = new Runtime();

  it('match tcpdump\'s counts in batches, with tcpdump\'s program\'s verdicts', () => {
    for (const { expr, dd, counts } of compiled) {
      const ours = compileFilter(expr, { engine, runtime });
      const theirs = PacketFilter.fromCbpf(dd, { engine, runtime });
      const r = ours.filter(mixed);
      expect(r.matches, expr).toBe(counts['mixed.pcap']);
      expect([...r.verdicts].map(Boolean), expr).toEqual([...theirs.filter(mixed).verdicts].map(Boolean));
      if (!readsLength(expr)) expect(ours.filter(snap64).matches, expr).toBe(counts['snap64.pcap']);
    }
  });

  it('match tcpdump\'s counts one packet at a time', () => {
    for (const { expr, counts } of compiled) {
      const prog = loadCbpf(compileFilterCbpf(expr), { engine, runtime: one });
      expect(mixed.filter((p) => Number(prog(p)) !== 0).length, expr).toBe(counts['mixed.pcap']);
    }
  });
});
