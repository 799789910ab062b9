/**
 * Classic BPF translated to eBPF and run as sched_cls in both engines gives what the
 * kernel's cBPF semantics give: tcpdump's own programs match exactly the packets tcpdump
 * matched (the recorded counts), every verdict equals an independent cBPF interpreter's
 * (test/support/cbpf-reference.ts) on every generated packet, and hand-written programs
 * pin each rule (u32 ret, loads past the end, division by X = 0, MSH, scratch, jumps).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileCbpf, ENGINE_NAMES, loadCbpf, parseCapture, parseCbpf, Runtime, type CbpfInsn, type EngineName,
} from '../src/index.js';
import { runReference } from './support/cbpf-reference.js';
import { C, cases, frame, I, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF } from './support/cbpf-cases.js';
import { seededRandom } from './support/seeded-random.js';

const fixture = (name: string) => new URL(`./fixtures/captures/${name}`, import.meta.url);
const corpus = JSON.parse(readFileSync(fixture('tcpdump-corpus.json'), 'utf8')) as {
  expressions: { expr: string; dd: string; counts: Record<string, number> }[];
};
const frames = (file: string) => [...parseCapture(readFileSync(fixture(file)))].map((p) => p.data);
const mixed = frames('mixed.pcap');
const snap64 = frames('snap64.pcap');

const runtimes = new Map<EngineName, Runtime>(ENGINE_NAMES.map((e) => [e, new Runtime()]));
const load = (prog: string | readonly CbpfInsn[], engine: EngineName) => loadCbpf(prog, { engine, runtime: runtimes.get(engine) });

/** Whether a program reads the length (ld/ldx #len), which libpcap takes from the wire, not the capture. */
const readsLength = (prog: readonly CbpfInsn[]) => prog.some((i) => i.code === 0x80 || i.code === 0x81);

describe.each(ENGINE_NAMES)('tcpdump -dd programs in %s', (engine) => {
  const accepted = corpus.expressions.filter((e) => !e.expr.includes('protochain'));

  it('match exactly the packets tcpdump -r matched, with the reference\'s verdicts', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(60);
    expect(mixed.length).toBe(400);
    for (const { expr, dd, counts } of accepted) {
      const prog = load(dd, engine);
      const cbpf = parseCbpf(dd);
      const check = (packets: Uint8Array[], file: string) => {
        let matches = 0;
        packets.forEach((frame, i) => {
          const r0 = prog(frame);
          expect(r0, `${expr}: packet ${i} of ${file}`).toBe(BigInt(runReference(cbpf, frame)));
          if (r0 !== 0n) matches++;
        });
        expect(matches, `${expr} on ${file}`).toBe(counts[file]);
      };
      check(mixed, 'mixed.pcap');
      // libpcap's `len` is the wire length; a sched_cls run's is the captured length.
      if (!readsLength(cbpf)) check(snap64, 'snap64.pcap');
    }
  });

  it('some expressions match differently on the cut capture, because loads past its end drop the packet', () => {
    const deep = accepted.filter((e) => e.counts['mixed.pcap'] !== e.counts['snap64.pcap'] && !readsLength(parseCbpf(e.dd)));
    expect(deep.map((e) => e.expr)).toEqual(['udp[40] > 127', 'tcp[32:4] != 0', 'ip[100] = 0']);
  });
});

describe.each(ENGINE_NAMES)('the kernel\'s cBPF semantics in %s', (engine) => {
  it.each(cases)('%s', (_, prog, expected, input = frame) => {
    expect(runReference(prog, input)).toBe(expected); // the reference agrees with the case
    expect(load(prog, engine)(input)).toBe(BigInt(expected));
  });
});

describe('the translation', () => {
  it('keeps A in r0, X in r7 and the context in r6, and maps each classic instruction to where its code starts', () => {
    const { insns, starts } = compileCbpf([I(C.LD_H, 0, 0, 12), I(C.JEQ_K, 0, 1, 0x800), I(C.RET_K, 0, 0, 1), I(C.RET_K)]);
    expect(insns.slice(0, 3).map((i) => `${i.spec.mnemonic} ${i.dst} ${i.src} ${i.imm}`)).toEqual(['mov 6 1 0', 'mov32 0 0 0', 'mov32 7 0 0']);
    expect(starts).toEqual([3, 4, 5, 7]);
    expect(insns[4].spec.mnemonic).toBe('jne32'); // jt = 0: inverted, straight to the false target
    expect(insns[4].pc + 1 + insns[4].off).toBe(7);
  });
});

/** Random programs the kernel accepts: loads, ALU, scratch (stored before loaded), forward jumps. */
function randomProgram(rand: () => number): CbpfInsn[] {
  const n = 3 + Math.floor(rand() * 25);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const k = () => pick([0, 1, 2, 3, 4, 5, 6, 8, 12, 13, 14, 20, 23, 30, 40, 60, 0x7f, 0x800, 0x80000000, 0xffffffff, Math.floor(rand() * 2 ** 32)]);
  const off = () => pick([0, 1, 12, 14, 20, 23, 30, 34, 36, 40, 54, 58, 62, 100, 0x7fff, SKF_NET_OFF + 9, SKF_LL_OFF + 6, SKF_AD_OFF, SKF_AD_OFF + 4, SKF_AD_OFF + 40]);
  const prog: CbpfInsn[] = [I(C.ST, 0, 0, 0), I(C.STX, 0, 0, 1)];
  while (prog.length < n) {
    const left = n - prog.length; // instructions after this one, the final ret included
    const r = rand();
    if (r < 0.25) prog.push(I(pick([C.LD_W, C.LD_H, C.LD_B, C.LD_IND_W, C.LD_IND_H, C.LD_IND_B, C.LDX_MSH]), 0, 0, off()));
    else if (r < 0.35) prog.push(I(pick([C.LD_IMM, C.LDX_IMM, C.LD_LEN, C.LDX_LEN, C.TAX, C.TXA]), 0, 0, k()));
    else if (r < 0.45) prog.push(I(pick([C.LD_MEM, C.LDX_MEM]), 0, 0, Math.floor(rand() * 2)));
    else if (r < 0.5) prog.push(I(pick([C.ST, C.STX]), 0, 0, Math.floor(rand() * 2)));
    else if (r < 0.72) {
      const op = pick([0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x94, 0xa4]);
      const x = rand() < 0.4;
      let kk = k();
      if ((op === 0x34 || op === 0x94) && kk === 0) kk = 3;
      if (op === 0x64 || op === 0x74) kk &= 31;
      prog.push(rand() < 0.05 ? I(C.NEG) : I(op | (x ? 0x08 : 0), 0, 0, x ? 0 : kk));
    } else if (r < 0.92 && left > 1) {
      const span = Math.min(left - 1, 255);
      const jt = Math.floor(rand() * (span + 1));
      const jf = Math.floor(rand() * (span + 1));
      if (rand() < 0.15) prog.push(I(C.JA, 0, 0, jt));
      else prog.push(I(pick([0x15, 0x25, 0x35, 0x45]) | (rand() < 0.3 ? 0x08 : 0), jt, jf, k()));
    } else {
      prog.push(rand() < 0.5 ? I(C.RET_A) : I(C.RET_K, 0, 0, k()));
    }
  }
  prog.push(rand() < 0.5 ? I(C.RET_A) : I(C.RET_K, 0, 0, k()));
  return prog;
}

describe('random classic programs', () => {
  it('give the reference\'s verdict in both engines on generated packets', () => {
    const rand = seededRandom(2024);
    const packets = [frame, ...mixed.filter((_, i) => i % 20 === 0), ...snap64.filter((_, i) => i % 25 === 3)];
    let nonZero = 0;
    for (let p = 0; p < 150; p++) {
      const prog = randomProgram(rand);
      const engines = ENGINE_NAMES.map((e) => load(prog, e));
      for (const pkt of packets) {
        const expected = BigInt(runReference(prog, pkt));
        if (expected !== 0n) nonZero++;
        for (const e of engines) expect(e(pkt), `program ${p} ${JSON.stringify(prog)} (${e.engine})`).toBe(expected);
      }
    }
    expect(nonZero).toBeGreaterThan(1000); // the programs do more than drop
  });
});
