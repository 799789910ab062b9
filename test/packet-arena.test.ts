/**
 * PacketArena: packets placed once in a memory of their own and filtered there by any
 * number of filters, the module walking pcap records (or the offset and length arrays)
 * itself; the same verdicts as PacketFilter.filter and tcpdump's counts, in both engines;
 * worker threads over a shared arena give the one-thread verdicts; scanPcapFile counts a
 * file read in small chunks (records cut between chunks, longer than a chunk, a cut or
 * corrupt file) as the whole file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeFilterWorkers, encodeCapture, ENGINE_NAMES, PacketArena, PacketFilter, parseCapture, Runtime, scanPcapFile, type EngineName,
} from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/captures/${name}`, import.meta.url);
const corpus = JSON.parse(readFileSync(fixture('tcpdump-corpus.json'), 'utf8')) as {
  expressions: { expr: string; dd: string; counts: Record<string, number> }[];
};
const accepted = corpus.expressions.filter((e) => !e.expr.includes('protochain'));
const some = accepted.filter((_, i) => i % 5 === 0);
const mixedBytes = new Uint8Array(readFileSync(fixture('mixed.pcap')));
const mixedBe = new Uint8Array(readFileSync(fixture('mixed-be-ns.pcap')));
const records = [...parseCapture(mixedBytes)];
const mixed = records.map((p) => p.data);
/** 10,000 packets of mixed.pcap in a shuffled order: more than two of a pcap arena's split points. */
const many = Array.from({ length: 10_000 }, (_, i) => mixed[(i * 7919) % mixed.length]);
const manyFile = encodeCapture(many.map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n })));
const tmp = (name: string) => join(tmpdir(), `ebpf-wasm-arena-${process.pid}-${name}`);

afterAll(() => closeFilterWorkers());

describe.each(ENGINE_NAMES)('arenas in %s', (engine: EngineName) => {
  const runtime = new Runtime();

  it('give filter()\'s verdicts and tcpdump\'s counts, over pcap (both byte orders), buffer and packet arenas', () => {
    const arenas = [
      PacketArena.fromPcap(mixedBytes), PacketArena.fromPcap(mixedBe),
      PacketArena.fromBuffer(mixedBytes, records.map((p) => p.data.byteOffset - mixedBytes.byteOffset), mixed.map((p) => p.length)),
      PacketArena.fromPackets(mixed),
    ];
    for (const { expr, dd, counts } of some) {
      const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
      const expected = [...filter.filter(mixed).verdicts];
      for (const arena of arenas) {
        expect(arena.count).toBe(400);
        const r = filter.filterArena(arena);
        expect(r.matches, expr).toBe(counts['mixed.pcap']);
        expect([...r.verdicts], expr).toEqual(expected);
        expect(filter.countArena(arena), expr).toBe(counts['mixed.pcap']);
      }
    }
  });

  it('keep each filter\'s verdicts apart, into the caller\'s array', () => {
    const arena = PacketArena.fromPcap(manyFile);
    const tcp = PacketFilter.fromCbpf(accepted.find((e) => e.expr === 'tcp')!.dd, { engine, runtime });
    const udp = PacketFilter.fromCbpf(accepted.find((e) => e.expr === 'udp')!.dd, { engine, runtime });
    const verdicts = new Uint32Array(10_001);
    const t = tcp.filterArena(arena, { verdicts });
    expect(t.verdicts.length).toBe(10_000);
    expect([...t.verdicts]).toEqual([...tcp.filter(many).verdicts]);
    expect(udp.countArena(arena)).toBe(udp.filter(many).matches);
    expect(() => tcp.filterArena(arena, { verdicts: new Uint32Array(3) })).toThrow(/room for 3 verdicts/);
  });

  it('refuse cut and corrupt pcap files, and other link types, with the offset', () => {
    expect(() => PacketArena.fromPcap(mixedBytes.subarray(0, records[200].offset + 9))).toThrow(expect.objectContaining({ code: 'CAPTURE_TRUNCATED', offset: records[200].offset }));
    const bad = new Uint8Array(mixedBytes);
    new DataView(bad.buffer).setUint32(records[5].offset + 8, 0x7fffffff, true);
    expect(() => PacketArena.fromPcap(bad)).toThrow(expect.objectContaining({ code: 'CAPTURE_BAD_RECORD', offset: records[5].offset }));
    expect(() => PacketArena.fromPcap(new Uint8Array(readFileSync(fixture('mixed.pcapng'))))).toThrow(expect.objectContaining({ code: 'CAPTURE_BAD_MAGIC' }));
    const raw = PacketArena.fromPcap(encodeCapture([{ data: mixed[0] }], { linkType: 101 }));
    const filter = PacketFilter.fromCbpf(accepted[0].dd, { engine, runtime });
    expect(() => filter.countArena(raw)).toThrow(expect.objectContaining({ code: 'CAPTURE_LINKTYPE' }));
    expect(() => PacketArena.fromBuffer(mixedBytes, [mixedBytes.length - 4], [10])).toThrow(/packet 0 .* is outside the buffer/);
  });

  it('read a pcap file straight into the arena', () => {
    const path = tmp(`read-${engine}.pcap`);
    writeFileSync(path, manyFile);
    try {
      const arena = PacketArena.readPcap(path);
      expect(arena.count).toBe(10_000);
      const filter = PacketFilter.fromCbpf(accepted.find((e) => e.expr === 'ip6')!.dd, { engine, runtime });
      expect(filter.countArena(arena)).toBe(filter.filter(many).matches);
    } finally {
      rmSync(path);
    }
  });

  it('spread over worker threads with the one-thread verdicts and counts', async () => {
    const arenas = [PacketArena.fromPcap(manyFile, { shared: true }), PacketArena.fromPackets(many, { shared: true })];
    for (const { expr, dd } of some.slice(0, 6)) {
      const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
      const expected = filter.filter(many);
      for (const arena of arenas) {
        expect(arena.shared).toBe(true);
        for (const workers of [1, 2, 3, 5]) {
          const r = await filter.filterArena(arena, { workers });
          expect(r.matches, `${expr} ${workers}`).toBe(expected.matches);
          expect(r.verdicts, `${expr} ${workers}`).toEqual(expected.verdicts);
          expect(await filter.countArena(arena, { workers }), `${expr} ${workers}`).toBe(expected.matches);
        }
        expect(filter.filterArena(arena).verdicts).toEqual(expected.verdicts);
      }
    }
    const filter = PacketFilter.fromCbpf(accepted[0].dd, { engine, runtime });
    expect(() => filter.countArena(PacketArena.fromPackets(mixed), { workers: 2 })).toThrow(/shared/);
    const arena = arenas[0];
    const running = filter.filterArena(arena, { workers: 2 });
    if (engine === 'jit') expect(() => filter.filterArena(arena)).toThrow(/worker threads/);
    await running;
    expect(() => filter.filterArena(arena, { workers: 0 })).toThrow(RangeError);
  });

  it('count a pcap file over worker threads as one scan does, also when a thread guesses a record boundary wrong', async () => {
    const path = tmp(`workers-${engine}.pcap`);
    // Packets whose bytes hold runs of plausible pcap records: a thread starting inside one takes it for a boundary.
    const fake = new Uint8Array(1400);
    fake.set(mixed[0].subarray(0, 14));
    for (let at = 14; at + 36 <= fake.length; at += 36) new DataView(fake.buffer).setUint32(at + 8, 20, true) || new DataView(fake.buffer).setUint32(at + 12, 20, true);
    const tricky = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? fake : mixed[i % mixed.length]));
    // Records longer than a thread's range: most ranges hold no record's start.
    const jumbo = Array.from({ length: 24 }, (_, i) => { const p = new Uint8Array(9000); p.set(mixed[i]); return p; });
    try {
      for (const [file, packets] of [[manyFile, many], [mixedBe, mixed], [encodeCapture(tricky.map((data) => ({ data }))), tricky], [encodeCapture(jumbo.map((data) => ({ data }))), jumbo]] as const) {
        writeFileSync(path, file);
        for (const { expr, dd } of some.slice(0, 3)) {
          const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
          const expected = { packets: packets.length, matches: filter.filter(packets).matches };
          for (const workers of [1, 2, 3, 8, 40]) {
            expect(await scanPcapFile(filter, path, { workers, chunkBytes: 1000 }), `${expr} ${workers}`).toEqual(expected);
          }
        }
      }
      const filter = PacketFilter.fromCbpf(accepted[0].dd, { engine, runtime });
      writeFileSync(path, mixedBytes.subarray(0, records[300].offset + 9));
      await expect(scanPcapFile(filter, path, { workers: 3 })).rejects.toMatchObject({ code: 'CAPTURE_TRUNCATED', offset: records[300].offset });
      expect(() => scanPcapFile(filter, path, { workers: 0 })).toThrow(RangeError);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('count a pcap file read in small chunks: records cut between chunks, longer than a chunk, cut or corrupt files', () => {
    const path = tmp(`scan-${engine}.pcap`);
    try {
      for (const file of [manyFile, mixedBe]) {
        writeFileSync(path, file);
        const packets = file === manyFile ? many : mixed;
        for (const { expr, dd } of some.slice(0, 4)) {
          const filter = PacketFilter.fromCbpf(dd, { engine, runtime });
          const expected = { packets: packets.length, matches: filter.filter(packets).matches };
          // 64 bytes: most records (up to 1514 bytes) are longer than a chunk.
          for (const chunkBytes of [64, 100, 333, 4096, 1 << 20]) {
            expect(scanPcapFile(filter, path, { chunkBytes }), `${expr} ${chunkBytes}`).toEqual(expected);
          }
        }
      }
      const filter = PacketFilter.fromCbpf(accepted[0].dd, { engine, runtime });
      for (const [cut, at] of [[records[200].offset + 9, records[200].offset], [records[399].offset + 20, records[399].offset], [records[3].offset, undefined]] as const) {
        writeFileSync(path, mixedBytes.subarray(0, cut));
        const progress: number[] = [];
        for (const chunkBytes of [64, 1000]) {
          const scan = () => scanPcapFile(filter, path, { chunkBytes, onProgress: (p) => progress.push(p) });
          if (at === undefined) expect(scan()!.packets).toBe(3);
          else expect(scan).toThrow(expect.objectContaining({ code: 'CAPTURE_TRUNCATED', offset: at }));
        }
        expect(progress[progress.length - 1]).toBe(at ?? cut);
      }
      const bad = new Uint8Array(mixedBytes);
      new DataView(bad.buffer).setUint32(records[5].offset + 4, 2_000_000, true);
      writeFileSync(path, bad);
      expect(() => scanPcapFile(filter, path, { chunkBytes: 64 })).toThrow(expect.objectContaining({ code: 'CAPTURE_BAD_RECORD', offset: records[5].offset }));
      expect(() => scanPcapFile(filter, path, { chunkBytes: 8 })).toThrow(RangeError);
    } finally {
      rmSync(path, { force: true });
    }
  });
});
