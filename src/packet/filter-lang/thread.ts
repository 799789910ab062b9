import type { Item, Label } from './items.js';
import { afterInsn } from './reuse.js';

/**
 * Jump threading: a jump whose target starts with tests it already knows the answer to
 * goes straight past them. The primitives are compiled independently, so `tcp or udp`
 * tests the EtherType once for each; after `ldh [12]; jeq #0x800` failed, the second
 * `ldh [12]; jeq #0x800` cannot succeed, and the first test's false edge is sent to where
 * the second's goes. What an edge knows: the keys of A and X (reuse.ts) and the outcomes
 * of tests on A since A was loaded. Jumps stay forward: threading only ever moves a
 * target further on.
 */
interface Known {
  readonly a?: string;
  readonly x?: string;
  /** Outcomes of `j<op> #k` on the current A, as `<code>:<k>` -> taken. */
  readonly tests: ReadonlyMap<string, boolean>;
}

const JEQ = 0x15;
const JGT = 0x25;
const JGE = 0x35;
const JSET = 0x45;

function meet(p: Known | undefined, q: Known | undefined): Known | undefined {
  if (!p) return q;
  if (!q) return p;
  const a = p.a === q.a ? p.a : undefined;
  const tests = new Map<string, boolean>();
  if (a !== undefined) for (const [t, v] of p.tests) if (q.tests.get(t) === v) tests.set(t, v);
  return { a, x: p.x === q.x ? p.x : undefined, tests };
}

/** The outcome of `code #k` on A if what is known decides it. */
function decide(known: Known, code: number, k: number): boolean | undefined {
  const direct = known.tests.get(`${code}:${k}`);
  if (direct !== undefined) return direct;
  // A known constant (an equality that held) decides every test.
  for (const [t, taken] of known.tests) {
    const [c, v] = t.split(':').map(Number);
    if (c !== JEQ || !taken) continue;
    switch (code) {
      case JEQ: return v === k;
      case JGT: return v > k;
      case JGE: return v >= k;
      case JSET: return (v & k) !== 0;
    }
  }
  return undefined;
}

function withTest(known: Known, code: number, k: number, taken: boolean): Known {
  if (known.a === undefined) return known;
  const tests = new Map(known.tests);
  tests.set(`${code}:${k}`, taken);
  return { ...known, tests };
}

/** The state after a non-jump instruction. */
function step(known: Known, code: number, k: number): Known {
  const held = afterInsn(code, k, known);
  return { a: held.a, x: held.x, tests: held.a !== undefined && held.a === known.a ? known.tests : new Map() };
}

const isLoadOf = (code: number) => (code & 0x07) <= 0x01 && code !== 0x60 && code !== 0x61;
const isCondJump = (it: Item): it is Extract<Item, { kind: 'insn' }> & { jt: Label; jf: Label } => it.kind === 'insn' && it.jt !== undefined;

export function threadJumps(input: readonly Item[], newLabel: () => Label): Item[] {
  const items = [...input];
  const labelAt = new Map<Label, number>();
  const reindex = () => {
    labelAt.clear();
    items.forEach((it, i) => { if (it.kind === 'label') labelAt.set(it.id, i); });
  };
  reindex();

  /** Follows `label` as far as `known` decides; returns the label to jump to instead. */
  const follow = (label: Label, known: Known): Label => {
    let i = labelAt.get(label)!;
    let target = label;
    let k = known;
    for (let steps = 0; steps < 10_000; steps++) {
      i++;
      const it = items[i];
      if (it === undefined) break;
      if (it.kind === 'label') { target = it.id; continue; }
      if (it.kind === 'ja') { target = it.to; i = labelAt.get(it.to)!; continue; }
      if (isCondJump(it)) {
        if ((it.code & 0x08) !== 0) break;
        const taken = decide(k, it.code, it.k);
        if (taken === undefined) break;
        const to = taken ? it.jt : it.jf;
        target = to;
        i = labelAt.get(to)!;
        continue;
      }
      const next = step(k, it.code, it.k);
      if (isLoadOf(it.code) && next.a === k.a && next.x === k.x && (k.a !== undefined || k.x !== undefined)) {
        // A redundant load: stepping over it needs a label after it.
        const after = items[i + 1];
        if (after?.kind === 'label') continue;
        const id = newLabel();
        items.splice(i + 1, 0, { kind: 'label', id });
        reindex();
        continue;
      }
      break;
    }
    return target;
  };

  const atLabel = new Map<Label, Known | undefined>();
  const reach = (label: Label, k: Known) => atLabel.set(label, meet(atLabel.get(label), k));
  let known: Known | undefined = { tests: new Map() };
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind === 'label') {
      known = meet(known, atLabel.get(it.id));
      continue;
    }
    const now: Known = known ?? { tests: new Map() };
    if (it.kind === 'ja') {
      const to = follow(it.to, now);
      items[i] = { kind: 'ja', to };
      reach(to, now);
      known = undefined;
      continue;
    }
    if (isCondJump(it)) {
      const sx = (it.code & 0x08) !== 0;
      const onTrue = sx ? now : withTest(now, it.code, it.k, true);
      const onFalse = sx ? now : withTest(now, it.code, it.k, false);
      it.jt = follow(it.jt, onTrue);
      it.jf = follow(it.jf, onFalse);
      reach(it.jt, onTrue);
      reach(it.jf, onFalse);
      known = undefined;
      continue;
    }
    known = (it.code & 0x07) === 0x06 ? undefined : step(now, it.code, it.k);
  }
  return dropDead(items);
}

/** Removes what no path reaches any more: code after a jump or a return that no jump names. */
function dropDead(items: readonly Item[]): Item[] {
  const targeted = new Set<Label>();
  const out: Item[] = [];
  let live = true;
  for (const it of items) {
    if (it.kind === 'label') {
      if (targeted.has(it.id)) live = true;
      if (live) out.push(it);
      continue;
    }
    if (!live) continue;
    out.push(it);
    if (it.kind === 'ja') { targeted.add(it.to); live = false; }
    else if (it.jt !== undefined) { targeted.add(it.jt); targeted.add(it.jf!); live = false; }
    else if ((it.code & 0x07) === 0x06) live = false;
  }
  return out;
}
