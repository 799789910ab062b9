import { STACK_FRAME_SIZE, MAX_CALL_DEPTH } from '../abi/layout.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { buildCfg, successors, type ProgramCfg } from '../analysis/cfg.js';
import { formatInsn } from '../decode/disasm.js';
import { branchTarget, funcPointerTarget, memoryAccess, nextPc, type Insn } from '../decode/insn.js';
import { VerifierError } from '../errors.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { MAP_FLAGS } from '../maps/map-spec-check.js';
import { checkAlu, checkEndian, readReg } from './check-alu.js';
import { checkHelperCall, invalidatePacketPointersIfMoved } from './check-helper.js';
import { checkJump } from './check-jump.js';
import { checkAtomic, checkLoad, checkStore, forgetStack, loadedScalar } from './check-memory.js';
import type { VerifierEnv } from './env.js';
import { liveRegisters } from './liveness.js';
import { ENTRY_R1, precisionNeeds, type Needs } from './precision.js';
import type { ValidatedProgram } from './validated-program.js';
import { constReg, NOT_INIT, pointerReg, scalarReg, UNKNOWN_SCALAR, type MapInfo, type Reg } from './registers.js';
import { constantOf, isConstant, unsignedRange } from './scalar.js';
import { tnumString } from './tnum.js';
import { HARD_AFTER, HARD_AFTER_CHECKED, widenState, WIDEN_AFTER, WIDEN_AFTER_CHECKED } from './widen.js';
import type { Region } from '../abi/layout.js';
import { EXACT_LEN, LEN_MAX } from './input-length.js';
import { decidedExitSince, EXACT_ROUNDS, LoopHeads, type DecidedExit } from './loop-rounds.js';
import { cloneState, currentFrame, initialState, newFrame, stateCovers, stateEquals, stateString, type State } from './state.js';

/**
 * The verifier: abstract interpretation of every path through the program, as the
 * kernel's do_check() walks it. Each instruction is checked against the state of the
 * path that reaches it (check-*.ts); a conditional jump whose outcome the state does not
 * decide forks the path, the other edge waiting on a stack. At the start of every basic
 * block the state is compared with those already seen there: one that covers it (every
 * value the current path may hold there, the old one may, for the registers still read)
 * and whose paths were all explored proves the rest of this path safe, which prunes it;
 * one equal to it on the current path means a loop that never ends. Bounded loops are
 * thereby walked iteration by iteration until they exit, within the kernel's limit of
 * 1,000,000 processed instructions.
 *
 * Strict mode rejects what the kernel rejects, with its messages. Checked mode (raw
 * programs) rejects nothing beyond the load stage: what it cannot place (a raw program's
 * input is just a number to it) keeps its run-time check, and what it proves is recorded
 * for the JIT either way.
 */

export const MAX_PROCESSED = 1_000_000;
/**
 * Checked mode gives up sooner: what it proves only saves run-time checks, and a raw
 * program it cannot settle in this many steps runs with all of them (nothing proven).
 */
export const MAX_PROCESSED_CHECKED = 25_000;
export const MAX_PENDING_JUMPS_CHECKED = 1024;
/**
 * Checked mode keeps a state that fails to prune longer before dropping it (the kernel
 * drops it after 3 misses more than 3 times its hits): its loops are widened and walked
 * again from each entry (an inner loop from each round of an outer one), so an old state
 * often covers a path many misses later. 16 walks string_compare in 3,007 steps instead of
 * 9,312, and the differential fuzzer's raw programs in 148k instead of 217k.
 */
const EVICT_AFTER_CHECKED = 16;
/** Paths waiting to be explored at once (the kernel's BPF_COMPLEXITY_LIMIT_JMP_SEQ). */
export const MAX_PENDING_JUMPS = 8192;

export interface VerifierOptions {
  /** Reject only what cannot run safely at all, keeping run-time checks (raw programs). */
  readonly checked: boolean;
  /**
   * The verifier log, a line at a time, as the kernel's at log level 2: each instruction
   * walked with the registers after it, where a new path starts, and where one is pruned.
   */
  readonly log?: (line: string) => void;
}

export interface Verification {
  /** Instructions checked, counting each time a path passed one. */
  readonly processed: number;
  /** States kept for pruning, and the most alive at once (paths waiting on the stack). */
  readonly states: number;
  readonly peakStates: number;
  /** Memory accesses, by pc, proven inside their object on every path that reaches them. */
  readonly proven: ReadonlySet<number>;
  /** Memory accesses some path left to a run-time check. */
  readonly checkedAccesses: ReadonlySet<number>;
  /** The region each placed access points into on every path (the JIT checks it first where a check stays). */
  readonly regions: ReadonlyMap<number, Region>;
}

/** A state kept at the start of a block: pruning compares later paths with it. */
interface Checkpoint {
  readonly pc: number;
  /** Released (RELEASED) once evicted in strict mode: nothing reads it again, and a long loop would keep every round's. */
  state: State;
  /** Checked mode, at a loop head: the loop's rounds counted before this one, and those that decided an exit (loop-rounds.ts). */
  readonly round: number;
  readonly exactRounds: number;
  /** The processed count when it was kept. */
  readonly at: number;
  /** Paths still being explored below this checkpoint (0: all done, so it may prune others). */
  branches: number;
  readonly parent: Checkpoint | undefined;
  /** Paths it pruned, and paths it failed to (the kernel's hit_cnt and miss_cnt). */
  hits: number;
  misses: number;
  evicted: boolean;
}

/** What an evicted checkpoint keeps of its state: nothing. */
const RELEASED: State = { frames: [], refs: [], lenMin: 0 };

interface Path {
  state: State;
  pc: number;
  parent: Checkpoint | undefined;
  /** Checked mode: the loop exits the path found decided (loop-rounds.ts). */
  exits?: DecidedExit;
}

/** What a checked run that proves nothing gives (verify mode `runtime`, or past the checked limit): every access checked. */
export function nothingProven(insns: readonly Insn[]): Verification {
  const accesses = new Set(insns.filter((i) => memoryAccess(i) !== undefined).map((i) => i.pc));
  return { processed: 0, states: 0, peakStates: 0, proven: new Set(), checkedAccesses: accesses, regions: new Map() };
}

export function verify(program: ValidatedProgram, options: VerifierOptions): Verification {
  return new Verifier(program, options).run();
}

class Verifier implements VerifierEnv {
  readonly type;
  readonly checked: boolean;
  readonly inputSpan: number;
  private ids = 0;
  private processed = 0;
  private stored = 0;
  private peak = 0;
  /** Jumps walked, and both counts when the last checkpoint was kept (the kernel's prev_*_processed). */
  private jumps = 0;
  private lastCheckpointAt = { insns: 0, jumps: 0 };
  private readonly provenAt = new Map<number, boolean>();
  /** The region each access's pointer pointed into on the paths that placed it (null: paths disagreed). */
  private readonly regionAt = new Map<number, Region | null>();
  private readonly explored = new Map<number, Checkpoint[]>();
  /** Checkpoints ever kept at each pc (widening counts them; eviction does not lower it). */
  private readonly storedAt = new Map<number, number>();
  private readonly live = new Map<number, number>();
  /** The registers and stack slots whose values decide something from each pc (precision.ts); undefined: to recompute. */
  private needs: Map<number, Needs> | undefined;
  private readonly decidedBranches = new Set<number>();
  private readonly cfg: ProgramCfg;
  private readonly prunePoints = new Set<number>();
  private readonly functionEntries: ReadonlySet<number>;
  /** Constants the program compares with (and each minus 1): widening's thresholds (widen.ts). */
  private readonly comparedConstants: readonly bigint[];
  /** The pcs of may_goto instructions: loops converge there, as at a callback's entry. */
  private readonly mayGotos = new Set<number>();
  /** Checked mode: where loops widen, and which loops hold which (loop-rounds.ts). */
  private readonly loopHeads: LoopHeads | undefined;

  private readonly log: ((line: string) => void) | undefined;

  constructor(private readonly program: ValidatedProgram, options: VerifierOptions) {
    this.type = program.type;
    this.checked = options.checked;
    this.inputSpan = program.runtime.layout.heapBase - program.runtime.layout.inputBase;
    this.log = options.log;
    this.functionEntries = new Set(program.subprograms.map((s) => s.entry));
    const arity = (id: number) => program.helpers.get(id)?.proto.args.length ?? 5;
    const cfg = buildCfg(program);
    for (const fn of cfg.functions) {
      for (const [pc, live] of liveRegisters(fn, program.insns, arity)) this.live.set(pc, live);
      for (const block of fn.blocks) {
        // Prune where paths meet: every block but those entered only by falling through a plain instruction.
        const branchy = block.terminator.kind !== 'exit';
        if (branchy) for (const s of successors(block)) this.prunePoints.add(fn.blocks[s].startPc);
      }
      this.prunePoints.add(fn.sub.entry);
    }
    for (const insn of program.insns) if (insn.spec.sem.kind === 'may_goto') this.mayGotos.add(insn.pc);
    const compared = new Set<bigint>();
    for (const insn of program.insns) {
      const sem = insn.spec.sem;
      if (sem.kind === 'jmp' && sem.source === 'imm' && insn.imm >= 0) for (const t of [insn.imm, insn.imm - 1]) if (t >= 0) compared.add(BigInt(t));
    }
    this.comparedConstants = [...compared].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const pc of this.mayGotos) this.prunePoints.add(pc);
    this.cfg = cfg;
    this.loopHeads = this.checked ? new LoopHeads(cfg) : undefined;
    this.checkReachable(cfg);
  }

  noteDecidedBranch(pc: number): void {
    if (this.decidedBranches.has(pc)) return;
    this.decidedBranches.add(pc);
    this.needs = undefined;
  }

  /** What needs precision at `pc`, recomputed when a branch was newly found decided. */
  private needsAt(pc: number): Needs | undefined {
    if (this.needs === undefined) {
      this.needs = new Map();
      const entryR1 = this.type === 'raw' ? ENTRY_R1.raw : ENTRY_R1.context;
      const helperProto = (id: number) => this.program.helpers.get(id)?.proto;
      const decided = (at: number) => this.decidedBranches.has(at);
      for (const fn of this.cfg.functions) {
        for (const [at, needs] of precisionNeeds({ fn, insns: this.program.insns, entryR1, helperProto, decided })) this.needs.set(at, needs);
      }
    }
    return this.needs.get(pc);
  }

  helper(id: number) {
    return this.program.helpers.get(id);
  }

  fail(code: string, message: string, pc: number): never {
    if (this.checked) throw DEGRADED;
    throw new VerifierError(code, message, pc);
  }

  newId(): number {
    return ++this.ids;
  }

  noteAccess(pc: number, proven: boolean, region?: Region): void {
    this.provenAt.set(pc, (this.provenAt.get(pc) ?? true) && proven);
    // One region on every path that placed the access; paths that disagree leave it unknown.
    const seen = this.regionAt.get(pc);
    if (region !== undefined && seen !== null) this.regionAt.set(pc, seen === undefined || seen === region ? region : null);
  }

  /** Strict mode: no instruction may be unreachable in the CFG (the kernel's check_cfg). */
  private checkReachable(cfg: ProgramCfg): void {
    if (this.checked) return;
    for (const fn of cfg.functions) {
      for (const block of fn.blocks) {
        if (block.id !== 0 && fn.predecessors[block.id].length === 0) this.fail('UNREACHABLE', `unreachable insn ${block.startPc}`, block.startPc);
      }
    }
  }

  run(): Verification {
    try {
      return this.explore();
    } catch (e) {
      if (e !== TOO_COMPLEX) throw e;
      // Checked mode past the limit: nothing is proven, every access keeps its check.
      return { ...nothingProven(this.program.insns), processed: this.processed, states: this.stored, peakStates: this.peak };
    }
  }

  private explore(): Verification {
    const waiting: Path[] = [];
    let path: Path | undefined = { state: this.entryState(), pc: 0, parent: undefined };
    // Checked mode: a function callx may reach is walked on its own too, its arguments unknown.
    if (this.checked && this.program.insns.some((i) => i.spec.sem.kind === 'call' && i.spec.sem.target === 'reg')) {
      for (const entry of this.functionEntries) {
        if (entry === 0) continue;
        const state = initialState(UNKNOWN_SCALAR, UNKNOWN_SCALAR);
        for (let r = 3; r <= 5; r++) currentFrame(state).regs[r] = UNKNOWN_SCALAR;
        waiting.push({ state, pc: entry, parent: undefined });
      }
    }
    while (path !== undefined) {
      const next = this.walk(path, waiting);
      this.peak = Math.max(this.peak, waiting.length + 1);
      if (next === undefined) {
        finish(path.parent);
        path = waiting.pop();
        if (path && this.log) this.log(`from the path waiting at ${path.pc}: ${stateString(path.state)}`);
      } else path = next;
    }
    const proven = new Set<number>();
    const checkedAccesses = new Set<number>();
    for (const [pc, ok] of this.provenAt) (ok ? proven : checkedAccesses).add(pc);
    const regions = new Map<number, Region>();
    for (const [pc, region] of this.regionAt) if (region !== null) regions.set(pc, region);
    return { processed: this.processed, states: this.stored, peakStates: this.peak, proven, checkedAccesses, regions };
  }

  private entryState(): State {
    // A raw program's r1 is its input and r2 the input's length, LEN (input-length.ts).
    if (this.type === 'raw') return initialState(pointerReg('input'), { ...scalarReg(unsignedRange(0n, BigInt(LEN_MAX))), lenBound: EXACT_LEN });
    return initialState(pointerReg('ctx'));
  }

  /** Follow a path from its pc until it ends (undefined) or moves on (the same path, at its next pc). */
  private walk(path: Path, waiting: Path[]): Path | undefined {
    if (++this.processed > (this.checked ? MAX_PROCESSED_CHECKED : MAX_PROCESSED)) {
      if (this.checked) throw TOO_COMPLEX;
      this.fail('TOO_COMPLEX', `BPF program is too large. Processed ${this.processed} insn`, path.pc);
    }
    if (this.prunePoints.has(path.pc)) {
      if (this.visited(path)) {
        this.log?.(`${path.pc}: safe`);
        return undefined;
      }
    }
    const pc = path.pc;
    const next = this.stepOrDegrade(path, waiting);
    if (this.log) this.logStep(pc, next);
    return next;
  }

  private stepOrDegrade(path: Path, waiting: Path[]): Path | undefined {
    if (!this.checked) return this.step(path, waiting);
    try {
      return this.step(path, waiting);
    } catch (e) {
      if (e !== DEGRADED) throw e;
      return this.degrade(path, waiting);
    }
  }

  /** `12: r2 += 14 ; R1=ctx() R2=pkt(r=0) R10=fp0`: the instruction and the registers after it on this path. */
  private logStep(pc: number, next: Path | undefined): void {
    const insn = this.program.insns[this.program.indexOfPc[pc]];
    this.log!(`${pc}: ${formatInsn(insn)}${next ? ` ; ${stateString(next.state)}` : ''}`);
  }

  /**
   * Checked mode: the instruction at the path's pc failed a check that the engines'
   * run-time checks make safe. Its effect is taken at its most conservative (anything it
   * writes is unknown; an access it makes is left checked and may have written any stack
   * byte) and the path goes on.
   */
  private degrade(path: Path, waiting: Path[]): Path | undefined {
    const insn = this.program.insns[this.program.indexOfPc[path.pc]];
    const state = path.state;
    const frame = currentFrame(state);
    const sem = insn.spec.sem;
    switch (sem.kind) {
      case 'alu': case 'endian': case 'lddw': case 'load':
        frame.regs[insn.dst] = UNKNOWN_SCALAR;
        break;
      case 'store': case 'atomic':
        forgetStack(state);
        if (sem.kind === 'atomic') frame.regs[sem.op === 'cmpxchg' ? 0 : insn.src] = UNKNOWN_SCALAR;
        break;
      case 'packet': case 'call':
        forgetStack(state);
        for (let r = 0; r <= 5; r++) frame.regs[r] = UNKNOWN_SCALAR;
        if (sem.kind === 'call' && sem.target === 'helper') invalidatePacketPointersIfMoved(state, insn.imm);
        break;
      case 'jmp':
        if (path.parent) path.parent.branches++;
        waiting.push({ state: cloneState(state), pc: branchTarget(insn), parent: path.parent, exits: path.exits });
        break;
      case 'ja': case 'may_goto': case 'exit':
        throw new Error(`${sem.kind} cannot fail in checked mode`);
    }
    if (sem.kind === 'load' || sem.kind === 'store' || sem.kind === 'atomic') this.noteAccess(insn.pc, false);
    path.pc = nextPc(insn);
    return path;
  }

  /** One instruction of the path (see walk). */
  private step(path: Path, waiting: Path[]): Path | undefined {
    const index = this.program.indexOfPc[path.pc];
    const insn = this.program.insns[index];
    const state = path.state;
    const frame = currentFrame(state);
    const sem = insn.spec.sem;
    switch (sem.kind) {
      case 'alu': checkAlu(this, frame, insn, sem, state.lenMin); this.linkCopies(frame, insn); break;
      case 'endian': checkEndian(this, frame, insn, sem); break;
      case 'lddw': frame.regs[insn.dst] = this.lddw(insn); break;
      case 'load': checkLoad(this, state, insn, sem); break;
      case 'store': checkStore(this, state, insn, sem); break;
      case 'atomic': checkAtomic(this, state, insn, sem); break;
      case 'packet': this.legacyLoad(state, insn, sem.size); break;
      case 'ja': this.jumps++; path.pc = branchTarget(insn); return path;
      case 'may_goto': {
        // Either way, nothing learnt: the allowance is spent (jump) or not (fall through).
        this.jumps++;
        if (path.parent) path.parent.branches++;
        waiting.push({ state: cloneState(state), pc: branchTarget(insn), parent: path.parent, exits: path.exits });
        path.pc = nextPc(insn);
        return path;
      }
      case 'jmp': {
        this.jumps++;
        const knownOperands = this.loopHeads?.exitsOf(insn.pc) !== undefined && this.comparesKnownNumbers(frame, insn);
        const { taken, fallthrough } = checkJump(this, state, insn, sem);
        if (taken && fallthrough) {
          if (path.parent) path.parent.branches++;
          waiting.push({ state: taken, pc: branchTarget(insn), parent: path.parent, exits: path.exits });
          if (waiting.length > (this.checked ? MAX_PENDING_JUMPS_CHECKED : MAX_PENDING_JUMPS)) {
            if (this.checked) throw TOO_COMPLEX;
            this.fail('TOO_COMPLEX', `The sequence of ${waiting.length} jumps is too complex.`, insn.pc);
          }
        }
        if (knownOperands && (taken === undefined || fallthrough === undefined)) this.noteDecidedExit(path, insn.pc);
        if (fallthrough) return { ...path, state: fallthrough, pc: nextPc(insn) };
        if (taken) return { ...path, state: taken, pc: branchTarget(insn) };
        return undefined; // neither edge can be taken: no value reaches here
      }
      case 'call': return this.call(path, insn, sem.target, waiting);
      case 'exit': return this.exit(path, insn, waiting);
    }
    path.pc = nextPc(insn);
    return path;
  }

  /** Whether a state seen at this pc covers the path's (prune it); else keep the path's as a checkpoint. */
  private visited(path: Path): boolean {
    const pc = path.pc;
    const liveMask = this.live.get(pc) ?? (1 << REG_COUNT) - 1;
    const live = (r: number) => r === FP || (liveMask & (1 << r)) !== 0;
    const here = this.explored.get(pc) ?? [];
    let evicted = false;
    const top = currentFrame(path.state);
    // Where loops that need not end converge: a callback's entry (bpf_loop's rounds) and
    // may_goto (a loop it bounds), the kernel's callback and may_goto convergence.
    const convergesHere = (top.callbackOf >= 0 && top.entry === pc) || this.mayGotos.has(pc);
    for (const checkpoint of here) {
      // A path covered by one still being explored adds nothing that exploration will not
      // find (checked mode, where loops need not end); strict mode prunes, as the kernel
      // does, only on finished ones, and a state equal to one on its own path never ends.
      if (checkpoint.branches === 0 || this.checked) {
        // Imprecise scalars cover others only below a finished state: precision.ts's argument
        // needs every branch decided below it to have been found.
        const needs = checkpoint.branches === 0 ? this.needsAt(pc) : undefined;
        if (stateCovers(checkpoint.state, path.state, live, needs)) {
          checkpoint.hits++;
          return true;
        }
      } else if (convergesHere && sameCallChain(checkpoint.state, path.state) && stateCovers(checkpoint.state, path.state, live)) {
        // Another round of a callback that an unfinished round covers: the kernel's
        // callback convergence, which prunes on states still being explored.
        checkpoint.hits++;
        return true;
      } else if (stateEquals(checkpoint.state, path.state)) {
        this.fail('INFINITE_LOOP', `infinite loop detected at insn ${pc}`, pc);
      }
      // The kernel's heuristic: a state that keeps failing to prune is dropped from the
      // list (pruning stays sound with any subset), which keeps a long loop linear.
      checkpoint.misses++;
      const n = checkpoint.branches > 0 && this.functionEntries.has(pc) ? 64 : this.checked ? EVICT_AFTER_CHECKED : 3;
      if (checkpoint.misses > checkpoint.hits * n + n) {
        checkpoint.evicted = true;
        evicted = true;
        // Strict mode reads only the states still listed here (checked mode's loop rounds read the path's history).
        if (!this.checked) checkpoint.state = RELEASED;
      }
    }
    const kept = evicted ? here.filter((c) => !c.evicted) : here;
    const { last, round, exactRounds } = this.loopRound(path, kept, convergesHere);
    // A callback's rounds (bpf_loop) converge by widening in either mode, as the kernel's do
    // by comparing only the scalars it needs precise; checked mode widens every loop.
    const widenAfter = this.checked ? WIDEN_AFTER_CHECKED : WIDEN_AFTER;
    if (last && (this.checked || convergesHere) && round >= widenAfter) {
      path.state = widenState(last.state, path.state, () => this.newId(), live, round >= (this.checked ? HARD_AFTER_CHECKED : HARD_AFTER), this.comparedConstants);
    }
    // Like the kernel, keep a new checkpoint only every few jumps and instructions: fewer
    // states to compare with, and pruning stays sound with any subset of them.
    // A function's entry always keeps one: bpf_loop's callback rounds converge there; so
    // does a loop's head in checked mode, where the next round looks for this one.
    const due = this.jumps - this.lastCheckpointAt.jumps >= 2 && this.processed - this.lastCheckpointAt.insns >= 8;
    if (!due && !this.functionEntries.has(pc) && !this.mayGotos.has(pc) && !this.loopHeads?.isHead(pc)) {
      if (evicted) this.explored.set(pc, kept);
      return false;
    }
    this.lastCheckpointAt = { insns: this.processed, jumps: this.jumps };
    const checkpoint: Checkpoint = {
      pc, state: cloneState(path.state), round, exactRounds, at: this.processed, branches: 1, parent: path.parent, hits: 0, misses: 0, evicted: false,
    };
    kept.push(checkpoint);
    this.explored.set(pc, kept);
    this.storedAt.set(pc, (this.storedAt.get(pc) ?? 0) + 1);
    this.stored++;
    path.parent = checkpoint;
    return false;
  }

  /** Whether a conditional jump compares two known numbers (a counter with its limit). */
  private comparesKnownNumbers(frame: ReturnType<typeof currentFrame>, insn: Insn): boolean {
    const known = (r: Reg) => r.kind === 'scalar' && isConstant(r.var);
    const sem = insn.spec.sem;
    return known(frame.regs[insn.dst]) && (sem.kind !== 'jmp' || sem.source === 'imm' || known(frame.regs[insn.src]));
  }

  /** Checked mode: a branch that can leave loops, comparing known numbers, went one way only on this path (loop-rounds.ts). */
  private noteDecidedExit(path: Path, pc: number): void {
    const heads = this.loopHeads?.exitsOf(pc);
    if (heads) path.exits = { heads, at: this.processed, before: path.exits };
  }

  /**
   * The round of a loop the path is in at `path.pc`, and the state of the round before it
   * to widen against. Checked mode: at a loop head, the last checkpoint at this pc on the
   * path's own history since the loop was entered (loop-rounds.ts); a round in which the
   * path's values decided one of the loop's exits is not counted. Where callback rounds and
   * may_goto loops converge (either mode): every checkpoint kept here counts, the last one
   * in the same call chain is the one before.
   */
  private loopRound(path: Path, kept: readonly Checkpoint[], convergesHere: boolean): { last?: Checkpoint; round: number; exactRounds: number } {
    const pc = path.pc;
    if (!this.loopHeads?.isHead(pc)) {
      if (this.checked && !convergesHere) return { round: 0, exactRounds: 0 };
      let last: Checkpoint | undefined;
      for (let i = kept.length - 1; i >= 0 && last === undefined; i--) if (sameCallChain(kept[i].state, path.state)) last = kept[i];
      return { last, round: this.storedAt.get(pc) ?? 0, exactRounds: 0 };
    }
    for (let c = path.parent; c !== undefined; c = c.parent) {
      if (c.state.frames.length < path.state.frames.length) break; // before the call this frame runs
      if (c.pc === pc && sameCallChain(c.state, path.state)) {
        const free = c.exactRounds < EXACT_ROUNDS && decidedExitSince(path.exits, pc, c.at);
        return { last: c, round: c.round + (free ? 0 : 1), exactRounds: c.exactRounds + (free ? 1 : 0) };
      }
      if (this.loopHeads.encloses(c.pc, pc)) break; // an outer loop's round: this loop was entered anew
    }
    return { round: 0, exactRounds: 0 };
  }

  /**
   * A 64-bit mov of an unknown scalar: both registers share an id, so a bound learnt on one
   * holds for the other (other ALU results keep or drop links in scalar-relations.ts).
   */
  private linkCopies(frame: ReturnType<typeof currentFrame>, insn: Insn): void {
    const sem = insn.spec.sem;
    if (sem.kind !== 'alu') return;
    const dst = frame.regs[insn.dst];
    if (sem.op === 'mov' && sem.width === 64 && sem.source === 'reg' && dst.kind === 'scalar') {
      const src = frame.regs[insn.src];
      if (src.var.tnum.mask === 0n) return;
      const id = src.id || this.newId();
      frame.regs[insn.src] = { ...src, id };
      frame.regs[insn.dst] = { ...dst, id };
    }
  }

  /** What an lddw loads: a constant, a map, a map's value (global variables), a subprogram. */
  private lddw(insn: Insn): Reg {
    const sem = insn.spec.sem;
    if (sem.kind !== 'lddw') throw new Error('lddw expected');
    const value = this.program.lddwValues.get(insn.pc)!;
    switch (sem.pseudo) {
      case 'map_fd': case 'map_idx':
        return pointerReg('map_ptr', { map: mapInfo(this.program.lddwMaps.get(insn.pc)!) });
      case 'map_value': case 'map_idx_value':
        return pointerReg('map_value', { map: mapInfo(this.program.lddwMaps.get(insn.pc)!), off: insn.imm2 >>> 0 });
      case 'func':
        return pointerReg('func', { target: funcPointerTarget(insn) });
      default:
        return constReg(value);
    }
  }

  /** LD_ABS/LD_IND: r6 must be the skb; r1-r5 are clobbered; r0 is the loaded bytes. */
  private legacyLoad(state: State, insn: Insn, size: number): void {
    const frame = currentFrame(state);
    if (!this.checked && frame.regs[6].kind !== 'ctx') {
      this.fail('LD_ABS_CTX', 'at the time of BPF_LD_ABS|IND R6 != pointer to skb', insn.pc);
    }
    if (insn.spec.sem.kind === 'packet' && insn.spec.sem.mode === 'ind') {
      const index = readReg(this, frame, insn.src, insn.pc);
      if (index.kind !== 'scalar' && !this.checked) this.fail('HELPER_ARG_TYPE', `R${insn.src} type=${index.kind} expected=scalar`, insn.pc);
    }
    // The skb itself, not a pointer into it (the kernel's check_ptr_off_reg on r6).
    const skb = frame.regs[6];
    if (!this.checked && skb.off !== 0) this.fail('MODIFIED_CTX', `dereference of modified ctx ptr R6 off=${skb.off} disallowed`, insn.pc);
    if (!this.checked && constantOf(skb.var) !== 0n) this.fail('MODIFIED_CTX', `variable ctx access var_off=${tnumString(skb.var.tnum)} disallowed`, insn.pc);
    for (let r = 1; r <= 5; r++) frame.regs[r] = NOT_INIT;
    frame.regs[0] = loadedScalar(size, false);
  }

  private call(path: Path, insn: Insn, target: 'helper' | 'local' | 'reg', waiting: Path[]): Path | undefined {
    const state = path.state;
    if (target === 'reg') {
      // Strict: the kernel has no callx. Checked: the callee (walked on its own) may do anything.
      this.fail('UNSUPPORTED', 'BPF_CALL|BPF_X (callx) is not accepted by the kernel', insn.pc);
    }
    if (target === 'local') return this.enterFunction(path, branchTarget(insn), insn.pc, nextPc(insn), -1);
    const def = this.helper(insn.imm)!;
    if (def.intrinsic === 'loop') return this.bpfLoop(path, insn, waiting);
    checkHelperCall(this, state, def, insn.pc);
    path.pc = nextPc(insn);
    return path;
  }

  /** A new frame for a bpf-to-bpf call (or a callback): r1-r5 passed on, r6-r9 unwritten, a fresh stack. */
  private enterFunction(path: Path, entry: number, callPc: number, returnPc: number, callbackOf: number, args?: Reg[]): Path | undefined {
    const state = path.state;
    if (state.frames.length >= MAX_CALL_DEPTH) {
      if (this.checked) return undefined; // the engines trap on this call: the path ends here
      this.fail('CALL_TOO_DEEP', `the call stack of ${state.frames.length + 1} frames is too deep !`, callPc);
    }
    const caller = currentFrame(state);
    const regs = new Array<Reg>(REG_COUNT).fill(NOT_INIT);
    for (let r = 1; r <= 5; r++) regs[r] = args?.[r] ?? caller.regs[r];
    regs[FP] = pointerReg('stack', { frame: state.frames.length });
    state.frames.push(newFrame(regs, entry, returnPc, callPc, callbackOf));
    path.pc = entry;
    return path;
  }

  /**
   * bpf_loop(nr, callback, ctx, flags): the callback runs with r1 = an index, r2 = ctx.
   * Its body is walked as a call; at its exit the path goes on after bpf_loop, and
   * another path enters the callback again with the state it left, until pruning finds
   * nothing new (the kernel's callback convergence). A path that calls it no time at
   * all goes on after bpf_loop too.
   */
  private bpfLoop(path: Path, insn: Insn, waiting: Path[]): Path | undefined {
    const state = path.state;
    const frame = currentFrame(state);
    const callback = readReg(this, frame, 2, insn.pc);
    if (callback.kind !== 'func') this.fail('HELPER_ARG_TYPE', `R2 type=${callback.kind} expected=func`, insn.pc);
    for (const r of [1, 3, 4]) readReg(this, frame, r, insn.pc);
    const ctx = frame.regs[3];
    if (ctx.kind !== 'stack' && !(ctx.kind === 'scalar' && ctx.var.tnum.mask === 0n && ctx.var.tnum.value === 0n) && !this.checked) {
      this.fail('HELPER_ARG_TYPE', `R3 type=${ctx.kind} expected=fp`, insn.pc);
    }
    // No iteration at all: bpf_loop returns, r0 a count or an error.
    const skipped = cloneState(state);
    afterBpfLoop(skipped);
    if (path.parent) path.parent.branches++;
    waiting.push({ state: skipped, pc: nextPc(insn), parent: path.parent, exits: path.exits });
    const args = new Array<Reg>(6).fill(NOT_INIT);
    args[1] = scalarReg(unsignedRange(0n, 1n << 23n));
    args[2] = ctx;
    return this.enterFunction(path, callback.target, insn.pc, nextPc(insn), insn.pc, args);
  }

  private exit(path: Path, insn: Insn, waiting: Path[]): Path | undefined {
    const state = path.state;
    const frame = currentFrame(state);
    // r0 must be set at the program's exit and a callback's; a subprogram's goes back as it
    // is, even unwritten (the caller fails if it reads it), but never into the callee's frame.
    const r0 = state.frames.length === 1 || frame.callbackOf >= 0 ? readReg(this, frame, 0, insn.pc) : frame.regs[0];
    if (r0.kind === 'stack' && state.frames.length > 1 && !this.checked) {
      this.fail('STACK_POINTER_RETURN', 'cannot return stack pointer to the caller', insn.pc);
    }
    if (state.frames.length === 1) {
      const leak = state.refs[0];
      if (leak && !this.checked) this.fail('UNRELEASED_REFERENCE', `Unreleased reference id=${leak.id} alloc_insn=${leak.pc}`, insn.pc);
      return undefined;
    }
    state.frames.pop();
    const caller = currentFrame(state);
    for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
    if (!this.checked) this.checkCombinedStack(state, insn.pc, frame.depth);
    if (frame.callbackOf >= 0) {
      if (!this.checked && (r0.kind !== 'scalar' || r0.var.umax > 1n)) {
        this.fail('CALLBACK_RETURN', 'At callback return the register R0 has unexpected value, should have been in [0, 1]', insn.pc);
      }
      // Another iteration, from the state this one left.
      const again = cloneState(state);
      if (path.parent) path.parent.branches++;
      const loopCall = this.program.insns[this.program.indexOfPc[frame.callbackOf]];
      const reentry: Path = { state: again, pc: frame.callbackOf, parent: path.parent, exits: path.exits };
      const args = new Array<Reg>(6).fill(NOT_INIT);
      args[1] = scalarReg(unsignedRange(0n, 1n << 23n));
      args[2] = frame.regs[2].kind === 'not_init' ? NOT_INIT : frame.regs[2];
      const nextRound = this.enterFunction(reentry, frame.entry, loopCall.pc, frame.returnPc, frame.callbackOf, args);
      if (nextRound) waiting.push(nextRound);
      else finish(path.parent);
      afterBpfLoop(state);
    } else {
      caller.regs[0] = r0;
    }
    path.pc = frame.returnPc;
    return path;
  }

  /** The kernel's limit on the stack of a whole call chain: each frame's depth, rounded up to 32, at most 512 in all. */
  private checkCombinedStack(state: State, pc: number, calleeDepth: number): void {
    const depths = [...state.frames.map((f) => f.depth), calleeDepth];
    const total = depths.reduce((sum, d) => sum + Math.ceil(Math.max(d, 1) / 32) * 32, 0);
    if (total > STACK_FRAME_SIZE) {
      this.fail('STACK_TOO_DEEP', `combined stack size of ${depths.length} calls is ${total}. Too large`, pc);
    }
  }
}

/** Checked mode: a failed check, and the budget exceeded. */
const DEGRADED = new Error('degraded');
const TOO_COMPLEX = new Error('too complex');

/** After bpf_loop: r0 is a count or an error, r1-r5 unreadable. */
function afterBpfLoop(state: State): void {
  const frame = currentFrame(state);
  for (let r = 1; r <= 5; r++) frame.regs[r] = NOT_INIT;
  frame.regs[0] = UNKNOWN_SCALAR;
}

/** Whether two states are in the same functions, called from the same places. */
function sameCallChain(a: State, b: State): boolean {
  return a.frames.length === b.frames.length && a.frames.every((f, i) => f.callPc === b.frames[i].callPc && f.callbackOf === b.frames[i].callbackOf);
}

/** A path ended: its checkpoints have one path fewer below them; those with none left may prune. */
function finish(parent: Checkpoint | undefined): void {
  for (let c = parent; c !== undefined; c = c.parent) {
    c.branches--;
    if (c.branches > 0) break;
  }
}

function mapInfo(map: BpfMap): MapInfo {
  const flags = map.spec.flags ?? 0;
  return {
    fd: map.fd, type: map.type, keySize: map.keySize, valueSize: map.valueSize, maxEntries: map.maxEntries,
    readonly: map.spec.readonly === true || (flags & MAP_FLAGS.RDONLY_PROG) !== 0,
  };
}
