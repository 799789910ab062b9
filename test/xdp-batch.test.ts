/**
 * XDP programs as batch filters (PacketFilter.fromXdp, src/packet/batch/ebpf-batch.ts):
 * every packet presented through its own struct xdp_md where it lies in the batch, the
 * same verdicts as one xdp run per packet, maps reached as in a run, and what a batch
 * cannot give a program refused when it loads.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { VerifierError } from '../src/errors.js';
import { jit } from '../src/jit/jit.js';
// The main entry, which hands the packet filters the JIT.
import { PacketArena, PacketFilter } from '../src/index.js';
import { Runtime } from '../src/runtime/runtime.js';
import { seededRandom } from './support/seeded-random.js';

/** Passes IPv4 frames to a TCP port below 1024 (with the IP header's real length), drops the rest. */
const LOW_TCP_PORTS = `
  ldxw %r2, [%r1+0]         # data
  ldxw %r3, [%r1+4]         # data_end
  mov %r0, 1                # XDP_DROP
  mov %r4, %r2
  add %r4, 34
  jgt %r4, %r3, out         # Ethernet + 20 bytes of IPv4
  ldxh %r5, [%r2+12]
  jne %r5, 0x8, out         # EtherType 0x0800, read little-endian
  ldxb %r5, [%r2+23]
  jne %r5, 6, out           # TCP
  ldxb %r5, [%r2+14]
  and %r5, 15
  lsh %r5, 2                # the IP header's length
  jlt %r5, 20, out
  mov %r4, %r2
  add %r4, 14
  add %r4, %r5              # the TCP header
  mov %r6, %r4
  add %r6, 4
  jgt %r6, %r3, out
  ldxh %r5, [%r4+2]
  be16 %r5                  # destination port
  jge %r5, 1024, out
  mov %r0, 2                # XDP_PASS
out:
  exit`;

function randomFrames(count: number, seed: number): Uint8Array[] {
  const next = seededRandom(seed);
  const byte = () => Math.floor(next() * 256);
  return Array.from({ length: count }, () => {
    const frame = Uint8Array.from({ length: 10 + Math.floor(next() * 80) }, byte);
    if (frame.length > 23 && next() < 0.7) {
      frame[12] = 0x08; frame[13] = 0;                       // IPv4
      frame[14] = 0x40 | (4 + Math.floor(next() * 4));         // IHL 4-7
      if (next() < 0.8) frame[23] = 6;                         // TCP
      const port = 14 + (frame[14] & 15) * 4 + 2;
      if (port + 1 < frame.length && next() < 0.5) { frame[port] = next() < 0.8 ? 0 : 4; frame[port + 1] = byte(); }
    }
    return frame;
  });
}

/** One xdp run per packet: 1 for XDP_PASS (frames under 14 bytes cannot be run: the batch's program drops them itself). */
function oneByOne(source: string, frames: readonly Uint8Array[]): number[] {
  const single = jit(assemble(source), { programType: 'xdp' });
  return frames.map((f) => (f.length < 14 ? 0 : single(f) === 2n ? 1 : 0));
}

describe('PacketFilter.fromXdp', () => {
  const frames = randomFrames(600, 7);
  const expected = oneByOne(LOW_TCP_PORTS, frames);

  it.each(['jit', 'interp'] as const)('gives every packet the verdict of its own xdp run (%s)', (engine) => {
    expect(expected.filter((v) => v === 1).length).toBeGreaterThan(20);
    const filter = PacketFilter.fromXdp(assemble(LOW_TCP_PORTS), { engine });
    const batch = filter.filter(frames);
    expect([...batch.verdicts]).toEqual(expected);
    expect(batch.matches).toBe(expected.filter((v) => v === 1).length);
    expect(frames.slice(0, 50).map((f) => filter.match(f))).toEqual(expected.slice(0, 50));
    // The same packets in one buffer, and placed once in an arena.
    const buffer = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    const offsets: number[] = [];
    frames.reduce((at, f) => { buffer.set(f, at); offsets.push(at); return at + f.length; }, 0);
    expect([...filter.filterBuffer(buffer, offsets, frames.map((f) => f.length)).verdicts]).toEqual(expected);
    const fromArena = filter.filterArena(PacketArena.fromPackets(frames));
    expect(fromArena instanceof Promise ? undefined : [...fromArena.verdicts]).toEqual(expected);
  });

  it("reaches the runtime's maps as a run does: a counter sees every packet", () => {
    const runtime = new Runtime();
    const counter = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    const counting = `
      mov %r6, %r1
      stw [%r10-4], 0
      mov %r2, %r10
      add %r2, -4
      lddw %r1, map_fd(${counter.fd})
      call 1                    # bpf_map_lookup_elem
      jeq %r0, 0, out
      mov %r1, 1
      lock add [%r0+0], %r1
    out:
      mov %r0, 2
      exit`;
    const filter = PacketFilter.fromXdp(assemble(counting), { runtime });
    expect(filter.filter(frames).matches).toBe(frames.length);
    expect(new DataView(counter.lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true)).toBe(BigInt(frames.length));
  });

  it('refuses what the kernel refuses for xdp, and helpers that need the frame itself', () => {
    const unchecked = 'ldxw %r2, [%r1+0]\nldxb %r0, [%r2+20]\nexit';
    expect(() => PacketFilter.fromXdp(assemble(unchecked))).toThrow(VerifierError);
    const adjust = 'mov %r6, %r1\nmov %r2, -4\ncall 44\nmov %r0, 2\nexit';
    expect(() => PacketFilter.fromXdp(assemble(adjust))).toThrow(/needs the program's own frame/);
    expect(() => PacketFilter.fromXdp('exit' as never)).toThrow(TypeError);
  });
});
