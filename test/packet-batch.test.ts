/**
 * PacketFilter: a classic filter compiled as one program that loops over a batch of
 * packets laid out in the input area. In both engines its verdicts equal the one-packet
 * sched_cls runs' and the independent reference's, its match counts tcpdump's; packets
 * that lie together in one buffer are copied once; batches split at the input area's size;
 * frames a one-packet run refuses (short, IP without its header) are filtered.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  BATCH_TARGET_BYTES, cbpfInsn, CaptureError, encodeCapture, ENGINE_NAMES, loadCbpf, PacketFilter, parseCapture, parseCbpf, Runtime, scanPcapFile,
  type CbpfInsn, type EngineName,
} from '../src/index.js';
import { runReference } from './support/cbpf-reference.js';
import { cases, frame } from './support/cbpf-cases.js';

const fixture = (name: string) => new URL(`./fixtures/captures/${name}`, import.meta.url);
const corpus = JSON.parse(readFileSync(fixture('tcpdump-corpus.json'), 'utf8')) as {
  expressions: { expr: string; dd: string; counts: Record<string, number> }[];
};
const accepted = corpus.expressions.filter((e) => !e.expr.includes('protochain'));
const mixedBytes = readFileSync(fixture('mixed.pcap'));
const mixed = [...parseCapture(mixedBytes)].map((p) => p.data);
const snap64 = [...parseCapture(readFileSync(fixture('snap64.pcap')))].map((p) => p.data);
const readsLength = (prog: readonly CbpfInsn[]) => prog.some((i) => i.code === 0x80 || i.code === 0x81);

const I = cbpfInsn;
const SKF_AD_OFF = 0xfffff000;

describe.each(ENGINE_NAMES)('batches in %s', (engine: EngineName) => {
  const runtime = new Runtime();
  const one = new Runtime();

  it('give each tcpdump program the one-packet verdicts and tcpdump\'s counts, in one call per capture', () => {
    for (const { expr, dd, counts } of accepted) {
      const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
      const single = loadCbpf(dd, { engine, runtime: one });
      const r = filter.filter(mixed);
      expect(r.matches, expr).toBe(counts['mixed.pcap']);
      expect([...r.verdicts], expr).toEqual(mixed.map((p) => Number(single(p))));
      expect(r.indices().length).toBe(r.matches);
      if (!readsLength(parseCbpf(dd))) expect(filter.filter(snap64).matches, expr).toBe(counts['snap64.pcap']);
    }
  });

  it.each(cases)('%s (a hand-written case, batched with the capture)', (_, prog, expected, input = frame) => {
    const r = PacketFilter.fromCbpf(prog, { engine, runtime }).filter([mixed[0], input, mixed[1]]);
    expect(r.verdicts[1]).toBe(expected);
    expect(r.verdicts[0]).toBe(runReference(prog, mixed[0]));
    expect(r.verdicts[2]).toBe(runReference(prog, mixed[1]));
  });

  it('filters frames a one-packet run refuses, as the reference does', () => {
    const short = [
      new Uint8Array(0), Uint8Array.of(1, 2, 3), mixed[0].subarray(0, 13), mixed[0].subarray(0, 14),
      // IPv4 and IPv6 frames cut inside their IP header
      ...mixed.filter((p) => p[12] === 0x08 && p[13] === 0).slice(0, 3).map((p) => p.subarray(0, 20)),
      ...mixed.filter((p) => p[12] === 0x86).slice(0, 3).map((p) => p.subarray(0, 40)),
    ];
    expect(() => loadCbpf([I(0x06, 0, 0, 1)], { engine })(short[5])).toThrow(RangeError);
    for (const { expr, dd } of accepted) {
      const prog = parseCbpf(dd);
      const r = PacketFilter.fromCbpf(prog, { engine, runtime }).filter(short);
      expect([...r.verdicts], expr).toEqual(short.map((p) => runReference(prog, p)));
    }
    const proto = PacketFilter.fromCbpf([I(0x28, 0, 0, SKF_AD_OFF), I(0x16)], { engine, runtime });
    expect([...proto.filter(short.slice(0, 4)).verdicts]).toEqual([0, 0, 0, mixed[0][12] * 256 + mixed[0][13]]);
  });

  it('split at the input area\'s size, with the same verdicts', () => {
    const small = new Runtime({ maxInputSize: 4096 });
    const { dd, counts } = accepted.find((e) => e.expr === 'tcp')!;
    const filter = PacketFilter.fromCbpf(dd, { engine, runtime: small });
    expect(filter.capacity).toBe(4096);
    const r = filter.filter(mixed);
    expect(r.matches).toBe(counts['mixed.pcap']);
    expect([...r.verdicts]).toEqual([...PacketFilter.fromCbpf(dd, { engine, runtime }).filter(mixed).verdicts]);
    expect(() => filter.match(new Uint8Array(5000))).toThrow(/does not fit a batch of 4096 bytes/);
    const packets = [...parseCapture(mixedBytes)];
    const offsets = packets.map((p) => p.data.byteOffset - mixedBytes.byteOffset);
    const fromBuffer = filter.filterBuffer(mixedBytes, offsets, packets.map((p) => p.data.length));
    expect([...fromBuffer.verdicts]).toEqual([...r.verdicts]);
    // Out of order offsets split too: each batch copies the range its packets span.
    const reversed = filter.filterBuffer(mixedBytes, [...offsets].reverse(), packets.map((p) => p.data.length).reverse());
    expect([...reversed.verdicts].reverse()).toEqual([...r.verdicts]);
    expect(() => filter.filterBuffer(new Uint8Array(5000), [0], [5000])).toThrow(/does not fit/);
  });

  it('split a buffer bigger than a batch target, and write the verdicts into an array given', () => {
    const { dd } = accepted.find((e) => e.expr === 'udp')!;
    const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
    const packets = [...parseCapture(mixedBytes)];
    // The capture three times over: ~190 kB, three batches of BATCH_TARGET_BYTES at least.
    const copies = 3;
    const buffer = new Uint8Array(mixedBytes.length * copies);
    for (let c = 0; c < copies; c++) buffer.set(mixedBytes, c * mixedBytes.length);
    expect(buffer.length).toBeGreaterThan(2 * BATCH_TARGET_BYTES);
    const offsets = Array.from({ length: copies }, (_, c) => packets.map((p) => c * mixedBytes.length + p.data.byteOffset - mixedBytes.byteOffset)).flat();
    const lengths = offsets.map((_, i) => packets[i % packets.length].data.length);
    const want = offsets.map((_, i) => filter.match(packets[i % packets.length].data));
    const verdicts = new Uint32Array(offsets.length + 5).fill(7);
    const r = filter.filterBuffer(buffer, offsets, lengths, verdicts);
    expect([...r.verdicts]).toEqual(want);
    expect(r.verdicts.buffer).toBe(verdicts.buffer);
    expect([...verdicts.subarray(offsets.length)]).toEqual([7, 7, 7, 7, 7]);
    expect(r.matches).toBe(want.filter((v) => v !== 0).length);
    expect(() => filter.filterBuffer(buffer, offsets, lengths, new Uint32Array(3))).toThrow(/room for 3 verdicts/);
  });

  it('keep filtering after the runtime\'s memory grew under them (their view of the input area detached)', () => {
    const grown = new Runtime();
    const { dd } = accepted.find((e) => e.expr === 'tcp')!;
    const filter = PacketFilter.fromCbpf(dd, { engine, runtime: grown });
    const before = [...filter.filter(mixed).verdicts];
    const pages = grown.memory.buffer.byteLength;
    grown.createMap({ type: 'array', keySize: 4, valueSize: 1 << 16, maxEntries: 16 });
    expect(grown.memory.buffer.byteLength).toBeGreaterThan(pages);
    expect([...filter.filter(mixed).verdicts]).toEqual(before);
    expect(mixed.map((p) => filter.match(p))).toEqual(before);
  });

  it('take packets as offsets into one buffer, and one packet at a time', () => {
    const { dd, counts } = accepted.find((e) => e.expr === 'udp port 53')!;
    const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
    const packets = [...parseCapture(mixedBytes)];
    const offsets = packets.map((p) => p.data.byteOffset - mixedBytes.byteOffset);
    const r = filter.filterBuffer(mixedBytes, offsets, packets.map((p) => p.data.length));
    expect(r.matches).toBe(counts['mixed.pcap']);
    expect(packets.map((p) => filter.match(p.data))).toEqual([...r.verdicts]);
    expect(() => filter.filterBuffer(mixedBytes, [mixedBytes.length - 4], [10])).toThrow(RangeError);
    for (const [o, n] of [[1.5, 2], [-1, 2], [Number.NaN, 1], [2 ** 32, 1], [0, -1]]) {
      expect(() => filter.filterBuffer(mixedBytes, [0, o], [1, n]), `${o}, ${n}`).toThrow(/packet 1 .* is outside the buffer/);
    }
  });

  it('filter a capture stream in batches, in order', async () => {
    const { dd, counts } = accepted.find((e) => e.expr === 'ip and ip[8] < 64')!;
    const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
    const expected = [...parseCapture(mixedBytes)].filter((p) => filter.match(p.data) !== 0).map((p) => p.offset);
    expect(expected.length).toBe(counts['mixed.pcap']);
    for (const batchPackets of [1, 7, 4096]) {
      const seen: number[] = [];
      for await (const p of filter.filterCapture('test/fixtures/captures/mixed.pcap', { batchPackets, chunkSize: 1000 })) seen.push(p.offset);
      expect(seen).toEqual(expected);
    }
    let ng = 0;
    for await (const p of filter.filterCapture(Readable.from([readFileSync(fixture('mixed.pcapng'))]))) ng += p.data.length > 0 ? 1 : 0;
    expect(ng).toBe(counts['mixed.pcap']);
  });

  it('filter the packets before a cut, then throw its error', async () => {
    const filter = PacketFilter.fromCbpf([I(0x06, 0, 0, 1)], { engine, runtime });
    const packets = [...parseCapture(mixedBytes)];
    const cut = mixedBytes.subarray(0, packets[30].offset + 5);
    const seen: number[] = [];
    await expect(async () => {
      for await (const p of filter.filterCapture([cut], { batchPackets: 4096 })) seen.push(p.offset);
    }).rejects.toMatchObject({ code: 'CAPTURE_TRUNCATED', offset: packets[30].offset });
    expect(seen).toEqual(packets.slice(0, 30).map((p) => p.offset));
  });

  it('count a pcap file read straight into the input area, in chunks with records cut between them', () => {
    for (const { expr, dd, counts } of accepted.filter((_, i) => i % 6 === 0)) {
      const big = PacketFilter.fromCbpf(dd, { engine, runtime });
      const small = PacketFilter.fromCbpf(dd, { engine, runtime: new Runtime({ maxInputSize: 2048 }) });
      for (const file of ['mixed.pcap', 'mixed-be-ns.pcap']) {
        expect(scanPcapFile(big, `test/fixtures/captures/${file}`), `${expr} ${file}`).toEqual({ packets: 400, matches: counts['mixed.pcap'] });
        expect(scanPcapFile(small, `test/fixtures/captures/${file}`), `${expr} ${file} small`).toEqual({ packets: 400, matches: counts['mixed.pcap'] });
      }
      if (!readsLength(parseCbpf(dd))) expect(scanPcapFile(small, 'test/fixtures/captures/snap64.pcap')!.matches).toBe(counts['snap64.pcap']);
    }
    const filter = PacketFilter.fromCbpf(accepted[0].dd, { engine, runtime });
    expect(scanPcapFile(filter, 'test/fixtures/captures/mixed.pcapng')).toBeUndefined();
    const packets = [...parseCapture(mixedBytes)];
    const progress: number[] = [];
    const cutPath = join(tmpdir(), `scan-cut-${engine}.pcap`);
    writeFileSync(cutPath, mixedBytes.subarray(0, packets[200].offset + 9));
    expect(() => scanPcapFile(filter, cutPath, (at) => progress.push(at))).toThrow(expect.objectContaining({ code: 'CAPTURE_TRUNCATED', offset: packets[200].offset }));
    expect(progress[progress.length - 1]).toBe(packets[200].offset); // every packet before the cut was counted
    const big = Buffer.from(mixedBytes);
    big.writeUInt32LE(0x7fffffff, packets[5].offset + 8);
    writeFileSync(cutPath, big);
    expect(() => scanPcapFile(filter, cutPath)).toThrow(expect.objectContaining({ code: 'CAPTURE_BAD_RECORD', offset: packets[5].offset }));
    writeFileSync(cutPath, encodeCapture([{ data: mixed[0] }], { linkType: 101 }));
    expect(() => scanPcapFile(filter, cutPath)).toThrow(expect.objectContaining({ code: 'CAPTURE_LINKTYPE' }));
    rmSync(cutPath);
  });

  it('refuse a capture of another link type', async () => {
    const filter = PacketFilter.fromCbpf([I(0x06, 0, 0, 1)], { engine, runtime });
    const raw = encodeCapture([{ data: mixed[0] }], { linkType: 101 });
    await expect(async () => {
      for await (const _ of filter.filterCapture([raw])) { /* none */ }
    }).rejects.toThrow(CaptureError);
  });
});

/** Random programs with LD_IND, MSH and ancillary loads near the packets' ends. */
describe('random classic programs in batches', () => {
  it('give the reference\'s verdicts in both engines, short frames included', () => {
    let seed = 99;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const packets = [new Uint8Array(0), mixed[3].subarray(0, 10), ...mixed.filter((_, i) => i % 16 === 0), ...snap64.filter((_, i) => i % 40 === 1)];
    const filters = ENGINE_NAMES.map(() => new Runtime());
    for (let n = 0; n < 120; n++) {
      const prog: CbpfInsn[] = [];
      const len = 2 + Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) {
        const left = len - i; // instructions after this one, the final ret included
        const r = rand();
        const k = pick([0, 1, 12, 14, 20, 23, 40, 59, 60, 61, 62, 63, 64, 0xfff00009, 0xffe00006, 0xfffffff0, 0x80000000]);
        if (r < 0.3) {
          const code = pick([0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1]);
          // LD_ABS in the ancillary range must name a known load (the validator's rule): not 0xfffffff0.
          prog.push(I(code, 0, 0, (code & 0xe0) === 0x20 && k === 0xfffffff0 ? 0xfff00009 : k));
        }
        else if (r < 0.4) prog.push(I(pick([0x20, 0x28, 0x30]), 0, 0, SKF_AD_OFF + pick([0, 4, 8, 20, 24, 32, 40, 44, 48, 60])));
        else if (r < 0.55) prog.push(I(pick([0x01, 0x07, 0x87, 0x80, 0x81]), 0, 0, pick([0, 3, 14, 0xfffffff8, 0x100000])));
        else if (r < 0.75) prog.push(I(pick([0x04, 0x0c, 0x14, 0x54, 0x5c, 0x74, 0x3c, 0x9c]), 0, 0, pick([1, 2, 7, 31])));
        else if (left > 1) prog.push(I(pick([0x15, 0x25, 0x35, 0x45, 0x1d]), Math.floor(rand() * left), Math.floor(rand() * left), pick([0, 6, 0x800, 0x86dd, 64])));
        else prog.push(I(0x16));
      }
      prog.push(I(pick([0x16, 0x06]), 0, 0, 0xffff));
      ENGINE_NAMES.forEach((engine, e) => {
        const r = PacketFilter.fromCbpf(prog, { engine, runtime: filters[e] }).filter(packets);
        expect([...r.verdicts], `${JSON.stringify(prog)} in ${engine}`).toEqual(packets.map((p) => runReference(prog, p)));
      });
    }
  });
});
