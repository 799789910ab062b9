import { head, isList, printSexpr, WatSyntaxError, type Sexpr } from './sexpr.js';

/**
 * The module fields of the WebAssembly text subset the maps module is written in:
 * imports of one memory, of globals and of functions, and functions with named params
 * and locals whose bodies are folded instructions (kept as S-expressions).
 */
export type ValType = 'i32' | 'i64';

export interface Local {
  readonly name: string | undefined;
  readonly type: ValType;
}

export interface FuncDef {
  readonly name: string;
  readonly exportName: string | undefined;
  readonly params: readonly Local[];
  readonly result: ValType | undefined;
  readonly locals: readonly Local[];
  readonly body: readonly Sexpr[];
}

export type Import =
  | { readonly kind: 'memory'; readonly module: string; readonly field: string; readonly min: number; readonly max: number | undefined }
  | { readonly kind: 'global'; readonly module: string; readonly field: string; readonly name: string; readonly type: ValType; readonly mutable: boolean }
  | { readonly kind: 'func'; readonly module: string; readonly field: string; readonly name: string; readonly params: readonly ValType[]; readonly result: ValType | undefined };

export interface ModuleAst {
  readonly imports: readonly Import[];
  readonly funcs: readonly FuncDef[];
}

function valType(t: Sexpr | undefined): ValType {
  if (t !== 'i32' && t !== 'i64') throw new WatSyntaxError(`expected i32 or i64, got ${t === undefined ? 'nothing' : printSexpr(t)}`);
  return t;
}

function unquote(s: Sexpr | undefined): string {
  if (typeof s !== 'string' || !/^".*"$/.test(s)) throw new WatSyntaxError(`expected a string, got ${s === undefined ? 'nothing' : printSexpr(s)}`);
  return s.slice(1, -1);
}

function name(s: Sexpr | undefined): string {
  if (typeof s !== 'string' || !s.startsWith('$')) throw new WatSyntaxError(`expected a $name, got ${s === undefined ? 'nothing' : printSexpr(s)}`);
  return s;
}

/** (param $a i64) / (param i32 i32) / (result i64) clauses of a signature. */
function signature(clauses: Sexpr[]): { params: Local[]; result: ValType | undefined; rest: Sexpr[] } {
  const params: Local[] = [];
  let result: ValType | undefined;
  let i = 0;
  for (; i < clauses.length; i++) {
    const c = clauses[i];
    if (head(c) === 'param') {
      const items = (c as Sexpr[]).slice(1);
      if (typeof items[0] === 'string' && items[0].startsWith('$')) params.push({ name: items[0], type: valType(items[1]) });
      else for (const t of items) params.push({ name: undefined, type: valType(t) });
    } else if (head(c) === 'result') {
      result = valType((c as Sexpr[])[1]);
    } else {
      break;
    }
  }
  return { params, result, rest: clauses.slice(i) };
}

function parseImport(field: Sexpr[]): Import {
  const module = unquote(field[1]);
  const fieldName = unquote(field[2]);
  const desc = field[3];
  if (!isList(desc)) throw new WatSyntaxError('import without a description');
  switch (head(desc)) {
    case 'memory': {
      const limits = desc.slice(desc[1]?.toString().startsWith('$') ? 2 : 1).map(Number);
      return { kind: 'memory', module, field: fieldName, min: limits[0], max: limits[1] };
    }
    case 'global': {
      const type = desc[2];
      const mutable = isList(type) && head(type) === 'mut';
      return { kind: 'global', module, field: fieldName, name: name(desc[1]), type: valType(mutable ? (type as Sexpr[])[1] : type), mutable };
    }
    case 'func': {
      const sig = signature(desc.slice(2));
      return { kind: 'func', module, field: fieldName, name: name(desc[1]), params: sig.params.map((p) => p.type), result: sig.result };
    }
    default:
      throw new WatSyntaxError(`unsupported import ${printSexpr(desc)}`);
  }
}

function parseFunc(field: Sexpr[]): FuncDef {
  let rest = field.slice(2);
  let exportName: string | undefined;
  if (head(rest[0]) === 'export') {
    exportName = unquote((rest[0] as Sexpr[])[1]);
    rest = rest.slice(1);
  }
  const sig = signature(rest);
  const locals: Local[] = [];
  let body = sig.rest;
  while (head(body[0]) === 'local') {
    const [, localName, type] = body[0] as Sexpr[];
    locals.push({ name: name(localName), type: valType(type) });
    body = body.slice(1);
  }
  return { name: name(field[1]), exportName, params: sig.params, result: sig.result, locals, body };
}

/** Read `(module ...)` text, already parsed into S-expressions. */
export function parseModule(module: Sexpr): ModuleAst {
  if (head(module) !== 'module') throw new WatSyntaxError('expected (module ...)');
  const imports: Import[] = [];
  const funcs: FuncDef[] = [];
  for (const field of (module as Sexpr[]).slice(1)) {
    if (head(field) === 'import') imports.push(parseImport(field as Sexpr[]));
    else if (head(field) === 'func') funcs.push(parseFunc(field as Sexpr[]));
    else throw new WatSyntaxError(`unsupported module field ${printSexpr(field)}`);
  }
  return { imports, funcs };
}

/** The module as text again (for tests and debugging, e.g. after inlining). */
export function printModule(ast: ModuleAst): string {
  const imports = ast.imports.map((im) => {
    const where = `"${im.module}" "${im.field}"`;
    switch (im.kind) {
      case 'memory': return `(import ${where} (memory ${im.min}${im.max === undefined ? '' : ` ${im.max}`}))`;
      case 'global': return `(import ${where} (global ${im.name} ${im.mutable ? `(mut ${im.type})` : im.type}))`;
      case 'func': return `(import ${where} (func ${im.name}${im.params.length ? ` (param ${im.params.join(' ')})` : ''}${im.result ? ` (result ${im.result})` : ''}))`;
    }
  });
  const funcs = ast.funcs.map((f) => {
    const parts: Sexpr[] = ['func', f.name];
    if (f.exportName !== undefined) parts.push(['export', `"${f.exportName}"`]);
    for (const p of f.params) parts.push(['param', p.name!, p.type]);
    if (f.result) parts.push(['result', f.result]);
    for (const l of f.locals) parts.push(['local', l.name!, l.type]);
    parts.push(...f.body);
    return printSexpr(parts, ' ');
  });
  return `(module\n ${[...imports, ...funcs].join('\n ')})\n`;
}
