/**
 * S-expressions: the syntax of WebAssembly text. `parseSexprs` reads text into nested
 * arrays of atoms; `printSexpr` writes them back (one line per list that holds lists).
 * Atoms keep their spelling: `$names`, keywords, numbers, `offset=16`, and string
 * literals with their quotes. `;;` comments run to the end of the line.
 */
export type Sexpr = string | Sexpr[];

export class WatSyntaxError extends Error {}

export function parseSexprs(text: string): Sexpr[] {
  const tokens = text.match(/;;[^\n]*|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()";]+/g) ?? [];
  const root: Sexpr[] = [];
  const stack: Sexpr[][] = [root];
  for (const token of tokens) {
    if (token.startsWith(';;')) continue;
    if (token === '(') {
      const list: Sexpr[] = [];
      stack[stack.length - 1].push(list);
      stack.push(list);
    } else if (token === ')') {
      if (stack.length === 1) throw new WatSyntaxError('unbalanced )');
      stack.pop();
    } else {
      stack[stack.length - 1].push(token);
    }
  }
  if (stack.length !== 1) throw new WatSyntaxError('unbalanced (');
  return root;
}

export function printSexpr(expr: Sexpr, indent = ''): string {
  if (typeof expr === 'string') return expr;
  if (expr.every((e) => typeof e === 'string')) return `(${expr.join(' ')})`;
  const inner = indent + '  ';
  return `(${expr.map((e, i) => (i === 0 || typeof e === 'string' ? '' : `\n${inner}`) + printSexpr(e, inner)).join(' ').replace(/ \n/g, '\n')})`;
}

export const isList = (e: Sexpr | undefined): e is Sexpr[] => Array.isArray(e);

/** The head atom of a list (`func` for `(func $f ...)`), or undefined. */
export function head(e: Sexpr | undefined): string | undefined {
  return isList(e) && typeof e[0] === 'string' ? e[0] : undefined;
}
