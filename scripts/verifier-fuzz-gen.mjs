// Random small programs for verifier-fuzz.mjs: each generator draws one program that
// stresses one kind of memory access, as assembler text for our `asm` syntax, with the
// maps it needs (map i = lddw map_fd(i)) and one line saying what it checks. Seeded and
// deterministic: the same seed gives the same programs. No dependencies.

/** mulberry32: small, fast, and the same on every machine. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

const SIZES = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };
const sfx = (size) => SIZES[size];
const off = (n) => (n < 0 ? `${n}` : `+${n}`);

/** Where each type keeps its packet pointers, and a plain u32 field to draw a scalar from. */
const PKT = {
  xdp: { data: 0, end: 4, meta: 8, scalar: 16, ctxSize: 24 },
  sched_cls: { data: 76, end: 80, meta: 140, scalar: 0, ctxSize: 192 },
  socket_filter: { data: null, end: null, meta: null, scalar: 0, ctxSize: 192 },
};
export const TYPES = ['socket_filter', 'xdp', 'sched_cls'];

/** A return value the type accepts (xdp: XDP_PASS). */
const ret = (type) => (type === 'xdp' ? 2 : 0);

/**
 * Code that leaves an unknown or partly known scalar in `reg`, from ctx (r1 must still be
 * the context) or a helper; and how it was drawn. Bounded forms refine it as the kernel does.
 */
function scalarInto(r, type, reg, { helperOk = true } = {}) {
  const src = helperOk && r.chance(0.3) ? 'call 7' : `ldxw %${reg}, [%r1${off(PKT[type].scalar)}]`;
  const lines = src === 'call 7' ? ['mov %r6, %r1', 'call 7', `mov %${reg}, %r0`, 'mov %r1, %r6'] : [src];
  const shape = r.pick(['and', 'and', 'jgt', 'jsgt', 'jlt32', 'none', 'neg-and', 'lsh', 'mod']);
  const k = r.pick([1, 3, 7, 8, 15, 16, 31, 63, 255, 256, 4095, 65535]);
  let desc = '';
  switch (shape) {
    case 'and': lines.push(`and %${reg}, ${k}`); desc = `x & ${k}`; break;
    case 'jgt': lines.push(`jgt %${reg}, ${k}, out`); desc = `x <= ${k} (unsigned branch)`; break;
    case 'jsgt': lines.push(`jsgt %${reg}, ${k}, out`); desc = `x s<= ${k} (signed branch only)`; break;
    case 'jlt32': lines.push(`jge32 %${reg}, ${k}, out`); desc = `w < ${k} (32-bit branch)`; break;
    case 'neg-and': lines.push(`and %${reg}, ${k}`, `neg %${reg}`); desc = `-(x & ${k})`; break;
    case 'lsh': lines.push(`and %${reg}, ${k}`, `lsh %${reg}, ${r.pick([1, 2, 3])}`); desc = `(x & ${k}) << n`; break;
    case 'mod': lines.push(`mod %${reg}, ${k}`); desc = `x % ${k} (untracked)`; break;
    default: desc = 'unbounded x';
  }
  return { lines, desc };
}

function ctxAccess(r, type) {
  const size = r.pick([1, 2, 4, 4, 4, 8]);
  const limit = PKT[type].ctxSize + 8;
  const o = r.chance(0.7) ? r.int(0, limit) & ~(r.chance(0.7) ? size - 1 : 0) : r.int(-8, limit);
  const kind = r.pick(['ldx', 'ldx', 'ldx', 'st', 'stx', 'moved', 'ldxs']);
  const lines = [];
  let desc;
  if (kind === 'ldx') { lines.push(`ldx${sfx(size)} %r0, [%r1${off(o)}]`); desc = `a ${size}-byte ctx load at ${o}`; }
  else if (kind === 'ldxs') {
    const s = r.pick([1, 2, 4]);
    lines.push(`ldxs${sfx(s)} %r0, [%r1${off(o & ~(s - 1))}]`); desc = `a ${s}-byte sign-extending ctx load at ${o & ~(s - 1)}`;
  } else if (kind === 'st') { lines.push(`st${sfx(size)} [%r1${off(o)}], ${r.int(0, 3)}`); desc = `a ${size}-byte ctx store (imm) at ${o}`; }
  else if (kind === 'stx') { lines.push(`mov %r2, ${r.int(0, 9)}`, `stx${sfx(size)} [%r1${off(o)}], %r2`); desc = `a ${size}-byte ctx store (reg) at ${o}`; }
  else {
    const d = r.pick([4, 8, -4, o]);
    lines.push(`mov %r2, %r1`, `add %r2, ${d}`, `ldx${sfx(size)} %r0, [%r2${off(o - d)}]`);
    desc = `a ${size}-byte ctx load at ${o} through a moved ctx pointer (+${d})`;
  }
  lines.push(`mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps: [], desc };
}

function packetAccess(r, type) {
  if (type === 'socket_filter') return ctxAccess(r, type);
  const p = PKT[type];
  const lines = [`ldxw %r2, [%r1${off(p.data)}]`, `ldxw %r3, [%r1${off(p.end)}]`];
  const n = r.pick([1, 2, 8, 14, 20, 34, 54]);
  const size = r.pick([1, 2, 4, 8]);
  // The access ends at or one past the checked length (off by one) or well inside.
  const o = r.pick([n - size, n - size + 1, n - size - 1, 0, n, r.int(-2, n)]);
  const check = r.pick(['jgt', 'jge', 'jlt-rev', 'jle-rev', 'none', 'jgt-taken']);
  let desc = `a ${size}-byte packet access at ${o} after `;
  let pre = [];
  let useReg = '%r2';
  const variable = r.chance(0.3);
  if (variable) {
    const s = scalarInto(r, type, 'r5', { helperOk: false });
    pre = s.lines;
    lines.unshift(...pre);
    lines.push('add %r2, %r5');
    desc = `a ${size}-byte packet access at (${s.desc})+${o} after `;
  }
  lines.push('mov %r4, %r2', `add %r4, ${n}`, `mov %r0, ${ret(type)}`);
  switch (check) {
    case 'jgt': lines.push('jgt %r4, %r3, out'); desc += `data+${n} > end exits`; break;
    case 'jge': lines.push('jge %r4, %r3, out'); desc += `data+${n} >= end exits`; break;
    case 'jlt-rev': lines.push('jlt %r3, %r4, out'); desc += `end < data+${n} exits`; break;
    case 'jle-rev': lines.push('jle %r3, %r4, out'); desc += `end <= data+${n} exits`; break;
    case 'jgt-taken': lines.push('jle %r4, %r3, out'); desc += `data+${n} <= end exits (the wrong side)`; break;
    default: desc += 'no check';
  }
  const store = r.chance(0.25);
  lines.push(store ? `st${sfx(size)} [${useReg}${off(o)}], 0` : `ldx${sfx(size)} %r6, [${useReg}${off(o)}]`);
  if (store) desc = desc.replace('access', 'store');
  lines.push('out:', 'exit');
  return { lines, maps: [], desc };
}

function stackAccess(r, type) {
  const lines = [];
  const s1 = r.pick([1, 2, 4, 8]);
  const s2 = r.pick([1, 2, 4, 8]);
  const o1 = r.chance(0.8) ? -8 * r.int(1, 4) + (r.chance(0.3) ? r.int(0, 7) : 0) : r.pick([-512, -520, -513, 0, 4, -1]);
  const o2 = r.chance(0.6) ? o1 : o1 + r.pick([-4, -1, 1, 2, 4, 8]);
  const what = r.pick(['ctx', 'scalar', 'imm', 'fp', 'bounded']);
  let desc;
  if (what === 'ctx') { lines.push(`stx${sfx(s1)} [%r10${off(o1)}], %r1`); desc = `ctx pointer spilled (${s1} bytes at ${o1})`; }
  else if (what === 'fp') { lines.push('mov %r3, %r10', `stx${sfx(s1)} [%r10${off(o1)}], %r3`); desc = `fp spilled (${s1} bytes at ${o1})`; }
  else if (what === 'imm') { lines.push(`st${sfx(s1)} [%r10${off(o1)}], ${r.int(0, 40)}`); desc = `imm stored (${s1} bytes at ${o1})`; }
  else if (what === 'bounded') {
    lines.push(`ldxw %r3, [%r1${off(PKT[type].scalar)}]`, 'and %r3, 15', `stx${sfx(s1)} [%r10${off(o1)}], %r3`);
    desc = `bounded scalar spilled (${s1} bytes at ${o1})`;
  } else { lines.push(`mov %r3, ${r.int(0, 40)}`, `stx${sfx(s1)} [%r10${off(o1)}], %r3`); desc = `const scalar spilled (${s1} bytes at ${o1})`; }
  if (r.chance(0.2)) { const o3 = o1 + r.int(0, 7); lines.push(`stb [%r10${off(o3)}], 0`); desc += `, byte ${o3} overwritten`; }
  lines.push(`ldx${sfx(s2)} %r2, [%r10${off(o2)}]`);
  desc += `, filled with ${s2} bytes at ${o2}`;
  const use = r.pick(['deref', 'index', 'none']);
  if (use === 'deref') { lines.push('ldxw %r0, [%r2+0]'); desc += ', dereferenced'; }
  else if (use === 'index') {
    lines.push('mov %r4, %r10', 'add %r4, -64', 'and %r2, 31', 'add %r4, %r2', 'ldxb %r0, [%r4+0]');
    desc += ', used as a stack index';
  }
  lines.push(`mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps: [], desc };
}

function mapAccess(r, type) {
  const mtype = r.pick(['array', 'hash', 'array', 'percpu_array']);
  const value = r.pick([4, 8, 12, 16, 48]);
  const maps = [{ type: mtype, key: 4, value, max: r.pick([1, 4, 16]) }];
  const lines = [];
  const scalar = r.chance(0.45) ? scalarInto(r, type, 'r7') : null;
  if (scalar) lines.push(...scalar.lines);
  const keyOk = mtype !== 'hash' && r.chance(0.3);
  lines.push(keyOk ? 'stdw [%r10-8], 0' : `stw [%r10-4], ${r.int(0, 2)}`);
  lines.push('lddw %r1, map_fd(0)', 'mov %r2, %r10', `add %r2, ${keyOk ? -8 : -4}`, 'call 1');
  const nullCheck = r.pick(['jeq', 'jeq', 'jne', 'none', 'copy']);
  let desc = `${mtype} value of ${value} bytes`;
  let ptr = '%r0';
  if (nullCheck === 'jeq') { lines.push('jeq %r0, 0, out'); desc += ', null-checked'; }
  else if (nullCheck === 'jne') { lines.push('jne %r0, 0, +2', `mov %r0, ${ret(type)}`, 'exit'); desc += ', null-checked (jne)'; }
  else if (nullCheck === 'copy') { lines.push('mov %r8, %r0', 'jeq %r0, 0, out'); ptr = '%r8'; desc += ', null-checked through a copy'; }
  else desc += ', no null check';
  const size = r.pick([1, 2, 4, 8]);
  const o = r.pick([0, value - size, value - size + 1, value, -1, r.int(0, value)]);
  if (scalar) { lines.push(`add ${ptr}, %r7`); desc += `, + (${scalar.desc})`; }
  const kind = r.pick(['ldx', 'ldx', 'st', 'stx', 'atomic']);
  if (kind === 'ldx') lines.push(`ldx${sfx(size)} %r1, [${ptr}${off(o)}]`);
  else if (kind === 'st') lines.push(`st${sfx(size)} [${ptr}${off(o)}], 1`);
  else if (kind === 'stx') lines.push('mov %r1, 1', `stx${sfx(size)} [${ptr}${off(o)}], %r1`);
  else {
    const a = r.pick([4, 8]);
    lines.push('mov %r1, 1', `lock add${a === 8 ? '' : '32'} [${ptr}${off(o)}], %r1`);
    desc += `, ${a}-byte atomic add at ${o}`;
  }
  if (kind !== 'atomic') desc += `, ${size}-byte ${kind} at ${o}`;
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps, desc };
}

function ptrArith(r, type) {
  const base = r.pick(type === 'socket_filter' ? ['stack', 'stack', 'ctx'] : ['stack', 'packet', 'ctx']);
  const lines = [];
  const s = scalarInto(r, type, 'r5');
  lines.push(...s.lines);
  const size = r.pick([1, 2, 4, 8]);
  const op = r.pick(['add', 'add', 'sub', 'add32']);
  let desc = `${base} pointer ${op} (${s.desc}), ${size}-byte load`;
  if (base === 'stack') {
    const o = r.pick([-8, -16, -64, -256, -512, 0]);
    lines.push('stdw [%r10-8], 0', 'mov %r2, %r10', `add %r2, ${o}`, `${op} %r2, %r5`, `ldx${sfx(size)} %r0, [%r2+0]`);
    desc += ` at fp${o}`;
  } else if (base === 'packet') {
    const p = PKT[type];
    const n = r.pick([8, 16, 64]);
    lines.push(`ldxw %r2, [%r1${off(p.data)}]`, `ldxw %r3, [%r1${off(p.end)}]`, `${op} %r2, %r5`,
      'mov %r4, %r2', `add %r4, ${n}`, 'jgt %r4, %r3, out', `ldx${sfx(size)} %r0, [%r2${off(r.int(0, n - size))}]`);
    desc += `, checked for ${n} bytes after the arithmetic`;
  } else {
    lines.push('mov %r2, %r1', `${op} %r2, %r5`, `ldx${sfx(size)} %r0, [%r2+0]`);
  }
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps: [], desc };
}

/** Memory handed to a helper: bpf_map_update_elem's key and value from the stack, a map value or the packet, of various sizes and offsets. */
function helperMemory(r, type) {
  const value = r.pick([4, 8, 16, 40]);
  const maps = [{ type: r.pick(['hash', 'array']), key: 4, value, max: 4 }];
  const lines = [];
  const src = r.pick(type === 'socket_filter' ? ['stack', 'stack', 'value'] : ['stack', 'value', 'packet']);
  const o = r.pick([0, 1, -1, 4, value - 4, value]);
  let desc = `bpf_map_update_elem with a ${value}-byte value from `;
  if (src === 'stack') {
    const base = r.pick([-value, -value + r.int(1, 7), -512, -520, -value - 8, -8]);
    if (r.chance(0.5)) lines.push(`stdw [%r10${off(base & ~7)}], 0`);
    if (r.chance(0.3)) {
      lines.push(`ldxw %r5, [%r1${off(PKT[type].scalar)}]`, `and %r5, ${r.pick([7, 8, 16, 24])}`, 'mov %r3, %r10', `add %r3, ${base}`, 'add %r3, %r5');
      desc += `the stack at fp${base} + a bounded scalar`;
    } else { lines.push('mov %r3, %r10', `add %r3, ${base}`); desc += `the stack at fp${base}`; }
  } else if (src === 'value') {
    lines.push('stw [%r10-4], 0', 'lddw %r1, map_fd(0)', 'mov %r2, %r10', 'add %r2, -4', 'call 1', 'jeq %r0, 0, out', 'mov %r3, %r0', `add %r3, ${o}`);
    desc += `a map value at ${o}`;
  } else {
    const p = PKT[type];
    const n = r.pick([value - 1, value, value + 4, 64]);
    lines.push(`ldxw %r3, [%r1${off(p.data)}]`, `ldxw %r4, [%r1${off(p.end)}]`, 'mov %r5, %r3', `add %r5, ${n}`, 'jgt %r5, %r4, out');
    if (o !== 0) lines.push(`add %r3, ${o}`);
    desc += `the packet at ${o}, ${n} bytes checked`;
  }
  lines.push('stw [%r10-4], 1', 'lddw %r1, map_fd(0)', 'mov %r2, %r10', 'add %r2, -4', 'mov %r4, 0', 'call 2');
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps, desc };
}

/** Pointers spilled to the stack and filled back (packet after a check, map value, ctx), then used. */
function pointerSpill(r, type) {
  const lines = [];
  const slot = r.pick([-8, -16, -24]);
  const kinds = type === 'socket_filter' ? ['ctx', 'value'] : ['ctx', 'value', 'packet', 'packet'];
  const kind = r.pick(kinds);
  const fill = r.pick([8, 8, 8, 4]);
  const fillOff = slot + r.pick([0, 0, 0, 4]);
  const clobber = r.chance(0.2);
  const size = r.pick([1, 2, 4, 8]);
  const o = r.pick([0, 2, 4, 8, 12, 13]);
  let maps = [];
  let desc = `a ${kind} pointer spilled at fp${slot}, filled with ${fill} bytes at fp${fillOff}`;
  if (kind === 'ctx') {
    lines.push(`stxdw [%r10${off(slot)}], %r1`);
  } else if (kind === 'value') {
    maps = [{ type: 'array', key: 4, value: 16, max: 1 }];
    lines.push('mov %r6, %r1', 'stw [%r10-4], 0', 'lddw %r1, map_fd(0)', 'mov %r2, %r10', 'add %r2, -4', 'call 1');
    if (r.chance(0.8)) { lines.push('jeq %r0, 0, out'); desc += ' (null-checked before the spill)'; }
    lines.push(`stxdw [%r10${off(slot)}], %r0`);
  } else {
    const p = PKT[type];
    lines.push(`ldxw %r2, [%r1${off(p.data)}]`, `ldxw %r3, [%r1${off(p.end)}]`, 'mov %r4, %r2', 'add %r4, 14', 'jgt %r4, %r3, out', `stxdw [%r10${off(slot)}], %r2`);
    desc += ' (14 bytes checked)';
    if (r.chance(0.3)) { lines.push('mov %r6, %r1', 'mov %r2, 0', 'call 7'); desc += ', a helper call between'; }
  }
  if (clobber) { lines.push(`stw [%r10${off(slot + 4)}], 0`); desc += ', half overwritten'; }
  lines.push(`ldx${sfx(fill)} %r7, [%r10${off(fillOff)}]`);
  lines.push(r.chance(0.2) ? `st${sfx(size)} [%r7${off(o)}], 0` : `ldx${sfx(size)} %r0, [%r7${off(o)}]`);
  desc += `, a ${size}-byte access at ${o}`;
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps, desc };
}

/** Two scalars compared with each other or with constants, then one used as a map value offset. */
function branchRefine(r, type) {
  const maps = [{ type: 'array', key: 4, value: 32, max: 1 }];
  const lines = [`ldxw %r6, [%r1${off(PKT[type].scalar)}]`, 'mov %r7, %r6', `and %r7, ${r.pick([15, 31, 63])}`];
  const cmp = r.pick(['jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jslt', 'jeq', 'jne', 'jset', 'jgt32', 'jslt32']);
  const k = r.pick([0, 1, 7, 8, 16, 24, 28, 31, 32]);
  const against = r.chance(0.3) ? '%r7' : `${k}`;
  const which = against === '%r7' ? '%r6' : r.pick(['%r6', '%r7']);
  lines.push('stw [%r10-4], 0', 'lddw %r1, map_fd(0)', 'mov %r2, %r10', 'add %r2, -4', 'call 1', 'jeq %r0, 0, out');
  // The taken side exits: what falls through is refined by the negation of the compare.
  lines.push(`${cmp} ${which}, ${against}, out`);
  const size = r.pick([1, 4, 8]);
  lines.push(`add %r0, ${which}`, `ldx${sfx(size)} %r1, [%r0+0]`);
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps, desc: `x refined by not (${which} ${cmp} ${against}), then a ${size}-byte load at value + x` };
}

/** Legacy packet loads (LD_ABS/LD_IND): r6 must hold the context, they clobber r1-r5, xdp has none. */
function legacyLoad(r, type) {
  const lines = [];
  const r6 = r.pick(['ctx', 'ctx', 'ctx', 'moved', 'none']);
  if (r6 === 'ctx') lines.push('mov %r6, %r1');
  else if (r6 === 'moved') lines.push('mov %r6, %r1', 'add %r6, 4');
  const size = r.pick([1, 2, 4]);
  const s = { 1: 'b', 2: 'h', 4: 'w' }[size];
  const k = r.pick([0, 12, 14, 23, 60, 1500, 65535, -1]);
  let desc = `r6 ${r6}, a ${size}-byte `;
  if (r.chance(0.5)) { lines.push(`ldabs${s} ${k}`); desc += `LD_ABS at ${k}`; }
  else {
    const reg = r.pick(['%r7', '%r2', '%r8']);
    if (reg !== '%r8') lines.push(`ldxw ${reg}, [%r1${off(PKT[type].scalar)}]`, `and ${reg}, ${r.pick([15, 255])}`);
    lines.push(`ldind${s} ${reg}, ${k}`);
    desc += `LD_IND at ${reg} + ${k}`;
  }
  const after = r.pick(['r0', 'r0', 'r1', 'r7']);
  lines.push(after === 'r0' ? 'exit' : `mov %r0, %${after}`, 'exit');
  desc += after === 'r0' ? '' : `, then ${after} read`;
  return { lines: lines.filter((l, i) => !(l === 'exit' && lines[i - 1] === 'exit')), maps: [], desc };
}

/** bpf_skb_load_bytes into the stack: constant, bounded, unbounded and zero lengths at various stack offsets. */
function loadBytes(r, type) {
  if (type === 'xdp') return stackVarOff(r, type);
  const lines = ['mov %r6, %r1'];
  const base = r.pick([-8, -16, -64, -512, -4, -13]);
  const len = r.pick(['const', 'and', 'jgt', 'none', 'zero']);
  let desc = `bpf_skb_load_bytes to fp${base}, length `;
  if (len === 'const') { const n = r.pick([1, 4, 8, 16, 17, 64, 513]); lines.push(`mov %r4, ${n}`); desc += `${n}`; }
  else if (len === 'zero') { lines.push('mov %r4, 0'); desc += '0'; }
  else {
    lines.push('ldxw %r4, [%r1+0]');
    if (len === 'and') { const m = r.pick([7, 15, 63]); lines.push(`and %r4, ${m}`); desc += `x & ${m}`; }
    else if (len === 'jgt') { const m = r.pick([8, 16, 64]); lines.push(`jgt %r4, ${m}, out`); desc += `x <= ${m}`; }
    else desc += 'unbounded';
  }
  lines.push('mov %r1, %r6', `mov %r2, ${r.pick([0, 14, 40])}`, 'mov %r3, %r10', `add %r3, ${base}`, 'call 26');
  if (r.chance(0.5)) { lines.push(`ldxb %r0, [%r10${off(base)}]`); desc += ', then a byte of it read'; }
  lines.push('out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps: [], desc };
}

/** Variable-offset stack writes, reads and atomics. */
function stackVarOff(r, type) {
  const lines = [`ldxw %r5, [%r1${off(PKT[type].scalar)}]`];
  const mask = r.pick([7, 8, 16, 24, 56, 255]);
  lines.push(`and %r5, ${mask}`);
  if (r.chance(0.3)) lines.push(`lsh %r5, ${r.pick([1, 3])}`);
  const base = r.pick([-8, -16, -64, -256, -512]);
  const size = r.pick([1, 2, 4, 8]);
  const kind = r.pick(['write', 'read', 'write-read', 'atomic']);
  if (r.chance(0.5)) lines.push('stdw [%r10-8], 0', 'stdw [%r10-16], 0');
  lines.push('mov %r2, %r10', `add %r2, ${base}`, 'add %r2, %r5');
  if (kind === 'write' || kind === 'write-read') lines.push(`st${sfx(size)} [%r2+0], 1`);
  if (kind === 'read') lines.push(`ldx${sfx(size)} %r0, [%r2+0]`);
  if (kind === 'write-read') lines.push(`ldxdw %r0, [%r10${off(base)}]`);
  if (kind === 'atomic') lines.push('mov %r3, 1', `lock add${size === 8 ? '' : '32'} [%r2+0], %r3`);
  lines.push(`mov %r0, ${ret(type)}`, 'exit');
  const bytes = kind === 'atomic' ? (size === 8 ? 8 : 4) : size;
  return { lines, maps: [], desc: `a ${bytes}-byte stack ${kind} at fp${base} + (x & ${mask})` };
}

/** Packet ranges through copies: checked with one pointer (and offset), accessed through another; data_meta against data. */
function packetCopies(r, type) {
  if (type === 'socket_filter') return legacyLoad(r, type);
  const p = PKT[type];
  const lines = [`ldxw %r2, [%r1${off(p.data)}]`, `ldxw %r3, [%r1${off(p.end)}]`];
  const meta = r.chance(0.25);
  if (meta) lines.push(`ldxw %r8, [%r1${off(p.meta)}]`);
  const a = r.pick([0, 4, 14, 20]);
  const n = r.pick([8, 14, 20, 34]);
  const size = r.pick([1, 2, 4, 8]);
  lines.push('mov %r4, %r2', `add %r4, ${a}`, 'mov %r5, %r4', `add %r5, ${n}`);
  const cmp = r.pick(['jgt %r5, %r3, out', 'jlt %r3, %r5, out', 'jge %r5, %r3, out', 'jle %r5, %r3, +1', 'jgt %r5, %r3, +1']);
  lines.push(cmp);
  if (cmp.endsWith('+1')) lines.push('ja out');
  const via = r.pick(['%r2', '%r4', '%r5']);
  const o = via === '%r5' ? r.pick([-size, -n, -n - 1, 0]) : via === '%r4' ? r.pick([0, n - size, n - size + 1]) : r.pick([a + n - size, a + n - size + 1, 0]);
  let desc = `${n} bytes checked from data+${a} (${cmp.split(' ')[0]}), a ${size}-byte load through ${via} at ${o}`;
  if (meta) {
    const m = r.pick([0, 4, 8]);
    lines.push('mov %r9, %r8', `add %r9, ${m}`, 'jgt %r9, %r2, out');
    if (m > 0) { lines.push(`ldx${sfx(Math.min(size, m))} %r7, [%r8+0]`); }
    desc += `, then data_meta + ${m} checked against data and read`;
  }
  lines.push(`ldx${sfx(size)} %r0, [${via}${off(o)}]`, 'out:', `mov %r0, ${ret(type)}`, 'exit');
  return { lines, maps: [], desc };
}

/** skb->sk (sched_cls): its null check and the fields of struct bpf_sock. */
function sockFields(r, type) {
  if (type !== 'sched_cls') return packetCopies(r, type);
  const lines = ['ldxdw %r2, [%r1+168]'];
  const check = r.chance(0.75);
  if (check) lines.push('jeq %r2, 0, out');
  const size = r.pick([1, 2, 4, 4, 8]);
  const o = r.pick([0, 4, 8, 12, 16, 20, 24, 40, 44, 48, 50, 52, 68, 76, 80, 2, 3]);
  lines.push(`ldx${sfx(size)} %r0, [%r2${off(o)}]`, 'out:', 'mov %r0, 0', 'exit');
  return { lines, maps: [], desc: `skb->sk ${check ? 'null-checked' : 'unchecked'}, a ${size}-byte read at ${o}` };
}

export const CATEGORIES = {
  copies: packetCopies, sock: sockFields,
  legacy: legacyLoad, loadbytes: loadBytes, stackvar: stackVarOff,
  ctx: ctxAccess, packet: packetAccess, stack: stackAccess, map: mapAccess, arith: ptrArith,
  helper: helperMemory, spill: pointerSpill, branch: branchRefine,
};

/** Program i of a seed: { type, category, lines, maps, desc }. */
export function generate(seed, i) {
  const r = rng(seed * 1_000_003 + i);
  const type = r.pick(TYPES);
  const category = r.pick(Object.keys(CATEGORIES));
  const p = CATEGORIES[category](r, type);
  // A label only when something jumps to it; a dangling `out:` before exit is harmless.
  const lines = p.lines.some((l) => /\bout$/.test(l)) || !p.lines.includes('out:') ? p.lines : p.lines.filter((l) => l !== 'out:');
  return { type, category, lines, maps: p.maps, desc: p.desc };
}
