import type { Item, Label } from './items.js';

/**
 * Drops loads whose value A or X already holds on every path that reaches them: primitives
 * are generated one by one, each loading what it tests (`ldh [12]` for the EtherType,
 * `ldxb 4*([14]&0xf)` for the IPv4 header length), so `tcp port 80 or udp` reloads both.
 * Jumps only go forward, so one pass in order sees every way into a label before it.
 * Packet bytes never change and a repeated load reads where the first one read, so the
 * first load succeeding (not ending the program) means the second would.
 */
interface Held {
  /** What A holds, as a key: `abs<code>:<k>`, `len`, `imm:<k>`, `ind<code>:<k>:<X's key>`. */
  readonly a?: string;
  /** What X holds: `msh:<k>`, `imm:<k>` or A's key after `tax`. */
  readonly x?: string;
}

/** What holds on both paths; undefined stands for a path that does not exist. */
function meet(p: Held | undefined, q: Held | undefined): Held | undefined {
  if (!p) return q;
  if (!q) return p;
  return { a: p.a === q.a ? p.a : undefined, x: p.x === q.x ? p.x : undefined };
}

const CLASS_JMP = 0x05;
const CLASS_RET = 0x06;

export function afterInsn(code: number, k: number, held: Held): Held {
  switch (code) {
    case 0x20: case 0x28: case 0x30: return { ...held, a: `abs${code}:${k}` };
    case 0x40: case 0x48: case 0x50: return { ...held, a: held.x === undefined ? undefined : `ind${code}:${k}:${held.x}` };
    case 0x80: return { ...held, a: 'len' };
    case 0x00: return { ...held, a: `imm:${k}` };
    case 0xb1: return { ...held, x: `msh:${k}` };
    case 0x01: return { ...held, x: `imm:${k}` };
    case 0x07: return { ...held, x: held.a };
    case 0x87: return { ...held, a: held.x };
    case 0x02: case 0x03: return held;
    case 0x61: return { ...held, x: undefined };
    default: return (code & 0x07) === CLASS_JMP ? held : { ...held, a: undefined };
  }
}

export function dropReloads(items: readonly Item[]): Item[] {
  const atLabel = new Map<Label, Held | undefined>();
  const reach = (label: Label, held: Held) => atLabel.set(label, meet(atLabel.get(label), held));
  const out: Item[] = [];
  // undefined: no path falls into the next item (after a jump or a return).
  let held: Held | undefined = {};
  for (const it of items) {
    if (it.kind === 'label') {
      held = meet(held, atLabel.get(it.id));
      out.push(it);
      continue;
    }
    const now: Held = held ?? {};
    if (it.kind === 'ja') {
      reach(it.to, now);
      held = undefined;
      out.push(it);
      continue;
    }
    const next = afterInsn(it.code, it.k, now);
    const isLoad = (it.code & 0x07) <= 0x01 && it.code !== 0x61 && it.code !== 0x60;
    if (isLoad && held !== undefined && next.a === now.a && next.x === now.x && (next.a !== undefined || next.x !== undefined)) continue;
    out.push(it);
    if (it.jt !== undefined) {
      reach(it.jt, next);
      reach(it.jf!, next);
      held = undefined;
    } else if ((it.code & 0x07) === CLASS_RET) held = undefined;
    else held = next;
  }
  return out;
}
