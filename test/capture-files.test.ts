/**
 * pcap and pcapng: the generated fixtures (written by scripts/captures/generate.mjs, not by
 * our writer) read alike in every format, byte order and resolution, from a buffer and as
 * a stream in chunks of any size; the writer reproduces the pcap files byte for byte and
 * round-trips pcapng; truncated and corrupt input fails with the byte offset after the
 * packets before it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError, CaptureWriter, captureFormatOf, encodeCapture, parseCapture, readCapture, type CapturePacket,
} from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/captures/${name}`, import.meta.url));
const MIXED = ['mixed.pcap', 'mixed-be-ns.pcap', 'mixed.pcapng', 'mixed-be.pcapng'];
const reference = [...parseCapture(fixture('mixed-be-ns.pcap'))];
const tmp = mkdtempSync(join(tmpdir(), 'capture-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The chunks of `bytes`, `size` bytes each, as a stream would deliver them. */
function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

const summary = (p: CapturePacket) => ({ data: [...p.data].join(','), originalLength: p.originalLength });

describe('reading', () => {
  it('finds 400 packets with the same bytes in every format and byte order', () => {
    expect(reference.length).toBe(400);
    for (const name of MIXED) {
      const packets = [...parseCapture(fixture(name))];
      expect(packets.map(summary), name).toEqual(reference.map(summary));
      expect(packets.every((p) => p.interface.linkType === 1)).toBe(true);
    }
    expect(captureFormatOf(fixture('mixed.pcap'))).toBe('pcap');
    expect(captureFormatOf(fixture('mixed-be.pcapng'))).toBe('pcapng');
  });

  it('converts timestamps by each file\'s resolution', () => {
    const ns = reference.map((p) => p.timestampNs);
    expect(ns[1]).toBe(1_700_000_000_012_345_685n); // nanoseconds, exact
    expect(ns[0]).toBe(1_700_000_000_000_000_000n);
    const micro = [...parseCapture(fixture('mixed.pcap'))].map((p) => p.timestampNs);
    expect(micro).toEqual(ns.map((t) => (t / 1000n) * 1000n));
    expect(reference[0].interface.unitsPerSecond).toBe(1_000_000_000n);
    const ng = [...parseCapture(fixture('mixed.pcapng'))];
    ng.forEach((p, i) => {
      if (i === 7) {
        // The Simple Packet Block: interface 0, no timestamp.
        expect(p.timestampNs).toBe(0n);
        expect(p.interface.id).toBe(0);
      } else if (i % 3 === 2) {
        expect(p.interface).toMatchObject({ id: 1, name: 'eth1', unitsPerSecond: 1_000_000_000n });
        expect(p.timestampNs).toBe(ns[i]);
      } else {
        expect(p.interface).toMatchObject({ id: 0, unitsPerSecond: 1_000_000n });
        expect(p.timestampNs).toBe(micro[i]);
      }
    });
  });

  it('gives each packet its record\'s offset', () => {
    const packets = [...parseCapture(fixture('mixed.pcap'))];
    expect(packets[0].offset).toBe(24);
    expect(packets[1].offset).toBe(24 + 16 + packets[0].data.length);
    const ng = [...parseCapture(fixture('mixed.pcapng'))];
    const bytes = fixture('mixed.pcapng');
    for (const p of ng) expect(bytes.readUInt32LE(p.offset), `block at ${p.offset}`).toBe(p.offset === ng[7].offset ? 3 : 6);
  });

  it('keeps the captured bytes and the wire length apart in a cut capture', () => {
    const cut = [...parseCapture(fixture('snap64.pcap'))];
    expect(cut.map((p) => p.originalLength)).toEqual(reference.map((p) => p.data.length));
    cut.forEach((p, i) => expect([...p.data]).toEqual([...reference[i].data.subarray(0, 64)]));
    expect(cut.some((p) => p.originalLength > 64)).toBe(true);
  });

  it.each(MIXED)('streams %s in chunks of any size, from a path, a Readable or chunks', async (name) => {
    const bytes = fixture(name);
    const expected = [...parseCapture(bytes)].map((p) => ({ ...summary(p), t: p.timestampNs, offset: p.offset }));
    const seen = (ps: CapturePacket[]) => ps.map((p) => ({ ...summary(p), t: p.timestampNs, offset: p.offset }));
    for (const size of [1, 7, 100, 4096]) {
      expect(seen(await collect(readCapture(chunks(bytes, size)))), `chunks of ${size}`).toEqual(expected);
    }
    expect(seen(await collect(readCapture(join('test/fixtures/captures', name), { chunkSize: 333 })))).toEqual(expected);
    expect(seen(await collect(readCapture(Readable.from(chunks(bytes, 1000)))))).toEqual(expected);
  });

  it('pulls chunks only as packets are needed, and stops the source when the caller stops', async () => {
    const bytes = fixture('mixed.pcap');
    let pulled = 0;
    let finished = false;
    async function* source() {
      try {
        for (const c of chunks(bytes, 512)) {
          pulled++;
          yield c;
        }
      } finally {
        finished = true;
      }
    }
    let n = 0;
    for await (const p of readCapture(source())) {
      expect(p.data.length).toBeGreaterThan(0);
      if (++n === 3) break;
    }
    expect(pulled).toBeLessThanOrEqual(2); // three packets lie in the first kilobyte
    expect(finished).toBe(true);
  });

  it('reads a long stream without holding it: views of earlier packets stay intact', async () => {
    const one = [...parseCapture(fixture('mixed.pcap'))];
    const header = fixture('mixed.pcap').subarray(0, 24);
    const records = fixture('mixed.pcap').subarray(24);
    const ROUNDS = 50; // 20,000 packets, 2.8 MB
    async function* source() {
      yield header;
      for (let r = 0; r < ROUNDS; r++) yield* chunks(records, 65536);
    }
    let count = 0;
    let first: CapturePacket | undefined;
    for await (const p of readCapture(source())) {
      first ??= p;
      expect(p.data.length).toBe(one[count % 400].data.length);
      count++;
    }
    expect(count).toBe(400 * ROUNDS);
    expect([...first!.data]).toEqual([...one[0].data]);
  });
});

describe('writing', () => {
  it('reproduces the pcap fixtures byte for byte', () => {
    expect(Buffer.from(encodeCapture(reference))).toEqual(fixture('mixed.pcap'));
    expect(Buffer.from(encodeCapture(reference, { littleEndian: false, nanoseconds: true }))).toEqual(fixture('mixed-be-ns.pcap'));
    const cut = [...parseCapture(fixture('snap64.pcap'))];
    expect(Buffer.from(encodeCapture(cut, { snapLen: 64 }))).toEqual(fixture('snap64.pcap'));
  });

  it('round-trips pcapng with several interfaces and resolutions, in both byte orders', () => {
    const ng = [...parseCapture(fixture('mixed.pcapng'))];
    for (const littleEndian of [true, false]) {
      const bytes = encodeCapture(ng.map((p) => ({ ...p, interfaceId: p.interface.id })), {
        format: 'pcapng', littleEndian,
        interfaces: [{ linkType: 1 }, { linkType: 1, unitsPerSecond: 1_000_000_000n, name: 'eth1' }],
      });
      const back = [...parseCapture(bytes)];
      expect(back.map(summary)).toEqual(ng.map(summary));
      expect(back.map((p) => p.timestampNs)).toEqual(ng.map((p) => p.timestampNs));
      expect(back.map((p) => p.interface)).toEqual(ng.map((p) => p.interface));
    }
  });

  it('writes binary resolutions (2^-n units) and rounds down to nanoseconds reading them', () => {
    const t = 1_700_000_000_123_456_789n;
    const bytes = encodeCapture([{ data: Uint8Array.of(1, 2, 3), timestampNs: t }], { format: 'pcapng', interfaces: [{ unitsPerSecond: 1n << 20n }] });
    const [p] = [...parseCapture(bytes)];
    expect(p.interface.unitsPerSecond).toBe(1n << 20n);
    expect(t - p.timestampNs).toBeGreaterThanOrEqual(0n);
    expect(t - p.timestampNs).toBeLessThan(1_000_000_000n / (1n << 20n) + 1n);
    expect([...p.data]).toEqual([1, 2, 3]);
    expect(p.originalLength).toBe(3);
  });

  it('streams to a file and to a Writable, waiting on backpressure', async () => {
    const path = join(tmp, 'out.pcapng');
    const writer = new CaptureWriter(path, { format: 'pcapng' });
    expect(await writer.writeAll(readCapture(join('test/fixtures/captures', 'mixed.pcap')))).toBe(400);
    await writer.close();
    expect([...parseCapture(readFileSync(path))].map(summary)).toEqual(reference.map(summary));

    const received: Buffer[] = [];
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 256,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        waits++;
        setImmediate(done);
      },
    });
    const w2 = new CaptureWriter(slow, { nanoseconds: true, littleEndian: false });
    await w2.writeAll(reference);
    await w2.close();
    expect(waits).toBe(401);
    expect(Buffer.concat(received)).toEqual(fixture('mixed-be-ns.pcap'));
  });

  it('writes a header for an empty capture, and refuses what a format cannot hold', async () => {
    const pass = new PassThrough();
    const w = new CaptureWriter(pass);
    await w.close();
    expect([...parseCapture(pass.read() as Buffer)]).toEqual([]);
    expect(() => encodeCapture([{ data: new Uint8Array(1), timestampNs: -1n }])).toThrow(RangeError);
    expect(() => encodeCapture([{ data: new Uint8Array(1), interfaceId: 1 }], { format: 'pcapng' })).toThrow(/interfaceId 1/);
    expect(() => encodeCapture([], { format: 'pcapng', interfaces: [{ unitsPerSecond: 3n }] })).toThrow(/power of 10 or 2/);
  });
});

/** The packets a reader yields before it throws, and the error (sync and stream agree). */
async function readUntilError(bytes: Uint8Array): Promise<{ packets: number; error: CaptureError }> {
  let syncCount = 0;
  let syncError: unknown;
  try {
    for (const _ of parseCapture(bytes)) syncCount++;
  } catch (e) {
    syncError = e;
  }
  let count = 0;
  try {
    for await (const _ of readCapture(chunks(bytes, 97))) count++;
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    expect(count).toBe(syncCount);
    expect((e as CaptureError).code).toBe((syncError as CaptureError).code);
    expect((e as CaptureError).offset).toBe((syncError as CaptureError).offset);
    return { packets: count, error: e as CaptureError };
  }
  throw new Error(`no error after ${count} packets`);
}

describe('truncated and corrupt input', () => {
  it.each(['mixed.pcap', 'mixed-be.pcapng'])('%s cut anywhere: the packets before the cut, then the offset of the cut record', async (name) => {
    const bytes = fixture(name);
    const packets = [...parseCapture(bytes)];
    for (const k of [0, 1, 150, 399]) {
      const start = packets[k].offset;
      const end = k + 1 < packets.length ? packets[k + 1].offset : bytes.length;
      for (const cut of [start + 1, start + 15, end - 1]) {
        const { packets: n, error } = await readUntilError(bytes.subarray(0, cut));
        expect(n, `cut at ${cut}`).toBe(k);
        expect(error.code).toBe('CAPTURE_TRUNCATED');
        expect(error.offset).toBe(start);
        expect(error.message).toMatch(new RegExp(`at byte offset ${start}$`));
      }
    }
  });

  it('a file cut inside its header', async () => {
    for (const name of ['mixed.pcap', 'mixed.pcapng']) {
      const { packets, error } = await readUntilError(fixture(name).subarray(0, 10));
      expect(packets).toBe(0);
      expect(error.code).toBe('CAPTURE_TRUNCATED');
      expect(error.offset).toBe(0);
    }
    expect((await readUntilError(new Uint8Array(0))).error.code).toBe('CAPTURE_TRUNCATED');
  });

  it('not a capture', async () => {
    const { error } = await readUntilError(new TextEncoder().encode('hello, world\n'));
    expect(error.code).toBe('CAPTURE_BAD_MAGIC');
    expect(error.message).toBe('not a pcap or pcapng file (starts with 68 65 6c 6c) at byte offset 0');
  });

  it('a pcap record claiming more bytes than any snap length', async () => {
    const bytes = Buffer.from(fixture('mixed.pcap'));
    const packets = [...parseCapture(bytes)];
    bytes.writeUInt32LE(0x7fffffff, packets[10].offset + 8);
    const { packets: n, error } = await readUntilError(bytes);
    expect(n).toBe(10);
    expect(error.code).toBe('CAPTURE_BAD_RECORD');
    expect(error.offset).toBe(packets[10].offset);
  });

  it('a pcap record with a microsecond field of a second or more', async () => {
    const bytes = Buffer.from(fixture('mixed.pcap'));
    const packets = [...parseCapture(bytes)];
    bytes.writeUInt32LE(1_000_000, packets[3].offset + 4);
    const { packets: n, error } = await readUntilError(bytes);
    expect([n, error.code, error.offset]).toEqual([3, 'CAPTURE_BAD_RECORD', packets[3].offset]);
  });

  it('pcapng blocks whose lengths disagree, are not multiples of 4, or name no interface', async () => {
    const good = fixture('mixed.pcapng');
    const packets = [...parseCapture(good)];
    const at = packets[20].offset;
    const length = good.readUInt32LE(at + 4);

    const trailing = Buffer.from(good);
    trailing.writeUInt32LE(length + 4, at + length - 4);
    let r = await readUntilError(trailing);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([20, 'CAPTURE_BAD_BLOCK', at + length - 4]);

    const odd = Buffer.from(good);
    odd.writeUInt32LE(length + 2, at + 4);
    r = await readUntilError(odd);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([20, 'CAPTURE_BAD_BLOCK', at + 4]);

    const iface = Buffer.from(good);
    iface.writeUInt32LE(5, at + 8);
    r = await readUntilError(iface);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([20, 'CAPTURE_BAD_INTERFACE', at]);
    expect(r.error.message).toMatch(/interface 5, but the section describes 2/);

    const capLen = Buffer.from(good);
    capLen.writeUInt32LE(length, at + 20);
    r = await readUntilError(capLen);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([20, 'CAPTURE_BAD_BLOCK', at]);
  });

  it('pcapng section headers: a bad byte-order magic or version; a second section starts its own interfaces', async () => {
    const good = fixture('mixed.pcapng');
    const magic = Buffer.from(good);
    magic.writeUInt32LE(0x12345678, 8);
    let r = await readUntilError(magic);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([0, 'CAPTURE_BAD_MAGIC', 8]);
    const version = Buffer.from(good);
    version.writeUInt16LE(2, 12);
    r = await readUntilError(version);
    expect([r.packets, r.error.code, r.error.offset]).toEqual([0, 'CAPTURE_BAD_VERSION', 12]);

    // Two sections, the second big-endian: 800 packets, interface ids counted per section.
    const both = [...parseCapture(Buffer.concat([good, fixture('mixed-be.pcapng')]))];
    expect(both.length).toBe(800);
    expect(both.slice(400).map(summary)).toEqual(reference.map(summary));
    expect(both[402].interface).toMatchObject({ id: 1, name: 'eth1' });
    expect(both[402].offset).toBe(good.length + (both[2].offset));
  });
});
