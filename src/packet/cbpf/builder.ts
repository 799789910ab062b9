import { makeInsn, type Insn, type InsnFields } from '../../decode/insn.js';
import { SPECS_BY_MNEMONIC, type Form, type OpSpec } from '../../decode/opcodes.js';
import { CompileError } from '../../errors.js';

/**
 * Builds an eBPF program whose jumps name their targets (a classic instruction's index, or
 * a label) instead of offsets, resolved once every instruction is placed: the translation
 * grows each classic instruction into a varying number of eBPF ones, so offsets are only
 * known at the end. Every instruction is one slot (no lddw), so an index is a pc.
 */
export type JumpTarget = { readonly cbpf: number } | { readonly label: string };

interface Pending {
  readonly spec: OpSpec;
  readonly fields: InsnFields;
  readonly target?: JumpTarget;
}

const specCache = new Map<string, OpSpec>();
function spec(mnemonic: string, form: Form): OpSpec {
  const key = `${mnemonic}/${form}`;
  let s = specCache.get(key);
  if (!s) {
    s = SPECS_BY_MNEMONIC.get(mnemonic)?.find((r) => r.form === form);
    if (!s) throw new CompileError('CBPF_TRANSLATION', `no eBPF instruction ${mnemonic} (${form})`);
    specCache.set(key, s);
  }
  return s;
}

export class EbpfBuilder {
  private readonly out: Pending[] = [];
  private readonly labels = new Map<string, number>();
  private readonly jumpedTo = new Set<string>();
  private fresh = 0;
  /** The pc where each classic instruction's code starts, in the order they were begun. */
  readonly starts: number[] = [];

  get length(): number {
    return this.out.length;
  }

  emit(mnemonic: string, form: Form, fields: InsnFields = {}, target?: JumpTarget): void {
    if (target && 'label' in target) this.jumpedTo.add(target.label);
    this.out.push({ spec: spec(mnemonic, form), fields, target });
  }

  /** A label name no other call returned, for code that needs its own. */
  freshLabel(prefix: string): string {
    return `${prefix}.${this.fresh++}`;
  }

  /** Whether some jump emitted so far goes to the label. */
  isJumpedTo(name: string): boolean {
    return this.jumpedTo.has(name);
  }

  /** Marks where classic instruction `starts.length` begins. */
  beginClassic(): void {
    this.starts.push(this.out.length);
  }

  label(name: string): void {
    this.labels.set(name, this.out.length);
  }

  /** The instructions with every jump's offset filled in. */
  finish(): Insn[] {
    return this.out.map((p, i) => {
      if (p.target === undefined) return makeInsn(p.spec, p.fields, i);
      const to = 'cbpf' in p.target ? this.starts[p.target.cbpf] : this.labels.get(p.target.label);
      if (to === undefined) throw new CompileError('CBPF_TRANSLATION', `jump to an unplaced label ${JSON.stringify(p.target)}`, i);
      const off = to - (i + 1);
      if (off > 0x7fff || off < -0x8000) throw new CompileError('CBPF_TRANSLATION', `jump of ${off} instructions does not fit eBPF's 16-bit offset`, i);
      return makeInsn(p.spec, { ...p.fields, off }, i);
    });
  }
}
