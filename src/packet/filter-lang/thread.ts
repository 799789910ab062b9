import type { Item, Label } from './items.js';
import { afterInsn } from './reuse.js';

/**
 * Jump threading: a jump whose target starts with tests its path already decided goes
 * straight past them. The primitives are compiled independently, so `tcp or udp` tests the
 * EtherType once for each; on the path where `ldh [12]; jeq #0x800` failed, a later
 * `ldh [12]; jeq #0x800` cannot succeed, and the first test's false edge is sent to where
 * the second's goes.
 *
 * What a path knows: the keys of A and X (reuse.ts), and the outcomes of the tests made on
 * each key's value (packet bytes never change, so they hold after A is reloaded). A key
 * with known outcomes was loaded on every path, so loading it again cannot fail: following
 * a target may step over such loads, over loads of what a register already holds, over
 * `ja` and over decided tests, and nothing else. The new target is the furthest label on
 * the way whose code reads no register that differs between the path and the simulation
 * before setting it. Targets only move forward, so jumps stay forward.
 */
interface Known {
  readonly a?: string;
  readonly x?: string;
  /** Per key: outcomes of `j<op> #k` on its value, as `<code>:<k>` -> taken. */
  readonly facts: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
}

const JEQ = 0x15;
const JGT = 0x25;
const JGE = 0x35;
const JSET = 0x45;
const EMPTY: Known = { facts: new Map() };

function meet(p: Known | undefined, q: Known | undefined): Known | undefined {
  if (!p) return q;
  if (!q) return p;
  const facts = new Map<string, Map<string, boolean>>();
  for (const [key, tests] of p.facts) {
    const other = q.facts.get(key);
    if (!other) continue;
    const both = new Map([...tests].filter(([t, v]) => other.get(t) === v));
    // An empty entry still says the key was loaded on both paths.
    facts.set(key, both);
  }
  return { a: p.a === q.a ? p.a : undefined, x: p.x === q.x ? p.x : undefined, facts };
}

/** The outcome of `code #k` on A if what is known decides it. */
function decide(known: Known, code: number, k: number): boolean | undefined {
  const tests = known.a === undefined ? undefined : known.facts.get(known.a);
  if (!tests) return undefined;
  const direct = tests.get(`${code}:${k}`);
  if (direct !== undefined) return direct;
  // An equality that held gives the value, which decides every test.
  for (const [t, taken] of tests) {
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
  const facts = new Map(known.facts);
  facts.set(known.a, new Map(known.facts.get(known.a)).set(`${code}:${k}`, taken));
  return { ...known, facts };
}

function loaded(known: Known, key: string | undefined): Known {
  if (key === undefined || known.facts.has(key)) return known;
  return { ...known, facts: new Map(known.facts).set(key, new Map()) };
}

/** The state after a non-jump instruction. */
function step(known: Known, code: number, k: number): Known {
  const held = afterInsn(code, k, known);
  return loaded({ a: held.a, x: held.x, facts: known.facts }, (code & 0x07) === 0 ? held.a : undefined);
}

const isCondJump = (it: Item): it is Extract<Item, { kind: 'insn' }> & { jt: Label; jf: Label } => it.kind === 'insn' && it.jt !== undefined;
const cls = (code: number) => code & 0x07;

/** How an instruction treats A and X: read before written, written. */
function regUse(code: number): { readsA: boolean; readsX: boolean; setsA: boolean; setsX: boolean } {
  const c = cls(code);
  const srcX = (code & 0x08) !== 0;
  switch (c) {
    case 0x00: return { readsA: false, readsX: (code & 0xe0) === 0x40, setsA: true, setsX: false };
    case 0x01: return { readsA: false, readsX: false, setsA: false, setsX: true };
    case 0x02: return { readsA: true, readsX: false, setsA: false, setsX: false };
    case 0x03: return { readsA: false, readsX: true, setsA: false, setsX: false };
    case 0x04: return { readsA: true, readsX: srcX, setsA: true, setsX: false };
    case 0x05: return { readsA: code !== 0x05, readsX: srcX, setsA: false, setsX: false };
    case 0x06: return { readsA: (code & 0x18) === 0x10, readsX: false, setsA: false, setsX: false };
    default: return code === 0x07
      ? { readsA: true, readsX: false, setsA: false, setsX: true }
      : { readsA: false, readsX: true, setsA: true, setsX: false };
  }
}

export function threadJumps(input: readonly Item[], newLabel: () => Label): Item[] {
  // A label after every load, so a path that holds a value can land past its reload
  // (labels cost nothing: they are gone once offsets are resolved).
  const items: Item[] = [];
  input.forEach((it, i) => {
    items.push(it);
    if (it.kind === 'insn' && it.jt === undefined && cls(it.code) <= 0x01 && input[i + 1]?.kind !== 'label') {
      items.push({ kind: 'label', id: newLabel() });
    }
  });
  const labelAt = new Map<Label, number>();
  items.forEach((it, i) => { if (it.kind === 'label') labelAt.set(it.id, i); });

  /** Whether code from item `i` on runs the same with the path's registers as with the simulation's. */
  const fits = (i: number, path: Known, sim: Known): boolean => {
    let aDiffers = path.a === undefined || path.a !== sim.a;
    let xDiffers = path.x === undefined || path.x !== sim.x;
    // Registers nobody knows may still be equal (the same unknown value): only equal keys count.
    if (sim.a === undefined && path.a === undefined) aDiffers = false;
    if (sim.x === undefined && path.x === undefined) xDiffers = false;
    for (let j = i + 1; j < items.length && (aDiffers || xDiffers); j++) {
      const it = items[j];
      if (it.kind === 'label') continue;
      if (it.kind === 'ja') return false;
      const use = regUse(it.code);
      if ((use.readsA && aDiffers) || (use.readsX && xDiffers)) return false;
      if (it.jt !== undefined || cls(it.code) === 0x06) return cls(it.code) === 0x06;
      if (use.setsA) aDiffers = false;
      if (use.setsX) xDiffers = false;
    }
    return true;
  };

  /** The furthest label past `label` that a path knowing `path` can jump to instead. */
  const follow = (label: Label, path: Known): Label => {
    let i = labelAt.get(label)!;
    let best = label;
    let sim = path;
    for (let steps = 0; steps < 100_000; steps++) {
      i++;
      const it = items[i];
      if (it === undefined) break;
      if (it.kind === 'label') {
        if (fits(i, path, sim)) best = it.id;
        continue;
      }
      if (it.kind === 'ja') {
        i = labelAt.get(it.to)! - 1;
        continue;
      }
      if (isCondJump(it)) {
        const taken = (it.code & 0x08) !== 0 ? undefined : decide(sim, it.code, it.k);
        if (taken === undefined) break;
        i = labelAt.get(taken ? it.jt : it.jf)! - 1;
        continue;
      }
      const c = cls(it.code);
      if (c !== 0x00 && c !== 0x01) break;
      const next = afterInsn(it.code, it.k, sim);
      const key = c === 0x00 ? next.a : next.x;
      const held = c === 0x00 ? sim.a : sim.x;
      if (key === undefined || (key !== held && !(c === 0x00 && sim.facts.has(key)))) break;
      sim = { ...sim, a: next.a, x: next.x };
    }
    return best;
  };

  const atLabel = new Map<Label, Known | undefined>();
  const reach = (label: Label, k: Known) => atLabel.set(label, meet(atLabel.get(label), k));
  let known: Known | undefined = EMPTY;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind === 'label') {
      known = meet(known, atLabel.get(it.id));
      continue;
    }
    // No path reaches it (any more): it must not weaken what the next label knows.
    if (known === undefined) continue;
    const now: Known = known;
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
    known = cls(it.code) === 0x06 ? undefined : step(now, it.code, it.k);
  }
  return dropDead(dropTrivialJumps(dropDead(items)));
}

/**
 * A test whose two edges now go to the same place becomes a `ja` (its load stays: it may
 * still end the program on a short packet), and a `ja` to the next instruction goes.
 */
function dropTrivialJumps(items: readonly Item[]): Item[] {
  const out: Item[] = items.map((it) => (isCondJump(it) && it.jt === it.jf ? { kind: 'ja', to: it.jt } : it));
  return out.filter((it, i) => {
    if (it.kind !== 'ja') return true;
    for (let j = i + 1; j < out.length; j++) {
      const next = out[j];
      if (next.kind !== 'label') return true;
      if (next.id === it.to) return false;
    }
    return true;
  });
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
    else if (cls(it.code) === 0x06) live = false;
  }
  return out;
}
