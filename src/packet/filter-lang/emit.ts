import { cbpfInsn, type CbpfInsn } from '../cbpf/insn.js';
import { dropReloads } from './reuse.js';
import { threadJumps } from './thread.js';
import type { Item, Label } from './items.js';

/**
 * Classic BPF with symbolic jump targets. Code generation only ever jumps to labels placed
 * later (a classic program may only jump forward), and a conditional jump's offsets are 8
 * bits: `finish` routes any longer jump through an inserted `ja` (32-bit offset).
 */
export type { Label } from './items.js';

/** Opcodes the generator emits (include/uapi/linux/filter.h). */
export const OP = {
  ldW: 0x20, ldH: 0x28, ldB: 0x30, ldIndW: 0x40, ldIndH: 0x48, ldIndB: 0x50, ldLen: 0x80, ldImm: 0x00, ldMem: 0x60,
  ldxMem: 0x61, ldxMsh: 0xb1, st: 0x02, tax: 0x07, ret: 0x06, neg: 0x84,
  jeq: 0x15, jgt: 0x25, jge: 0x35, jset: 0x45,
} as const;
/** `X` instead of `k` as the second operand of an ALU op or a jump. */
export const SRC_X = 0x08;

export class CbpfEmitter {
  private readonly items: Item[] = [];
  private labels = 0;

  newLabel(): Label {
    return this.labels++;
  }

  place(label: Label): void {
    this.items.push({ kind: 'label', id: label });
  }

  stmt(code: number, k = 0): void {
    this.items.push({ kind: 'insn', code, k });
  }

  jump(code: number, k: number, jt: Label, jf: Label): void {
    this.items.push({ kind: 'insn', code, k, jt, jf });
  }

  ja(to: Label): void {
    this.items.push({ kind: 'ja', to });
  }

  /** The program; `optimize` (default) threads jumps and drops reloads first. */
  finish(optimize = true): CbpfInsn[] {
    if (optimize) this.items.splice(0, this.items.length, ...dropReloads(threadJumps(this.items, () => this.newLabel())));
    for (;;) {
      const at = this.positions();
      const far = this.firstFarJump(at);
      if (far === undefined) return this.resolve(at);
      const item = this.items[far] as Extract<Item, { kind: 'insn' }>;
      // Send the far side(s) to `ja` instructions right after the jump.
      const extra: Item[] = [];
      for (const side of ['jt', 'jf'] as const) {
        const to = item[side]!;
        if (at.labels[to] - (at.insn[far] + 1) <= 255) continue;
        const hop = this.newLabel();
        extra.push({ kind: 'label', id: hop }, { kind: 'ja', to });
        item[side] = hop;
      }
      this.items.splice(far + 1, 0, ...extra);
    }
  }

  private positions(): { insn: number[]; labels: number[] } {
    const insn: number[] = [];
    const labels: number[] = new Array<number>(this.labels).fill(-1);
    let pc = 0;
    for (const it of this.items) {
      insn.push(pc);
      if (it.kind === 'label') labels[it.id] = pc;
      else pc++;
    }
    return { insn, labels };
  }

  private firstFarJump(at: { insn: number[]; labels: number[] }): number | undefined {
    const i = this.items.findIndex((it, n) => it.kind === 'insn' && it.jt !== undefined
      && (at.labels[it.jt] - (at.insn[n] + 1) > 255 || at.labels[it.jf!] - (at.insn[n] + 1) > 255));
    return i < 0 ? undefined : i;
  }

  private resolve(at: { insn: number[]; labels: number[] }): CbpfInsn[] {
    const out: CbpfInsn[] = [];
    const offset = (label: Label, n: number) => {
      const to = at.labels[label];
      if (to < 0 || to <= at.insn[n] ) throw new Error(`filter code generation: label ${label} not placed after its jump`);
      return to - (at.insn[n] + 1);
    };
    this.items.forEach((it, n) => {
      if (it.kind === 'insn') out.push(cbpfInsn(it.code, it.jt === undefined ? 0 : offset(it.jt, n), it.jf === undefined ? 0 : offset(it.jf, n), it.k));
      else if (it.kind === 'ja') out.push(cbpfInsn(0x05, 0, 0, offset(it.to, n)));
    });
    return out;
  }
}
