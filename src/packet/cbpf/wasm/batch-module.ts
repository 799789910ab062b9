import { SKF_LL_OFF, SKF_NET_OFF } from '../../../abi/program-types.js';
import { ETH_HLEN, frameOffset, S32_MAX } from '../batch-translate.js';
import type { CbpfInsn } from '../insn.js';
import { CBPF_MEMWORDS, isAncillaryRange, type CbpfSemantics, type CbpfSpec } from '../opcodes.js';
import { CodeWriter, encodeModule, OP, TYPE, type FunctionSpec } from './encoder.js';

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
 * `scan` (pcap records where they lie) and `list` (offset and length arrays) are the same
 * filter in other loops: see scanFunction and listFunction.
 *
 * Each jump target opens a block around the code before it, the innermost for the
 * nearest, so every jump (forward only, in classic BPF) is a `br` to the block ending at
 * its target; `ret` sets the verdict and leaves by $store, a dropped packet by $drop.
 */

/**
 * The locals a filter's body uses, after its function's `params` parameters: A, X, the
 * packet's length and address, the verdict, a temporary, M[0..15]; `next` is the first
 * local the function's own loop may use.
 */
interface BodyLocals {
  readonly A: number; readonly X: number; readonly LEN: number; readonly PKT: number;
  readonly VERDICT: number; readonly T: number; readonly M0: number; readonly next: number;
}

function bodyLocals(params: number): BodyLocals {
  const p = params;
  return { A: p, X: p + 1, LEN: p + 2, PKT: p + 3, VERDICT: p + 4, T: p + 5, M0: p + 6, next: p + 6 + CBPF_MEMWORDS };
}

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

/** The 32-bit `local` with its bytes reversed, onto the stack. */
function byteSwapped(c: CodeWriter, local: number): void {
  c.get(local).i32(24).op(OP.i32Shl);
  c.get(local).i32(0xff00).op(OP.i32And).i32(8).op(OP.i32Shl).op(OP.i32Or);
  c.get(local).i32(8).op(OP.i32ShrU).i32(0xff00).op(OP.i32And).op(OP.i32Or);
  c.get(local).i32(24).op(OP.i32ShrU).op(OP.i32Or);
}

class BodyWriter {
  constructor(readonly c: CodeWriter, readonly labels: Labels, readonly L: BodyLocals,
    private readonly insns: readonly CbpfInsn[], private readonly specs: readonly CbpfSpec[]) {}

  /** The constant the instruction at `pc` returns, if it is a `ret #k`. */
  private returnedConstant(pc: number): number | undefined {
    const sem = this.specs[pc]?.sem;
    return sem?.kind === 'ret' && sem.source === 'k' ? this.insns[pc].k | 0 : undefined;
  }

  br(label: string | number, code: number = OP.br): void {
    this.c.br(this.labels.depth(label), code);
  }

  /** Drop the packet unless it holds bytes [o, o + size): `(br_if $drop (len < o + size))`. */
  need(o: number, size: number): void {
    this.c.get(this.L.LEN).i32(o + size).op(OP.i32LtU);
    this.br(DROP, OP.brIf);
  }

  /** The `size` bytes at the address on the stack + `offset`, from network order, onto the stack. */
  loadBigEndian(size: 1 | 2 | 4, offset: number): void {
    const c = this.c;
    c.mem(LOAD[size], offset);
    if (size === 1) return;
    c.set(this.L.T);
    if (size === 2) {
      c.get(this.L.T).i32(8).op(OP.i32Shl).get(this.L.T).i32(8).op(OP.i32ShrU).op(OP.i32Or).i32(0xffff).op(OP.i32And);
      return;
    }
    byteSwapped(c, this.L.T);
  }

  /** A = P[k : size] for a constant k (a frame offset or SKF_NET_OFF/SKF_LL_OFF-relative). */
  loadAbs(size: 1 | 2 | 4, k: number): void {
    const o = frameOffset(k | 0);
    if (o === undefined || o + size > S32_MAX) return this.br(DROP);
    this.need(o, size);
    this.c.get(this.L.PKT);
    this.loadBigEndian(size, o);
    this.c.set(this.L.A);
  }

  /** A = P[(s32)(X + k) : size], negative offsets relative to the link or network header. */
  loadInd(size: 1 | 2 | 4, k: number): void {
    const c = this.c;
    c.get(this.L.X).i32(k).op(OP.i32Add).tee(this.L.T).i32(0).op(OP.i32LtS).op(OP.if).byte(TYPE.void);
    this.labels.push('if');
    c.get(this.L.T).i32(SKF_LL_OFF).op(OP.i32LtS);
    this.br(DROP, OP.brIf);
    c.get(this.L.T).i32(SKF_NET_OFF).op(OP.i32LtS).op(OP.if).byte(TYPE.void);
    c.get(this.L.T).i32(-SKF_LL_OFF).op(OP.i32Add).set(this.L.T);
    c.op(OP.else);
    c.get(this.L.T).i32(ETH_HLEN - SKF_NET_OFF).op(OP.i32Add).set(this.L.T);
    c.op(OP.end);
    c.op(OP.end);
    this.labels.pop();
    // T is a u32 offset now: drop unless T + size <= len, in 64 bits (no wrap-around).
    c.get(this.L.T).op(OP.i64ExtendI32U).byte(0x42).s32(size).op(OP.i64Add).get(this.L.LEN).op(OP.i64ExtendI32U).op(OP.i64GtU);
    this.br(DROP, OP.brIf);
    c.get(this.L.PKT).get(this.L.T).op(OP.i32Add);
    this.loadBigEndian(size, 0);
    c.set(this.L.A);
  }

  load(sem: Extract<CbpfSemantics, { kind: 'ld' }>, k: number): void {
    const c = this.c;
    const dst = sem.dst === 'A' ? this.L.A : this.L.X;
    switch (sem.source) {
      case 'abs': return this.loadAbs(sem.size, k);
      case 'ind': return this.loadInd(sem.size, k);
      case 'len': c.get(this.L.LEN).set(dst); return;
      case 'imm': c.i32(k).set(dst); return;
      case 'mem': c.get(this.L.M0 + k).set(dst); return;
      case 'msh': {
        const o = frameOffset(k | 0);
        if (o === undefined || o + 1 > S32_MAX) return this.br(DROP);
        this.need(o, 1);
        c.get(this.L.PKT).mem(OP.i32Load8U, o).i32(0xf).op(OP.i32And).i32(2).op(OP.i32Shl).set(this.L.X);
        return;
      }
    }
  }

  alu(sem: Extract<CbpfSemantics, { kind: 'alu' }>, k: number): void {
    const c = this.c;
    if (sem.op === 'neg') {
      c.i32(0).get(this.L.A).op(OP.i32Sub).set(this.L.A);
      return;
    }
    if (sem.source === 'x' && (sem.op === 'div' || sem.op === 'mod')) {
      c.get(this.L.X).op(OP.i32Eqz); // classic BPF: a division by X = 0 drops the packet
      this.br(DROP, OP.brIf);
    }
    const code = { add: OP.i32Add, sub: OP.i32Sub, mul: OP.i32Mul, div: OP.i32DivU, mod: OP.i32RemU, or: OP.i32Or, and: OP.i32And, lsh: OP.i32Shl, rsh: OP.i32ShrU, xor: OP.i32Xor }[sem.op];
    c.get(this.L.A);
    if (sem.source === 'k') c.i32(k);
    else c.get(this.L.X);
    c.op(code).set(this.L.A);
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
    const kTrue = this.returnedConstant(whenTrue);
    const kFalse = this.returnedConstant(whenFalse);
    if (kTrue !== undefined && kFalse !== undefined) {
      // Both sides return constants (a filter's last test, mostly): the verdict is a
      // select, not a branch the predictor guesses wrong on random traffic.
      c.i32(kTrue).i32(kFalse);
      this.compare(insn, sem, false);
      c.op(OP.select).set(this.L.VERDICT);
      return this.br(STORE);
    }
    // True falls through: branch on the inverse condition to the false target.
    const inverse = insn.jt === 0;
    this.compare(insn, sem, inverse);
    if (inverse) return this.br(whenFalse, OP.brIf);
    this.br(whenTrue, OP.brIf);
    if (insn.jf !== 0) this.br(whenFalse);
  }

  /** The jump's condition (or its inverse) onto the stack: A against k or X. */
  private compare(insn: CbpfInsn, sem: Extract<CbpfSemantics, { kind: 'jmp' }>, inverse: boolean): void {
    const c = this.c;
    c.get(this.L.A);
    if (sem.source === 'k') c.i32(insn.k | 0);
    else c.get(this.L.X);
    switch (sem.cond) {
      case 'eq': c.op(inverse ? OP.i32Ne : OP.i32Eq); break;
      case 'gt': c.op(inverse ? OP.i32LeU : OP.i32GtU); break;
      case 'ge': c.op(inverse ? OP.i32LtU : OP.i32GeU); break;
      case 'set': c.op(OP.i32And); if (inverse) c.op(OP.i32Eqz); break;
    }
  }

  insn(insn: CbpfInsn, sem: CbpfSemantics, pc: number): void {
    const c = this.c;
    const k = insn.k | 0;
    switch (sem.kind) {
      case 'ld': return this.load(sem, k);
      case 'st': c.get(sem.src === 'A' ? this.L.A : this.L.X).set(this.L.M0 + insn.k); return;
      case 'alu': return this.alu(sem, k);
      case 'ja': return this.br(pc + 1 + insn.k);
      case 'jmp': return this.jump(insn, sem, pc);
      case 'ret':
        if (sem.source === 'k') c.i32(k);
        else c.get(this.L.A);
        c.set(this.L.VERDICT);
        return this.br(STORE);
      case 'tax': c.get(this.L.A).set(this.L.X); return;
      case 'txa': c.get(this.L.X).set(this.L.A); return;
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

/**
 * The filter itself, for the packet of PKT and LEN: sets VERDICT (0 for a dropped packet).
 *
 *   A = X = 0
 *   (block $store (block $drop
 *      (block $tN ... (block $t1 <insns before t1>) <insns t1..t2> ...) <insns from tN>)
 *      verdict = 0)
 */
function filterBody(c: CodeWriter, labels: Labels, L: BodyLocals, insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): void {
  c.i32(0).set(L.A).i32(0).set(L.X);
  c.block(); labels.push(STORE);
  c.block(); labels.push(DROP);
  const targets = jumpTargets(insns, specs);
  for (let i = targets.length - 1; i >= 0; i--) {
    c.block();
    labels.push(targets[i]);
  }
  const body = new BodyWriter(c, labels, L, insns, specs);
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
}

/** `matches += verdict != 0`, and the verdict stored at VERDICTP (unless VERDICTP is 0, `store` 'unless-0'), which moves on by 4. */
function countVerdict(c: CodeWriter, L: BodyLocals, verdictp: number, matches: number, store: 'always' | 'unless-0'): void {
  if (store === 'unless-0') c.get(verdictp).op(OP.if).byte(TYPE.void);
  c.get(verdictp).get(L.VERDICT).mem(OP.i32Store, 0, 2);
  c.get(verdictp).i32(4).op(OP.i32Add).set(verdictp);
  if (store === 'unless-0') c.op(OP.end);
  c.get(matches).get(L.VERDICT).i32(0).op(OP.i32Ne).op(OP.i32Add).set(matches);
}

/** `run(input, length)`: the batch table at `input` (src/packet/batch/layout.ts), see above. */
function runFunction(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): FunctionSpec {
  const INPUT = 0;
  const LENGTH = 1;
  const L = bodyLocals(2);
  const [DESC, END, VERDICTP, MATCHES, BIAS] = [0, 1, 2, 3, 4].map((i) => L.next + i);
  const c = new CodeWriter();
  const labels = new Labels();
  // count = input[0]; the table, descriptors then verdicts, must lie in the input.
  c.get(LENGTH).i32(HEADER_BYTES).op(OP.i32LtU);
  trapIf(c);
  c.get(INPUT).i32(HEADER_BYTES).op(OP.i32Add).tee(DESC);
  c.get(INPUT).mem(OP.i32Load, 0, 2).tee(L.T).i32(DESCRIPTOR_BYTES).op(OP.i32Mul).op(OP.i32Add).tee(END).set(VERDICTP);
  c.get(L.T).op(OP.i64ExtendI32U).byte(0x42).s32(SLOT_BYTES).op(OP.i64Mul).byte(0x42).s32(HEADER_BYTES).op(OP.i64Add);
  c.get(LENGTH).op(OP.i64ExtendI32U).op(OP.i64GtU);
  trapIf(c);
  c.get(INPUT).mem(OP.i32Load, 4, 2).set(BIAS);

  c.block(); labels.push('done');
  c.block(OP.loop); labels.push('next');
  c.get(DESC).get(END).op(OP.i32Eq).br(labels.depth('done'), OP.brIf);
  // The packet: its [offset, offset + len) inside the input, checked without wrap-around.
  c.get(DESC).mem(OP.i32Load, 4, 2).tee(L.LEN).get(LENGTH).op(OP.i32GtU);
  c.get(DESC).mem(OP.i32Load, 0, 2).get(BIAS).op(OP.i32Add).tee(L.T).get(LENGTH).get(L.LEN).op(OP.i32Sub).op(OP.i32GtU).op(OP.i32Or);
  trapIf(c);
  c.get(INPUT).get(L.T).op(OP.i32Add).set(L.PKT);
  filterBody(c, labels, L, insns, specs);
  countVerdict(c, L, VERDICTP, MATCHES, 'always');
  c.get(DESC).i32(DESCRIPTOR_BYTES).op(OP.i32Add).set(DESC);
  c.br(labels.depth('next'));
  c.op(OP.end); labels.pop(); // loop
  c.op(OP.end); labels.pop(); // $done
  c.get(MATCHES);
  return { name: 'run', params: 2, locals: BIAS + 1 - 2, body: c };
}

/** The globals `scan` leaves its state in (exported by these names, in this order). */
export const SCAN_GLOBALS = ['stop', 'packets'] as const;
const STOP_GLOBAL = 0;
const PACKETS_GLOBAL = 1;
/** Bytes of a pcap record header: ts_sec, ts_frac, caplen, len. */
export const PCAP_RECORD_BYTES = 16;

/**
 * `scan(at, end, verdicts, max, swap, maxCaplen, fracLimit, limit) -> matches`: the pcap records
 * from address `at`, each packet filtered where it lies after its 16-byte header, until
 * `max` packets, a record starting at `limit` or later (unsigned), the end, or a record that does not fit before `end` or looks corrupt
 * (caplen > maxCaplen, the fraction field >= fracLimit); the global `stop` is then the
 * address of the record not filtered (or `end`), `packets` how many were. Verdicts go to
 * `verdicts` (4 bytes a packet; 0: none are written, only counted). `swap`: the
 * capture's byte order is not the host's. Reads stay in [at, end); writes in
 * [verdicts, verdicts + 4 max): the caller (PacketFilter, never a user) says where.
 *
 *   (loop $next
 *     (br_if $done (count == max or at >= limit or end - at < 16))
 *     frac, caplen = at[4], at[8] (swapped when `swap`)
 *     (br_if $done (frac >= fracLimit or caplen > maxCaplen or caplen > end - at - 16))
 *     pkt = at + 16; len = caplen; <filter>; <count, store>; at = pkt + len; (br $next))
 */
function scanFunction(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): FunctionSpec {
  const [AT, END, VERDICTP, MAX, SWAP, MAXCAP, FRACLIMIT, LIMIT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = bodyLocals(8);
  const [COUNT, MATCHES, FRAC] = [0, 1, 2].map((i) => L.next + i);
  const c = new CodeWriter();
  const labels = new Labels();
  const swapped = (local: number) => {
    c.get(SWAP).op(OP.if).byte(TYPE.void);
    byteSwapped(c, local);
    c.set(local).op(OP.end);
  };
  c.block(); labels.push('done');
  c.block(OP.loop); labels.push('next');
  const done = () => c.br(labels.depth('done'), OP.brIf);
  c.get(COUNT).get(MAX).op(OP.i32Eq); done();
  c.get(AT).get(LIMIT).op(OP.i32GeU); done();
  c.get(END).get(AT).op(OP.i32Sub).i32(PCAP_RECORD_BYTES).op(OP.i32LtU); done();
  c.get(AT).mem(OP.i32Load, 4, 0).set(FRAC);
  c.get(AT).mem(OP.i32Load, 8, 0).set(L.LEN);
  swapped(FRAC);
  swapped(L.LEN);
  c.get(FRAC).get(FRACLIMIT).op(OP.i32GeU); done();
  c.get(L.LEN).get(MAXCAP).op(OP.i32GtU); done();
  c.get(L.LEN).get(END).get(AT).op(OP.i32Sub).i32(PCAP_RECORD_BYTES).op(OP.i32Sub).op(OP.i32GtU); done();
  c.get(AT).i32(PCAP_RECORD_BYTES).op(OP.i32Add).set(L.PKT);
  filterBody(c, labels, L, insns, specs);
  countVerdict(c, L, VERDICTP, MATCHES, 'unless-0');
  c.get(COUNT).i32(1).op(OP.i32Add).set(COUNT);
  c.get(L.PKT).get(L.LEN).op(OP.i32Add).set(AT);
  c.br(labels.depth('next'));
  c.op(OP.end); labels.pop(); // loop
  c.op(OP.end); labels.pop(); // $done
  c.get(AT).byte(OP.globalSet).u32(STOP_GLOBAL);
  c.get(COUNT).byte(OP.globalSet).u32(PACKETS_GLOBAL);
  c.get(MATCHES);
  return { name: 'scan', params: 8, locals: FRAC + 1 - 8, body: c };
}

/**
 * `list(offsets, lengths, count, base, size, verdicts) -> matches`: `count` packets given
 * by two u32 arrays, packet i at base + offsets[i], lengths[i] bytes, inside [base, base +
 * size) (a pair outside traps: the caller finds which and says so); verdicts as `scan`.
 */
function listFunction(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): FunctionSpec {
  const [OFFSETS, LENGTHS, COUNT, BASE, SIZE, VERDICTP] = [0, 1, 2, 3, 4, 5];
  const L = bodyLocals(6);
  const [END, MATCHES] = [0, 1].map((i) => L.next + i);
  const c = new CodeWriter();
  const labels = new Labels();
  c.get(OFFSETS).get(COUNT).i32(2).op(OP.i32Shl).op(OP.i32Add).set(END);
  c.block(); labels.push('done');
  c.block(OP.loop); labels.push('next');
  c.get(OFFSETS).get(END).op(OP.i32Eq).br(labels.depth('done'), OP.brIf);
  // offset + length <= size, without wrap-around: length > size or offset > size - length.
  c.get(LENGTHS).mem(OP.i32Load, 0, 2).tee(L.LEN).get(SIZE).op(OP.i32GtU);
  c.get(OFFSETS).mem(OP.i32Load, 0, 2).tee(L.T).get(SIZE).get(L.LEN).op(OP.i32Sub).op(OP.i32GtU).op(OP.i32Or);
  trapIf(c);
  c.get(BASE).get(L.T).op(OP.i32Add).set(L.PKT);
  filterBody(c, labels, L, insns, specs);
  countVerdict(c, L, VERDICTP, MATCHES, 'unless-0');
  c.get(OFFSETS).i32(4).op(OP.i32Add).set(OFFSETS);
  c.get(LENGTHS).i32(4).op(OP.i32Add).set(LENGTHS);
  c.br(labels.depth('next'));
  c.op(OP.end); labels.pop(); // loop
  c.op(OP.end); labels.pop(); // $done
  c.get(MATCHES);
  return { name: 'list', params: 6, locals: MATCHES + 1 - 6, body: c };
}

/** What a batch module exports (its memory is imported: see encodeModule). */
export interface BatchExports {
  run(input: number, length: number): number;
  scan(at: number, end: number, verdicts: number, max: number, swap: number, maxCaplen: number, fracLimit: number, limit: number): number;
  list(offsets: number, lengths: number, count: number, base: number, size: number, verdicts: number): number;
  readonly stop: WebAssembly.Global;
  readonly packets: WebAssembly.Global;
}

/**
 * The batch module's bytes for a validated classic program (`batchWasmSupports` must
 * hold): `run`, `scan` and `list`, three loops around the same filter. `sharedMemory`:
 * for a shared WebAssembly.Memory (worker threads), which a module must import as such.
 */
export function compileBatchWasm(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[], sharedMemory = false): Uint8Array {
  return encodeModule([runFunction(insns, specs), scanFunction(insns, specs), listFunction(insns, specs)], SCAN_GLOBALS, sharedMemory);
}
