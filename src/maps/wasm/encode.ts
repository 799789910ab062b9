import type { FuncDef, ModuleAst, ValType } from './module-ast.js';
import { head, isList, printSexpr, WatSyntaxError, type Sexpr } from './sexpr.js';

/**
 * A WebAssembly binary encoder for the text subset of module-ast.ts: folded
 * instructions of the MVP (integer ops, loads and stores, control flow, calls, locals,
 * globals) plus memory.copy / memory.fill. Enough for the maps module, which then
 * needs no Binaryen (whose start-up alone takes ~0.4 s) and compiles in milliseconds.
 */

type Immediate = 'none' | 'memarg' | 'local' | 'global' | 'func' | 'label' | 'i32' | 'i64' | 'bulk';

/** Opcode and immediate kind of each instruction; for memory accesses, the log2 of the natural alignment. */
const OPS = new Map<string, readonly [number, Immediate, number?]>([
  ['unreachable', [0x00, 'none']], ['nop', [0x01, 'none']], ['br', [0x0c, 'label']], ['br_if', [0x0d, 'label']],
  ['return', [0x0f, 'none']], ['call', [0x10, 'func']], ['drop', [0x1a, 'none']], ['select', [0x1b, 'none']],
  ['local.get', [0x20, 'local']], ['local.set', [0x21, 'local']], ['local.tee', [0x22, 'local']],
  ['global.get', [0x23, 'global']], ['global.set', [0x24, 'global']],
  ['i32.load', [0x28, 'memarg', 2]], ['i64.load', [0x29, 'memarg', 3]],
  ['i32.load8_s', [0x2c, 'memarg', 0]], ['i32.load8_u', [0x2d, 'memarg', 0]], ['i32.load16_s', [0x2e, 'memarg', 1]], ['i32.load16_u', [0x2f, 'memarg', 1]],
  ['i64.load8_s', [0x30, 'memarg', 0]], ['i64.load8_u', [0x31, 'memarg', 0]], ['i64.load16_s', [0x32, 'memarg', 1]], ['i64.load16_u', [0x33, 'memarg', 1]],
  ['i64.load32_s', [0x34, 'memarg', 2]], ['i64.load32_u', [0x35, 'memarg', 2]],
  ['i32.store', [0x36, 'memarg', 2]], ['i64.store', [0x37, 'memarg', 3]], ['i32.store8', [0x3a, 'memarg', 0]], ['i32.store16', [0x3b, 'memarg', 1]],
  ['i64.store8', [0x3c, 'memarg', 0]], ['i64.store16', [0x3d, 'memarg', 1]], ['i64.store32', [0x3e, 'memarg', 2]],
  ['i32.const', [0x41, 'i32']], ['i64.const', [0x42, 'i64']],
  ['i32.eqz', [0x45, 'none']], ['i64.eqz', [0x50, 'none']], ['i32.wrap_i64', [0xa7, 'none']],
  ['i64.extend_i32_s', [0xac, 'none']], ['i64.extend_i32_u', [0xad, 'none']],
  ['memory.copy', [0x0a, 'bulk']], ['memory.fill', [0x0b, 'bulk']],
]);
// The regular blocks of comparisons and arithmetic: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u, then
// add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr.
const COMPARES = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const ARITHMETIC = ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
COMPARES.forEach((op, i) => { OPS.set(`i32.${op}`, [0x46 + i, 'none']); OPS.set(`i64.${op}`, [0x51 + i, 'none']); });
ARITHMETIC.forEach((op, i) => { OPS.set(`i32.${op}`, [0x6a + i, 'none']); OPS.set(`i64.${op}`, [0x7c + i, 'none']); });

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };
const EMPTY_BLOCK = 0x40;

class Bytes {
  readonly out: number[] = [];
  byte(b: number): this { this.out.push(b & 0xff); return this; }
  bytes(bs: ArrayLike<number>): this { for (let i = 0; i < bs.length; i++) this.out.push(bs[i]); return this; }
  u32(n: number): this {
    do { let b = n & 0x7f; n >>>= 7; if (n !== 0) b |= 0x80; this.out.push(b); } while (n !== 0);
    return this;
  }
  s64(n: bigint): this {
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
      this.out.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  name(s: string): this { const b = new TextEncoder().encode(s); return this.u32(b.length).bytes(b); }
  vec<T>(items: readonly T[], each: (item: T) => void): this { this.u32(items.length); items.forEach(each); return this; }
  section(id: number, content: Bytes): this { return this.byte(id).u32(content.out.length).bytes(content.out); }
}

/** An integer literal (decimal or 0x hex, optionally negative) as a bigint wrapped to `bits`. */
function literal(text: Sexpr | undefined, bits: 32 | 64): bigint {
  if (typeof text !== 'string' || !/^-?(0x[0-9a-f_]+|[0-9_]+)$/i.test(text)) throw new WatSyntaxError(`bad integer literal ${String(text)}`);
  const negative = text.startsWith('-');
  const magnitude = BigInt(text.replace(/^-/, '').replace(/_/g, ''));
  return BigInt.asIntN(bits, negative ? -magnitude : magnitude);
}

interface Scope {
  readonly locals: ReadonlyMap<string, number>;
  readonly globals: ReadonlyMap<string, number>;
  readonly funcs: ReadonlyMap<string, number>;
  /** Enclosing block labels, innermost last (undefined for unlabelled ones). */
  readonly labels: (string | undefined)[];
}

function indexOf(map: ReadonlyMap<string, number>, name: Sexpr | undefined, what: string): number {
  const index = typeof name === 'string' ? map.get(name) : undefined;
  if (index === undefined) throw new WatSyntaxError(`unknown ${what} ${String(name)}`);
  return index;
}

/** `(result t)` of a block, if present at `items[0]`: its block type and the rest. */
function blockType(items: Sexpr[]): [number, Sexpr[]] {
  if (head(items[0]) === 'result') return [VALTYPE[(items[0] as Sexpr[])[1] as ValType], items.slice(1)];
  return [EMPTY_BLOCK, items];
}

/** Encode one folded instruction: its operands first, then the instruction. */
function instruction(e: Sexpr, scope: Scope, code: Bytes): void {
  if (!isList(e) || typeof e[0] !== 'string') throw new WatSyntaxError(`expected a folded instruction, got ${printSexpr(e)}`);
  const op = e[0];
  if (op === 'block' || op === 'loop') {
    const label = typeof e[1] === 'string' && e[1].startsWith('$') ? e[1] : undefined;
    const [type, body] = blockType(e.slice(label ? 2 : 1));
    code.byte(op === 'block' ? 0x02 : 0x03).byte(type);
    scope.labels.push(label);
    for (const inner of body) instruction(inner, scope, code);
    scope.labels.pop();
    code.byte(0x0b);
    return;
  }
  if (op === 'if') {
    const [type, rest] = blockType(e.slice(1));
    const [condition, thenArm, elseArm] = rest;
    if (head(thenArm) !== 'then' || (elseArm !== undefined && head(elseArm) !== 'else') || rest.length > 3) {
      throw new WatSyntaxError(`expected (if cond (then ...) (else ...)?), got ${printSexpr(e)}`);
    }
    instruction(condition, scope, code);
    code.byte(0x04).byte(type);
    scope.labels.push(undefined);
    for (const inner of (thenArm as Sexpr[]).slice(1)) instruction(inner, scope, code);
    if (elseArm !== undefined) {
      code.byte(0x05);
      for (const inner of (elseArm as Sexpr[]).slice(1)) instruction(inner, scope, code);
    }
    scope.labels.pop();
    code.byte(0x0b);
    return;
  }
  const spec = OPS.get(op);
  if (spec === undefined) throw new WatSyntaxError(`unsupported instruction ${op}`);
  const [opcode, immediate, align] = spec;
  // Immediates are the atoms after the opcode; operands the lists after them.
  const atoms = e.slice(1).filter((x): x is string => typeof x === 'string');
  for (const operand of e.slice(1).filter(isList)) instruction(operand, scope, code);
  if (immediate === 'bulk') {
    code.byte(0xfc).u32(opcode).byte(0);
    if (op === 'memory.copy') code.byte(0);
    return;
  }
  code.byte(opcode);
  switch (immediate) {
    case 'none': return;
    case 'local': code.u32(indexOf(scope.locals, atoms[0], 'local')); return;
    case 'global': code.u32(indexOf(scope.globals, atoms[0], 'global')); return;
    case 'func': code.u32(indexOf(scope.funcs, atoms[0], 'function')); return;
    case 'i32': code.s64(literal(atoms[0], 32)); return;
    case 'i64': code.s64(literal(atoms[0], 64)); return;
    case 'label': {
      const at = atoms[0] === undefined ? -1 : scope.labels.lastIndexOf(atoms[0]);
      if (at < 0) throw new WatSyntaxError(`unknown label ${String(atoms[0])}`);
      code.u32(scope.labels.length - 1 - at);
      return;
    }
    case 'memarg': {
      const offset = atoms.find((a) => a.startsWith('offset='));
      code.u32(align!).u32(offset === undefined ? 0 : Number(offset.slice('offset='.length)));
      return;
    }
  }
}

function funcType(params: readonly ValType[], result: ValType | undefined): string {
  return `${params.join(',')}->${result ?? ''}`;
}

/** Encode the module as a WebAssembly binary. */
export function encodeModule(ast: ModuleAst): Uint8Array {
  const types: string[] = [];
  const typeIndex = (params: readonly ValType[], result: ValType | undefined) => {
    const key = funcType(params, result);
    if (!types.includes(key)) types.push(key);
    return types.indexOf(key);
  };
  const funcs = new Map<string, number>();
  const globals = new Map<string, number>();
  const imports = new Bytes();
  imports.vec(ast.imports, (im) => {
    imports.name(im.module).name(im.field);
    if (im.kind === 'func') {
      funcs.set(im.name, funcs.size);
      imports.byte(0x00).u32(typeIndex(im.params, im.result));
    } else if (im.kind === 'memory') {
      imports.byte(0x02);
      if (im.max === undefined) imports.byte(0x00).u32(im.min);
      else imports.byte(0x01).u32(im.min).u32(im.max);
    } else {
      globals.set(im.name, globals.size);
      imports.byte(0x03).byte(VALTYPE[im.type]).byte(im.mutable ? 1 : 0);
    }
  });
  for (const f of ast.funcs) funcs.set(f.name, funcs.size);
  const declared = ast.funcs.map((f) => typeIndex(f.params.map((p) => p.type), f.result));

  const code = new Bytes();
  code.vec(ast.funcs, (f) => {
    const body = functionBody(f, globals, funcs);
    code.u32(body.out.length).bytes(body.out);
  });
  const typeSection = new Bytes();
  typeSection.vec(types, (key) => {
    const [params, result] = key.split('->');
    const valTypes = (list: string) => (list ? list.split(',').map((t) => VALTYPE[t as ValType]) : []);
    typeSection.byte(0x60).vec(valTypes(params), (t) => typeSection.byte(t)).vec(valTypes(result), (t) => typeSection.byte(t));
  });
  const functionSection = new Bytes();
  functionSection.vec(declared, (t) => functionSection.u32(t));
  const exportSection = new Bytes();
  exportSection.vec(ast.funcs.filter((f) => f.exportName !== undefined), (f) => exportSection.name(f.exportName!).byte(0x00).u32(funcs.get(f.name)!));

  const module = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  module.section(1, typeSection).section(2, imports).section(3, functionSection).section(7, exportSection).section(10, code);
  return Uint8Array.from(module.out);
}

function functionBody(f: FuncDef, globals: ReadonlyMap<string, number>, funcs: ReadonlyMap<string, number>): Bytes {
  const locals = new Map<string, number>();
  [...f.params, ...f.locals].forEach((v, i) => { if (v.name !== undefined) locals.set(v.name, i); });
  const body = new Bytes();
  // Local declarations, compressed into runs of one type.
  const runs: [number, ValType][] = [];
  for (const l of f.locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === l.type) last[0]++;
    else runs.push([1, l.type]);
  }
  body.vec(runs, ([count, type]) => body.u32(count).byte(VALTYPE[type]));
  const scope: Scope = { locals, globals, funcs, labels: [] };
  for (const e of f.body) instruction(e, scope, body);
  body.byte(0x0b);
  return body;
}
