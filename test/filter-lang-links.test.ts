/**
 * Expressions on raw IP and Linux cooked (SLL, SLL2) captures: the fixture's untagged
 * Ethernet frames rewrapped in each link layer give, for every expression of the corpus
 * that does not look at the link layer or the length, the verdicts their Ethernet form
 * gets; link-layer primitives there are errors naming the construct.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilter, compileFilterCbpf, FilterError, LINKTYPE, parseCapture, Runtime } from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/captures/${name}`, import.meta.url);
const corpus = JSON.parse(readFileSync(fixture('tcpdump-corpus.json'), 'utf8')) as { expressions: { expr: string }[] };
const frames = [...parseCapture(readFileSync(fixture('mixed.pcap')))].map((p) => p.data);
const etherType = (f: Uint8Array) => (f[12] << 8) | f[13];
const untagged = frames.filter((f) => [0x0800, 0x86dd, 0x0806].includes(etherType(f)));
const ipOnly = untagged.filter((f) => etherType(f) !== 0x0806);

function sll(f: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  h.set([0, 0, 0, 1, 0, 6], 0);
  h.set(f.subarray(6, 12), 6);
  h.set(f.subarray(12, 14), 14);
  return Uint8Array.from([...h, ...f.subarray(14)]);
}

function sll2(f: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  h.set(f.subarray(12, 14), 0);
  h.set([0, 0, 0, 0, 0, 2, 0, 1, 0, 6], 2);
  h.set(f.subarray(6, 12), 12);
  return Uint8Array.from([...h, ...f.subarray(14)]);
}

const linkBlind = corpus.expressions.map((e) => e.expr)
  .filter((e) => !/\b(vlan|ether|len|less|greater|protochain)\b|02:00|^(broadcast|multicast)$/.test(e));

describe.each([
  ['raw IP', LINKTYPE.RAW, ipOnly, (f: Uint8Array) => f.subarray(14)],
  ['Linux cooked', LINKTYPE.LINUX_SLL, untagged, sll],
  ['Linux cooked v2', LINKTYPE.LINUX_SLL2, untagged, sll2],
] as const)('expressions on %s captures', (_, linkType, source, wrap) => {
  const runtime = new Runtime();
  const packets = source.map(wrap);

  it('give the verdicts of the same packets as Ethernet frames', () => {
    expect(linkBlind.length).toBeGreaterThan(90);
    for (const expr of linkBlind) {
      const ether = compileFilter(expr, { runtime, engine: 'interp' }).filter([...source]);
      const here = compileFilter(expr, { runtime, engine: 'interp', linkType }).filter(packets);
      expect([...here.verdicts], expr).toEqual([...ether.verdicts]);
    }
    expect(compileFilter('tcp port 443', { runtime, linkType }).filter(packets).matches).toBeGreaterThan(0);
  });

  it('refuse link-layer primitives, naming them', () => {
    for (const [expr, column, what] of [
      ['ip and ether host 02:00:00:00:00:01', 8, /MAC addresses/], ['tcp or vlan', 8, /vlan/], ['broadcast', 1, /link-layer broadcast/],
    ] as const) {
      let error: unknown;
      try {
        compileFilterCbpf(expr, { linkType });
      } catch (e) {
        error = e;
      }
      expect(error, expr).toBeInstanceOf(FilterError);
      expect((error as FilterError).column).toBe(column);
      expect((error as FilterError).message).toMatch(what);
    }
  });
});

it('refuses link types it has no layout for', () => {
  expect(() => compileFilterCbpf('ip', { linkType: 105 })).toThrow(/link type 105/);
});
