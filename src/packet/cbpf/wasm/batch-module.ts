import { SKF_LL_OFF, SKF_NET_OFF } from '../../../abi/program-types.js';
import { ETH_HLEN, frameOffset, S32_MAX } from '../batch-translate.js';
import type { CbpfInsn } from '../insn.js';
import { CBPF_MEMWORDS, isAncillaryRange, type CbpfSemantics, type CbpfSpec } from '../opcodes.js';
import { CodeWriter, encodeModule, OP, TYPE } from './encoder.js';

/**
 * A classic filter compiled straight to a WebAssembly batch module, without eBPF, the
 * verifier or Binaryen: `run(input: i32, length: i32) -> i32` filters the batch laid out
 * at `input` (src/packet/batch/layout.ts) and returns the matches, writing each packet's
 * verdict. Each packet gets exactly the semantics of batch-translate.ts's eBPF program
 * (which the interpreter runs, and this compiler's tests compare with).
 *
 * Why a compiler of its own: a classic filter is forward-only code over two 32-bit
 * registers, so it maps onto nested Wasm blocks directly, with A, X, M[] and the packet's
 * start and length in i32 locals. The eBPF route gave every packet read two bounds checks
 * (the filter's against the packet length, then the JIT's against the input area, as
 * the JIT cannot know the packet lies inside the input) and kept the loop's state in
 * stack memory; and it took milliseconds to compile.
 *
 * Memory safety, by construction: the table is checked to lie in the input once per
 * batch, each packet's [offset, offset + length) once per packet, and every packet read
 * is at an offset checked against the packet's length: no read or write leaves
 * [input, input + length). A table that breaks this traps (`unreachable`).
 *
 *   (block $done (loop $next
 *     (br_if $done (desc == end))
 *     len = desc[1]; off = desc[0] + bias; <trap unless off + len <= length>; pkt = input + off
 *     A = X = 0
 *     (block $store (block $drop
 *        (block $tN ... (block $t1 <insns before t1>) <insns t1..t2> ...) <insns from tN>)
 *        verdict = 0)
 *     *verdictp = verdict; matches += verdict != 0; desc += 8; verdictp += 4; (br $next)))
 *
 * Each jump target opens a block around the code before it, the innermost for the
 * nearest, so every jump (forward only, in classic BPF) is a `br` to the block ending at
 * its target; `ret` sets the verdict and leaves by $store, a dropped packet by $drop.
 */

const INPUT = 0;
const LENGTH = 1;
const L = { A: 2, X: 3, LEN: 4, PKT: 5, VERDICT: 6, DESC: 7, END: 8, VERDICTP: 9, MATCHES: 10, T: 11, BIAS: 12, M0: 13 } as const;
const LOCALS = L.M0 + CBPF_MEMWORDS - 2;
const HEADER_BYTES = 8;
const DESCRIPTOR_BYTES = 8;
const SLOT_BYTES = DESCRIPTOR_BYTES + 4; // a descriptor and a verdict per packet
const DROP = 'drop';
const STORE = 'store';
const LOAD = { 1: OP.i32Load8U, 2: OP.i32Load16U, 4: OP.i32Load } as const;

/** Whether this compiler takes the program: everything but ancillary loads (the eBPF route computes those). */
export function batchWasmSupports(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): boolean {
  return insns.every((insn, pc) => {
    const sem = specs[pc].sem;
    return !(sem.kind === 'ld' && sem.source === 'abs' && isAncillaryRange(insn.k));
  });
}

/** The labels open around the code being written, innermost last: a `br`'s depth is its distance from the end. */
class Labels {
  private readonly open: (string | number)[] = [];

  push(label: string | number): void {
    this.open.push(label);
  }

  pop(): void {
    this.open.pop();
  }

  depth(label: string | number): number {
    const at = this.open.lastIndexOf(label);
    if (at < 0) throw new Error(`batch-module: no open label ${label}`);
    return this.open.length - 1 - at;
  }
}

class BodyWriter {
  constructor(readonly c: CodeWriter, readonly labels: Labels) {}

  br(label: string | number, code: number = OP.br): void {
    this.c.br(this.labels.depth(label), code);
  }

  /** Drop the packet unless it holds bytes [o, o + size): `(br_if $drop (len < o + size))`. */
  need(o: number, size: number): void {
    this.c.get(L.LEN).i32(o + size).op(OP.i32LtU);
    this.br(DROP, OP.brIf);
  }

  /** The `size` bytes at the address on the stack + `offset`, from network order, onto the stack. */
  loadBigEndian(size: 1 | 2 | 4, offset: number): void {
    const c = this.c;
    c.mem(LOAD[size], offset);
    if (size === 1) return;
    c.set(L.T);
    if (size === 2) {
      c.get(L.T).i32(8).op(OP.i32Shl).get(L.T).i32(8).op(OP.i32ShrU).op(OP.i32Or).i32(0xffff).op(OP.i32And);
      return;
    }
    c.get(L.T).i32(24).op(OP.i32Shl);
    c.get(L.T).i32(0xff00).op(OP.i32And).i32(8).op(OP.i32Shl).op(OP.i32Or);
    c.get(L.T).i32(8).op(OP.i32ShrU).i32(0xff00).op(OP.i32And).op(OP.i32Or);
    c.get(L.T).i32(24).op(OP.i32ShrU).op(OP.i32Or);
  }

  /** A = P[k : size] for a constant k (a frame offset or SKF_NET_OFF/SKF_LL_OFF-relative). */
  loadAbs(size: 1 | 2 | 4, k: number): void {
    const o = frameOffset(k | 0);
    if (o === undefined || o + size > S32_MAX) return this.br(DROP);
    this.need(o, size);
    this.c.get(L.PKT);
    this.loadBigEndian(size, o);
    this.c.set(L.A);
  }

  /** A = P[(s32)(X + k) : size], negative offsets relative to the link or network header. */
  loadInd(size: 1 | 2 | 4, k: number): void {
    const c = this.c;
    c.get(L.X).i32(k).op(OP.i32Add).tee(L.T).i32(0).op(OP.i32LtS).op(OP.if).byte(TYPE.void);
    this.labels.push('if');
    c.get(L.T).i32(SKF_LL_OFF).op(OP.i32LtS);
    this.br(DROP, OP.brIf);
    c.get(L.T).i32(SKF_NET_OFF).op(OP.i32LtS).op(OP.if).byte(TYPE.void);
    c.get(L.T).i32(-SKF_LL_OFF).op(OP.i32Add).set(L.T);
    c.op(OP.else);
    c.get(L.T).i32(ETH_HLEN - SKF_NET_OFF).op(OP.i32Add).set(L.T);
    c.op(OP.end);
    c.op(OP.end);
    this.labels.pop();
    // T is a u32 offset now: drop unless T + size <= len, in 64 bits (no wrap-around).
    c.get(L.T).op(OP.i64ExtendI32U).byte(0x42).s32(size).op(OP.i64Add).get(L.LEN).op(OP.i64ExtendI32U).op(OP.i64GtU);
    this.br(DROP, OP.brIf);
    c.get(L.PKT).get(L.T).op(OP.i32Add);
    this.loadBigEndian(size, 0);
    c.set(L.A);
  }

  load(sem: Extract<CbpfSemantics, { kind: 'ld' }>, k: number): void {
    const c = this.c;
    const dst = sem.dst === 'A' ? L.A : L.X;
    switch (sem.source) {
      case 'abs': return this.loadAbs(sem.size, k);
      case 'ind': return this.loadInd(sem.size, k);
      case 'len': c.get(L.LEN).set(dst); return;
      case 'imm': c.i32(k).set(dst); return;
      case 'mem': c.get(L.M0 + k).set(dst); return;
      case 'msh': {
        const o = frameOffset(k | 0);
        if (o === undefined || o + 1 > S32_MAX) return this.br(DROP);
        this.need(o, 1);
        c.get(L.PKT).mem(OP.i32Load8U, o).i32(0xf).op(OP.i32And).i32(2).op(OP.i32Shl).set(L.X);
        return;
      }
    }
  }

  alu(sem: Extract<CbpfSemantics, { kind: 'alu' }>, k: number): void {
    const c = this.c;
    if (sem.op === 'neg') {
      c.i32(0).get(L.A).op(OP.i32Sub).set(L.A);
      return;
    }
    if (sem.source === 'x' && (sem.op === 'div' || sem.op === 'mod')) {
      c.get(L.X).op(OP.i32Eqz); // classic BPF: a division by X = 0 drops the packet
      this.br(DROP, OP.brIf);
    }
    const code = { add: OP.i32Add, sub: OP.i32Sub, mul: OP.i32Mul, div: OP.i32DivU, mod: OP.i32RemU, or: OP.i32Or, and: OP.i32And, lsh: OP.i32Shl, rsh: OP.i32ShrU, xor: OP.i32Xor }[sem.op];
    c.get(L.A);
    if (sem.source === 'k') c.i32(k);
    else c.get(L.X);
    c.op(code).set(L.A);
  }

  /** A conditional jump: br_if to the true target, else br to the false one (or fall through). */
  jump(insn: CbpfInsn, sem: Extract<CbpfSemantics, { kind: 'jmp' }>, pc: number): void {
    const c = this.c;
    const whenTrue = pc + 1 + insn.jt;
    const whenFalse = pc + 1 + insn.jf;
    if (whenTrue === whenFalse) {
      if (insn.jt !== 0) this.br(whenTrue);
      return;
    }
    c.get(L.A);
    if (sem.source === 'k') c.i32(insn.k | 0);
    else c.get(L.X);
    // True falls through: branch on the inverse condition to the false target.
    const inverse = insn.jt === 0;
    switch (sem.cond) {
      case 'eq': c.op(inverse ? OP.i32Ne : OP.i32Eq); break;
      case 'gt': c.op(inverse ? OP.i32LeU : OP.i32GtU); break;
      case 'ge': c.op(inverse ? OP.i32LtU : OP.i32GeU); break;
      case 'set': c.op(OP.i32And); if (inverse) c.op(OP.i32Eqz); break;
    }
    if (inverse) return this.br(whenFalse, OP.brIf);
    this.br(whenTrue, OP.brIf);
    if (insn.jf !== 0) this.br(whenFalse);
  }

  insn(insn: CbpfInsn, sem: CbpfSemantics, pc: number): void {
    const c = this.c;
    const k = insn.k | 0;
    switch (sem.kind) {
      case 'ld': return this.load(sem, k);
      case 'st': c.get(sem.src === 'A' ? L.A : L.X).set(L.M0 + insn.k); return;
      case 'alu': return this.alu(sem, k);
      case 'ja': return this.br(pc + 1 + insn.k);
      case 'jmp': return this.jump(insn, sem, pc);
      case 'ret':
        if (sem.source === 'k') c.i32(k);
        else c.get(L.A);
        c.set(L.VERDICT);
        return this.br(STORE);
      case 'tax': c.get(L.A).set(L.X); return;
      case 'txa': c.get(L.X).set(L.A); return;
    }
  }
}

/** Every instruction's jump targets, ascending (each opens one block). */
function jumpTargets(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): number[] {
  const targets = new Set<number>();
  insns.forEach((insn, pc) => {
    const sem = specs[pc].sem;
    if (sem.kind === 'ja') targets.add(pc + 1 + insn.k);
    if (sem.kind === 'jmp') {
      targets.add(pc + 1 + insn.jt);
      targets.add(pc + 1 + insn.jf);
    }
  });
  targets.delete(insns.length); // validation: no jump leaves the program
  return [...targets].filter((t) => t > 0).sort((a, b) => a - b);
}

/** `if (<condition on the stack>) unreachable`: a table that does not lie in the input. */
function trapIf(c: CodeWriter): void {
  c.op(OP.if).byte(TYPE.void).op(OP.unreachable).op(OP.end);
}

/** The batch module's bytes for a validated classic program (`batchWasmSupports` must hold). */
export function compileBatchWasm(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): Uint8Array {
  const c = new CodeWriter();
  const labels = new Labels();
  // count = input[0]; the table, descriptors then verdicts, must lie in the input.
  c.get(LENGTH).i32(HEADER_BYTES).op(OP.i32LtU);
  trapIf(c);
  c.get(INPUT).i32(HEADER_BYTES).op(OP.i32Add).tee(L.DESC);
  c.get(INPUT).mem(OP.i32Load, 0, 2).tee(L.T).i32(DESCRIPTOR_BYTES).op(OP.i32Mul).op(OP.i32Add).tee(L.END).set(L.VERDICTP);
  c.get(L.T).op(OP.i64ExtendI32U).byte(0x42).s32(SLOT_BYTES).op(OP.i64Mul).byte(0x42).s32(HEADER_BYTES).op(OP.i64Add);
  c.get(LENGTH).op(OP.i64ExtendI32U).op(OP.i64GtU);
  trapIf(c);
  c.get(INPUT).mem(OP.i32Load, 4, 2).set(L.BIAS);

  c.block(); labels.push('done');
  c.block(OP.loop); labels.push('next');
  c.get(L.DESC).get(L.END).op(OP.i32Eq).br(labels.depth('done'), OP.brIf);
  // The packet: its [offset, offset + len) inside the input, checked without wrap-around.
  c.get(L.DESC).mem(OP.i32Load, 4, 2).tee(L.LEN).get(LENGTH).op(OP.i32GtU);
  c.get(L.DESC).mem(OP.i32Load, 0, 2).get(L.BIAS).op(OP.i32Add).tee(L.T).get(LENGTH).get(L.LEN).op(OP.i32Sub).op(OP.i32GtU).op(OP.i32Or);
  trapIf(c);
  c.get(INPUT).get(L.T).op(OP.i32Add).set(L.PKT);
  c.i32(0).set(L.A).i32(0).set(L.X);

  c.block(); labels.push(STORE);
  c.block(); labels.push(DROP);
  const targets = jumpTargets(insns, specs);
  for (let i = targets.length - 1; i >= 0; i--) {
    c.block();
    labels.push(targets[i]);
  }
  const body = new BodyWriter(c, labels);
  let next = 0;
  insns.forEach((insn, pc) => {
    while (next < targets.length && targets[next] === pc) {
      c.op(OP.end);
      labels.pop();
      next++;
    }
    body.insn(insn, specs[pc].sem, pc);
  });
  c.op(OP.end); labels.pop(); // $drop
  c.i32(0).set(L.VERDICT);
  c.op(OP.end); labels.pop(); // $store

  c.get(L.VERDICTP).get(L.VERDICT).mem(OP.i32Store, 0, 2);
  c.get(L.MATCHES).get(L.VERDICT).i32(0).op(OP.i32Ne).op(OP.i32Add).set(L.MATCHES);
  c.get(L.DESC).i32(DESCRIPTOR_BYTES).op(OP.i32Add).set(L.DESC);
  c.get(L.VERDICTP).i32(4).op(OP.i32Add).set(L.VERDICTP);
  c.br(labels.depth('next'));
  c.op(OP.end); labels.pop(); // loop
  c.op(OP.end); labels.pop(); // $done
  c.get(L.MATCHES);
  return encodeModule([TYPE.i32, TYPE.i32], TYPE.i32, LOCALS, c);
}
