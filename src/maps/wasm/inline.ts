import type { FuncDef, Local, ModuleAst } from './module-ast.js';
import { head, isList, type Sexpr } from './sexpr.js';

/**
 * Inline calls to the module's own functions, at the S-expression level, so the text
 * can be written as small named functions ($map, $ptr, $hash, $hash_find...) and still
 * run as straight-line code: V8 (11.3) does not inline Wasm calls, and inlining measured
 * 60 -> 28 ns per event on the counter benchmark (lookup + update, bench/maps.ts) and
 * 29 -> 16 ns per lookup.
 *
 * Each call site `(call $f a b)` of a function not in `keep` becomes
 *   (block $f.k.exit (result T)?
 *     (local.set $f.k.p a) (local.set $f.k.q b)   ;; arguments
 *     (local.set $f.k.x (i32.const 0)) ...         ;; $f's locals start at 0, as on every call
 *     <$f's body, its names suffixed .k, (return v) -> (br $f.k.exit v)>)
 * and the caller gains $f's params and locals as its own locals. Callees are expanded
 * first, so inlining is transitive. The module has no recursion.
 */
export function inlineModule(ast: ModuleAst, keep: ReadonlySet<string>): ModuleAst {
  const byName = new Map(ast.funcs.map((f) => [f.name, f]));
  const expanded = new Map<string, FuncDef>();

  const expand = (f: FuncDef): FuncDef => {
    let done = expanded.get(f.name);
    if (done) return done;
    const locals: Local[] = [...f.locals];
    let site = 0;
    const rewrite = (e: Sexpr): Sexpr => {
      if (!isList(e)) return e;
      const callee = head(e) === 'call' ? byName.get(e[1] as string) : undefined;
      const args = e.map(rewrite);
      if (callee === undefined || keep.has(callee.name)) return args;
      const inner = expand(callee);
      const tag = `${callee.name}.${site++}`;
      const rename = new Map<string, string>();
      for (const v of [...inner.params, ...inner.locals]) {
        const renamed = `${tag}.${v.name!.slice(1)}`;
        rename.set(v.name!, renamed);
        locals.push({ name: renamed, type: v.type });
      }
      const exit = `${tag}.exit`;
      const block: Sexpr[] = ['block', exit];
      if (inner.result) block.push(['result', inner.result]);
      inner.params.forEach((p, i) => block.push(['local.set', rename.get(p.name!)!, args[2 + i]]));
      for (const l of inner.locals) block.push(['local.set', rename.get(l.name!)!, [`${l.type}.const`, '0']]);
      block.push(...inner.body.map((b) => renameBody(b, tag, rename, exit)));
      return block;
    };
    done = { ...f, locals, body: f.body.map(rewrite) };
    expanded.set(f.name, done);
    return done;
  };

  const funcs = ast.funcs.map(expand).filter((f) => f.exportName !== undefined || keep.has(f.name));
  return { imports: ast.imports, funcs };
}

/** $f's body at a call site: locals and labels renamed, returns turned into branches to the exit. */
function renameBody(e: Sexpr, tag: string, locals: ReadonlyMap<string, string>, exit: string): Sexpr {
  if (!isList(e)) return e;
  const op = head(e);
  if (op === 'return') return ['br', exit, ...e.slice(1).map((x) => renameBody(x, tag, locals, exit))];
  return e.map((x, i) => {
    if (typeof x !== 'string' || !x.startsWith('$') || i === 0) return renameBody(x, tag, locals, exit);
    if (op === 'local.get' || op === 'local.set' || op === 'local.tee') return locals.get(x) ?? x;
    if (op === 'block' || op === 'loop' || op === 'br' || op === 'br_if') return `${tag}.${x.slice(1)}`;
    return x;
  });
}
