/**
 * The import graph of a source tree, for test/layers.test.ts: every import a file makes
 * (value, `import type`, `export ... from`, `import()` and `typeof import()` with a string
 * literal), resolved to files of the tree or to package names; its circles (Tarjan's
 * strongly connected components); and the rank of each file in a table of layers.
 *
 * File names are relative to the tree's root (`src/`), with `/` separators.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export type ImportKind = 'value' | 'type' | 'dynamic';

export interface RawImport {
  readonly specifier: string;
  readonly line: number;
  readonly kind: ImportKind;
}

/** An import: `to` is a file of the tree, a package name (`binaryen`), or for an unresolved one the path it names. */
export interface ImportEdge extends RawImport {
  readonly from: string;
  readonly to: string;
}

export interface ImportGraph {
  /** Every source file, sorted. */
  readonly files: readonly string[];
  /** Imports of files of the tree. */
  readonly edges: readonly ImportEdge[];
  /** Imports of packages (`binaryen`, `node:fs`, `@scope/name`). */
  readonly packages: readonly ImportEdge[];
  /** Relative imports that name no file of the tree. */
  readonly unresolved: readonly ImportEdge[];
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** Every import of one file's text, in order. */
export function scanImports(text: string, fileName = 'file.ts'): RawImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: RawImport[] = [];
  const add = (literal: ts.Node | undefined, kind: ImportKind): void => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    found.push({ specifier: literal.text, line, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings
        && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0
        && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'value');
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'value');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'value');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'dynamic');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The package a bare specifier names: `binaryen/x` -> `binaryen`, `@a/b/c` -> `@a/b`; `node:` ones as written. */
export function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The file of `files` a relative specifier names (`./x.js` -> `x.ts`, `./d` or `./d/index.js` -> `d/index.ts`). */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = target.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const ext = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] }[posix.extname(target)];
  const candidates = ext
    ? [...ext.map((e) => stem + e), target]
    : [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`, `${target}/index.tsx`];
  return candidates.find((c) => files.has(c));
}

/** The graph of in-memory sources (file name relative to the root -> text). */
export function buildImportGraph(sources: ReadonlyMap<string, string> | Readonly<Record<string, string>>): ImportGraph {
  const map = sources instanceof Map ? sources : new Map(Object.entries(sources));
  const files = [...map.keys()].sort();
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  const packages: ImportEdge[] = [];
  const unresolved: ImportEdge[] = [];
  for (const from of files) {
    for (const raw of scanImports(map.get(from)!, from)) {
      if (!raw.specifier.startsWith('.') && !raw.specifier.startsWith('/')) {
        packages.push({ ...raw, from, to: packageName(raw.specifier) });
        continue;
      }
      const to = resolveSpecifier(from, raw.specifier, known);
      if (to) edges.push({ ...raw, from, to });
      else unresolved.push({ ...raw, from, to: posix.join(posix.dirname(from), raw.specifier) });
    }
  }
  return { files, edges, packages, unresolved };
}

/** Every TypeScript file under `root` (name relative to it -> text). */
export function readSourceTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !SOURCE.test(entry.name)) continue;
    const full = join(entry.parentPath ?? entry.path, entry.name);
    out.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
  }
  return out;
}

export function loadImportGraph(root: string): ImportGraph {
  return buildImportGraph(readSourceTree(root));
}

// ---- circles -------------------------------------------------------------------------

export interface Cycle {
  /** The files of one strongly connected component, sorted. */
  readonly files: readonly string[];
  /** Every import between two of its files: the edges that close the circle. */
  readonly edges: readonly ImportEdge[];
  /** One shortest loop through its first file, as a walk `a -> b -> ... -> a`. */
  readonly loop: readonly string[];
}

function successors(graph: ImportGraph): Map<string, string[]> {
  const next = new Map<string, string[]>(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) {
    const list = next.get(e.from)!;
    if (!list.includes(e.to)) list.push(e.to);
  }
  return next;
}

/** Strongly connected components (Tarjan, iterative), each in discovery order. */
export function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  const next = successors(graph);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.files) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: root, i: 0 }];
    index.set(root, counter); low.set(root, counter++); stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const succ = next.get(frame.node)!;
      if (frame.i < succ.length) {
        const w = succ[frame.i++];
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter++); stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** Shortest walk along edges from `start` to a node `isTarget` accepts (not `start` itself unless it loops back). */
function shortestWalk(edges: readonly ImportEdge[], start: string, isTarget: (node: string) => boolean): ImportEdge[] | undefined {
  const via = new Map<string, ImportEdge>();
  const queue = [start];
  const seen = new Set<string>();
  for (let k = 0; k < queue.length; k++) {
    for (const e of edges) {
      if (e.from !== queue[k] || seen.has(e.to)) continue;
      seen.add(e.to);
      via.set(e.to, e);
      if (isTarget(e.to)) {
        const walk: ImportEdge[] = [];
        for (let node = e.to; ; node = walk[0].from) {
          walk.unshift(via.get(node)!);
          if (walk[0].from === start) return walk;
        }
      }
      queue.push(e.to);
    }
  }
  return undefined;
}

/** Every circle: components of more than one file, and files importing themselves. */
export function findCycles(graph: ImportGraph): Cycle[] {
  const cycles: Cycle[] = [];
  for (const component of stronglyConnectedComponents(graph)) {
    const members = new Set(component);
    const edges = graph.edges.filter((e) => members.has(e.from) && members.has(e.to));
    if (component.length === 1 && edges.length === 0) continue;
    const files = [...component].sort();
    const walk = shortestWalk(edges, files[0], (n) => n === files[0])!;
    cycles.push({ files, edges, loop: [files[0], ...walk.map((e) => e.to)] });
  }
  return cycles.sort((a, b) => a.files[0].localeCompare(b.files[0]));
}

// ---- layers ----------------------------------------------------------------------------

/** A row of the layer table: `paths` are files (`errors.ts`) or folders (`abi/`) under the root. */
export interface Layer {
  readonly rank: number;
  readonly paths: readonly string[];
  readonly what: string;
}

/** Whether `file` is `path` (a file) or lies under it (a folder ending in `/`). */
export function isUnder(file: string, path: string): boolean {
  return path.endsWith('/') ? file.startsWith(path) : file === path;
}

/** The row and path that place `file` (the longest matching path wins), if any. */
export function placeFile(file: string, layers: readonly Layer[]): { layer: Layer; path: string } | undefined {
  let best: { layer: Layer; path: string } | undefined;
  for (const layer of layers) {
    for (const path of layer.paths) {
      if (isUnder(file, path) && (!best || path.length > best.path.length)) best = { layer, path };
    }
  }
  return best;
}

export function unplacedFiles(graph: ImportGraph, layers: readonly Layer[]): string[] {
  return graph.files.filter((f) => !placeFile(f, layers));
}

export interface RankedEdge extends ImportEdge {
  readonly fromRank: number;
  readonly toRank: number;
}

/** Imports from a file of a lower rank to a file of a strictly higher one (unplaced files are skipped). */
export function upwardImports(graph: ImportGraph, layers: readonly Layer[]): RankedEdge[] {
  const out: RankedEdge[] = [];
  for (const e of graph.edges) {
    const from = placeFile(e.from, layers);
    const to = placeFile(e.to, layers);
    if (from && to && from.layer.rank < to.layer.rank) out.push({ ...e, fromRank: from.layer.rank, toRank: to.layer.rank });
  }
  return out;
}

/**
 * A shortest chain of imports (of every kind) from `start` to a file or package `isTarget`
 * accepts, or undefined when none reaches one.
 */
export function findImportChain(graph: ImportGraph, start: string, isTarget: (fileOrPackage: string) => boolean): ImportEdge[] | undefined {
  return shortestWalk([...graph.edges, ...graph.packages], start, isTarget);
}

// ---- reports ---------------------------------------------------------------------------

/** A file of the tree gets `prefix` (`src/`), a package is shown as is. */
function nodeName(e: ImportEdge, prefix: string): string {
  return e.specifier.startsWith('.') || e.specifier.startsWith('/') ? prefix + e.to : e.to;
}

/** `src/a/b.ts:3 -> src/c.ts ('./c.js', type)`. */
export function formatEdge(e: ImportEdge, prefix = 'src/'): string {
  return `${prefix}${e.from}:${e.line} -> ${nodeName(e, prefix)} ('${e.specifier}', ${e.kind})`;
}

export function formatCycle(cycle: Cycle, prefix = 'src/'): string {
  return [
    `circle of ${cycle.files.length} file(s):`,
    ...cycle.files.map((f) => `    ${prefix}${f}`),
    `  e.g. ${cycle.loop.map((f) => prefix + f).join('\n    -> ')}`,
    `  imports that close it (removing enough of them breaks the circle):`,
    ...cycle.edges.map((e) => `    ${formatEdge(e, prefix)}`),
  ].join('\n');
}

/** A chain of imports as `src/a.ts:1 -> src/b.ts:7 -> binaryen` (file:line of each import). */
export function formatChain(chain: readonly ImportEdge[], prefix = 'src/'): string {
  return [...chain.map((e) => `${prefix}${e.from}:${e.line}`), nodeName(chain[chain.length - 1], prefix)].join(' -> ');
}

/** The group a file is shown in: its first `depth` folders (`runtime/maps/`), or the file itself at the top. */
export function folderOf(file: string, depth = 1): string {
  const parts = file.split('/');
  return parts.length > 1 ? `${parts.slice(0, Math.min(depth, parts.length - 1)).join('/')}/` : file;
}

/**
 * The layering as text, one line per folder (or top-level file), lowest rank first:
 * `[4] runtime/ -> [0] errors.ts (3), [3] helpers/ (5), [6] jit/ (1) UP`, where the count
 * is the number of imports and UP marks imports against the table. Packages other than
 * binaryen are left out.
 */
export function formatLayering(graph: ImportGraph, layers: readonly Layer[], depth = 1): string {
  const rankOf = (f: string): number | undefined => placeFile(f, layers)?.layer.rank;
  const groupRank = new Map<string, number | undefined>();
  const out = new Map<string, Map<string, number>>();
  for (const f of graph.files) {
    const g = folderOf(f, depth);
    const r = rankOf(f);
    // A group's rank is its files' lowest, so a group spanning ranks shows its strictest.
    if (!groupRank.has(g) || (r !== undefined && (groupRank.get(g) === undefined || r < groupRank.get(g)!))) groupRank.set(g, r);
    if (!out.has(g)) out.set(g, new Map());
  }
  const count = (from: string, to: string): void => {
    const m = out.get(from)!;
    m.set(to, (m.get(to) ?? 0) + 1);
  };
  for (const e of graph.edges) {
    const [a, b] = [folderOf(e.from, depth), folderOf(e.to, depth)];
    if (a !== b) count(a, b);
  }
  for (const e of graph.packages) if (e.to === 'binaryen') count(folderOf(e.from, depth), 'binaryen');
  const label = (g: string): string => (g === 'binaryen' ? 'binaryen' : `[${groupRank.get(g) ?? '?'}] ${g}`);
  const order = [...out.keys()].sort((a, b) => (groupRank.get(a) ?? 99) - (groupRank.get(b) ?? 99) || a.localeCompare(b));
  return order.map((g) => {
    const targets = [...out.get(g)!].sort(([a], [b]) => (groupRank.get(a) ?? 99) - (groupRank.get(b) ?? 99) || a.localeCompare(b));
    const list = targets.map(([t, n]) => {
      const up = t !== 'binaryen' && (groupRank.get(t) ?? -1) > (groupRank.get(g) ?? Infinity);
      return `${label(t)} (${n})${up ? ' UP' : ''}`;
    });
    return `${label(g)} -> ${list.length > 0 ? list.join(', ') : '(nothing)'}`;
  }).join('\n');
}
