import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs fixture modules without type declarations
import { programsOf } from './fixtures/program-types/elf-programs.mjs';
// @ts-expect-error -- plain .mjs fixture modules without type declarations
import { FEW_PACKETS, PACKETS } from './fixtures/program-types/packets.mjs';

/**
 * The kernel recording of test/fixtures/program-types (recorded by its record.mjs
 * with root and bpftool; see its README.md) is complete and consistent with the
 * checked-in objects and the packet generator. This checks the fixture only, not
 * an engine.
 */

const DIR = new URL('./fixtures/program-types/', import.meta.url);

interface Run { packet: string; retval?: number; dataOut?: string; error?: string }
interface Prog { object: string; function: string; section: string; type: string; runs: Run[] }
interface Recording {
  kernel: string; bpftool: string; recorded: string;
  packets: Record<string, string>;
  programs: Prog[];
}

const rec = JSON.parse(readFileSync(new URL('recording.json', DIR), 'utf8')) as Recording;
const packets = PACKETS as [string, Uint8Array][];
const few = new Set<string>();
for (const c of readdirSync(DIR).filter((f) => f.endsWith('.c')))
  for (const m of readFileSync(new URL(c, DIR), 'utf8').matchAll(/^\/\/ @few-packets:(.*)$/gm))
    for (const name of m[1]!.trim().split(/\s+/)) few.add(name);

const TYPE_OF_SECTION: Record<string, string> = { xdp: 'xdp', socket: 'socket_filter', tc: 'sched_cls' };

describe('program-types recording', () => {
  it('has exactly the documented top-level fields', () => {
    expect(Object.keys(rec)).toEqual(['kernel', 'bpftool', 'recorded', 'packets', 'programs']);
    expect(rec.kernel).not.toBe('');
    expect(rec.bpftool).toMatch(/^bpftool v/);
    expect(rec.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('holds the packets packets.mjs generates, in order', () => {
    expect(Object.keys(rec.packets)).toEqual(packets.map(([n]) => n));
    for (const [name, bytes] of packets) expect(rec.packets[name]).toBe(Buffer.from(bytes).toString('hex'));
    expect(Object.values(rec.packets).some((h) => h.length / 2 >= 1500)).toBe(true);
  });

  it('runs every program on every packet (FEW_PACKETS for the @few-packets ones)', () => {
    for (const p of rec.programs) {
      const expected = few.has(p.function) ? packets.map(([n]) => n).filter((n) => FEW_PACKETS.includes(n)) : packets.map(([n]) => n);
      expect(p.runs.map((r) => r.packet), p.function).toEqual(expected);
      for (const r of p.runs) {
        if (r.error !== undefined) {
          expect(Object.keys(r), `${p.function} ${r.packet}`).toEqual(['packet', 'error']);
        } else {
          expect(Object.keys(r), `${p.function} ${r.packet}`).toEqual(['packet', 'retval', 'dataOut']);
          expect(Number.isInteger(r.retval) && r.retval! >= 0 && r.retval! < 2 ** 32).toBe(true);
          expect(r.dataOut).toMatch(/^([0-9a-f]{2})+$/);
        }
      }
    }
    expect(rec.programs.filter((p) => few.has(p.function)).length).toBe(few.size);
  });

  it('records the 13-byte frame as an error for every program', () => {
    for (const p of rec.programs) expect(p.runs.find((r) => r.packet === 'frame_13')?.error, p.function).toMatch(/Invalid argument/);
  });

  it('names the programs of the checked-in objects, with the type libbpf derives from the section', () => {
    const objects = readdirSync(DIR).filter((f) => f.endsWith('.o')).sort();
    expect([...new Set(rec.programs.map((p) => p.object))]).toEqual(objects);
    for (const o of objects) {
      expect(existsSync(new URL(o.replace(/\.o$/, '.c'), DIR))).toBe(true);
      const inElf = programsOf(readFileSync(new URL(o, DIR)), o) as { function: string; section: string }[];
      const recorded = rec.programs.filter((p) => p.object === o);
      expect(recorded.map((p) => [p.function, p.section])).toEqual(inElf.map((p) => [p.function, p.section]));
      for (const p of recorded) expect(p.type).toBe(TYPE_OF_SECTION[p.section]);
    }
  });
});
