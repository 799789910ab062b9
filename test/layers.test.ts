/**
 * The layers of src/: an import never goes from a lower rank to a higher one, no file
 * takes part in a circle of imports, every file sits in a row of the table, and the
 * interpreter never loads Binaryen. Every import counts: value, `import type`,
 * `export ... from`, and `import()` / `typeof import()` of a string literal.
 *
 * To see the whole layering (folder -> folders it imports), run
 * `PRINT_LAYERS=1 npx vitest run test/layers.test.ts`.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildImportGraph, findCycles, findImportChain, formatChain, formatCycle, formatEdge, formatLayering,
  isUnder, loadImportGraph, placeFile, scanImports, unplacedFiles, upwardImports,
  type ImportEdge, type ImportGraph, type Layer,
} from './support/import-graph.js';

/** The target layers of src/, bottom to top. A file is placed by the longest path that matches it. */
const LAYERS: readonly Layer[] = [
  { rank: 0, paths: ['errors.ts', 'arguments.ts', 'host.ts', 'abi/'], what: 'typed errors; argument checks of the public API; the host (clock, pid, stderr); ABI facts: registers, memory layout, helper ids/errno, exit and tail-call signals, limits' },
  { rank: 1, paths: ['decode/'], what: 'opcode table, decoder, encoder, assembler, disassembler' },
  { rank: 2, paths: ['analysis/'], what: 'CFG, dominators, loops, dataflow; Binaryen-free' },
  { rank: 2, paths: ['maps/'], what: 'maps over a narrow memory interface' },
  { rank: 3, paths: ['helpers/'], what: 'helper registry and the kernel helpers' },
  { rank: 4, paths: ['runtime/'], what: 'the Runtime class (memory, maps, helpers), the Program type' },
  { rank: 5, paths: ['verify/'], what: 'the load stage and verifier' },
  { rank: 6, paths: ['interp/', 'jit/'], what: 'the two engines' },
  { rank: 7, paths: ['engine.ts', 'engine-names.ts', 'load-options.ts', 'core-engine.ts', 'tiered.ts'], what: 'loadProgram: picks an engine (core-engine.ts: the interpreter alone; tiered.ts: the interpreter until the JIT, imported by the caller, takes over)' },
  // Its load.ts / load-object.ts sit above the engines; its parsing files only need decode and maps.
  { rank: 7, paths: ['elf/'], what: 'ELF front end' },
  // Classic BPF, capture files, batches: front ends and tools over the engines.
  { rank: 8, paths: ['packet/'], what: 'packet filtering: classic BPF, capture files' },
  { rank: 9, paths: ['cli/'], what: 'the command line' },
  { rank: 10, paths: ['index.ts', 'core.ts', 'api/'], what: 'the public API: ebpf-wasm (index.ts) and ebpf-wasm/core (core.ts, no JIT); api/: its low-level functions with their arguments checked' },
];

/** Folders below the ELF front end: none may import from src/elf, whatever rank elf/ gets. */
const BELOW_ELF = ['decode/', 'analysis/', 'maps/', 'helpers/', 'runtime/', 'verify/', 'interp/', 'jit/'];

/** The highest rank that may import Binaryen, and the folders that never may. */
const LAST_BINARYEN_FREE_RANK = 5;

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Fails with one readable message listing every item, or passes when there are none. */
function expectNone<T>(items: readonly T[], heading: string, format: (item: T) => string, footer = ''): void {
  if (items.length === 0) return;
  throw new Error(`${heading}\n\n${items.map(format).join('\n')}${footer ? `\n\n${footer}` : ''}\n`);
}

function rankLabel(file: string, layers: readonly Layer[] = LAYERS): string {
  const place = placeFile(file, layers);
  return place ? `${place.path} [${place.layer.rank}]` : 'unplaced';
}

function importsOfBinaryen(graph: ImportGraph, files: (file: string) => boolean): ImportEdge[] {
  return graph.packages.filter((e) => e.to === 'binaryen' && files(e.from));
}

describe('the import-graph checker', () => {
  it('scans every form of import and nothing in comments or strings', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import './side-effect.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      "export * from './star.js';",
      "export * as ns from './ns.js';",
      "const lazy = await import('./lazy.js');",
      "let t: typeof import('./typeof.js').x;",
      "// import nope from './comment.js';",
      "/* export * from './block-comment.js'; */",
      "const s = \"import x from './string.js'\";",
      'const dynamicName = await import(name);',
    ].join('\n');
    expect(scanImports(text).map((i) => `${i.line} ${i.specifier} ${i.kind}`)).toEqual([
      '1 ./a.js value', '2 ./b.js type', '3 ./c.js type', '4 ./e.js value', '5 ./side-effect.js value',
      '6 ./g.js value', '7 ./h.js type', '8 ./star.js value', '9 ./ns.js value', '10 ./lazy.js dynamic',
      '11 ./typeof.js type',
    ]);
  });

  it('resolves .js to .ts, folders and index files, and names packages', () => {
    const graph = buildImportGraph({
      'main.ts': [
        "import './x.js';", "import './dir/index.js';", "import './other';", "import './gone.js';",
        "import 'binaryen';", "import 'binaryen/sub/path.js';", "import '@scope/pkg/deep';", "import 'node:fs';",
      ].join('\n'),
      'x.ts': '', 'dir/index.ts': '', 'other/index.ts': '',
    });
    expect(graph.edges.map((e) => e.to)).toEqual(['x.ts', 'dir/index.ts', 'other/index.ts']);
    expect(graph.unresolved.map((e) => `${e.specifier} -> ${e.to}`)).toEqual(['./gone.js -> gone.js']);
    expect(graph.packages.map((e) => e.to)).toEqual(['binaryen', 'binaryen', '@scope/pkg', 'node:fs']);
  });

  // A tiny tree with a 3-file circle, a file importing itself, an upward import, an
  // unplaced file, and a chain from low/ to binaryen.
  const LAYERS_SYNTHETIC: readonly Layer[] = [
    { rank: 0, paths: ['low/'], what: 'bottom' },
    { rank: 1, paths: ['high/', 'top.ts'], what: 'top' },
  ];
  const synthetic = buildImportGraph({
    'low/a.ts': "import { b } from './b.js';\nimport type { Y } from '../high/y.js';",
    'low/b.ts': "export * from './c.js';",
    'low/c.ts': "const a = () => import('./a.js');",
    'low/self.ts': "import './self.js';",
    'low/ok.ts': 'export const ok = 1;',
    'high/y.ts': "import { ok } from '../low/ok.js';\nimport binaryen from 'binaryen';",
    'top.ts': "import './high/y.js';",
    'stray/z.ts': '',
  });

  it('reports every circle with its files and the imports that close it', () => {
    const cycles = findCycles(synthetic);
    expect(cycles.map((c) => c.files)).toEqual([['low/a.ts', 'low/b.ts', 'low/c.ts'], ['low/self.ts']]);
    expect(cycles[0].loop).toEqual(['low/a.ts', 'low/b.ts', 'low/c.ts', 'low/a.ts']);
    expect(cycles[0].edges.map((e) => formatEdge(e, ''))).toEqual([
      "low/a.ts:1 -> low/b.ts ('./b.js', value)",
      "low/b.ts:1 -> low/c.ts ('./c.js', value)",
      "low/c.ts:1 -> low/a.ts ('./a.js', dynamic)",
    ]);
    expect(cycles[1].edges.map((e) => formatEdge(e, ''))).toEqual(["low/self.ts:1 -> low/self.ts ('./self.js', value)"]);
    expect(cycles[1].loop).toEqual(['low/self.ts', 'low/self.ts']);
    expect(formatCycle(cycles[0])).toBe([
      'circle of 3 file(s):',
      '    src/low/a.ts', '    src/low/b.ts', '    src/low/c.ts',
      '  e.g. src/low/a.ts', '    -> src/low/b.ts', '    -> src/low/c.ts', '    -> src/low/a.ts',
      '  imports that close it (removing enough of them breaks the circle):',
      "    src/low/a.ts:1 -> src/low/b.ts ('./b.js', value)",
      "    src/low/b.ts:1 -> src/low/c.ts ('./c.js', value)",
      "    src/low/c.ts:1 -> src/low/a.ts ('./a.js', dynamic)",
    ].join('\n'));
    // Closing the upward import into a second circle merges both into one component.
    const merged = buildImportGraph({ ...Object.fromEntries(synthetic.files.map((f) => [f, ''])),
      'low/a.ts': "import './b.js';", 'low/b.ts': "import './c.js';", 'low/c.ts': "import './a.js';\nimport '../high/y.js';",
      'high/y.ts': "import '../low/b.js';" });
    expect(findCycles(merged).map((c) => c.files)).toEqual([['high/y.ts', 'low/a.ts', 'low/b.ts', 'low/c.ts']]);
    expect(findCycles(buildImportGraph({ 'a.ts': "import './b.js';\nimport './c.js';", 'b.ts': "import './c.js';", 'c.ts': '' }))).toEqual([]);
  });

  it('reports upward imports and unplaced files, and finds chains to a package', () => {
    expect(upwardImports(synthetic, LAYERS_SYNTHETIC).map((e) => `${formatEdge(e, '')} ${e.fromRank}->${e.toRank}`))
      .toEqual(["low/a.ts:2 -> high/y.ts ('../high/y.js', type) 0->1"]);
    expect(unplacedFiles(synthetic, LAYERS_SYNTHETIC)).toEqual(['stray/z.ts']);
    expect(placeFile('top.ts', LAYERS_SYNTHETIC)?.layer.rank).toBe(1);
    expect(isUnder('lowish/a.ts', 'low/')).toBe(false);
    const chain = findImportChain(synthetic, 'low/c.ts', (n) => n === 'binaryen');
    expect(chain && formatChain(chain)).toBe('src/low/c.ts:1 -> src/low/a.ts:2 -> src/high/y.ts:2 -> binaryen');
    expect(findImportChain(synthetic, 'stray/z.ts', (n) => n === 'binaryen')).toBeUndefined();
    expect(formatLayering(synthetic, LAYERS_SYNTHETIC)).toBe([
      '[0] low/ -> [1] high/ (1) UP',
      '[1] high/ -> [0] low/ (1), binaryen (1)',
      '[1] top.ts -> [1] high/ (1)',
      '[?] stray/ -> (nothing)',
    ].join('\n'));
  });
});

describe('src/ keeps its layers', () => {
  const graph = loadImportGraph(SRC);
  const layering = `The layering today (folder -> what it imports, with counts; UP = against the table):\n${formatLayering(graph, LAYERS)}`;
  if (process.env.PRINT_LAYERS) console.log(layering);

  it('the checker sees the tree: files, and every relative import resolved', () => {
    expect(graph.files.length).toBeGreaterThan(0);
    expectNone(graph.unresolved, 'Relative imports that name no file under src/ (the checker cannot place them):', (e) => `  ${formatEdge(e)}`);
  });

  it('every file is in a row of the layer table', () => {
    expectNone(unplacedFiles(graph, LAYERS),
      'Files in no row of the layer table (LAYERS in test/layers.test.ts); place a new top-level folder or file deliberately:',
      (f) => `  src/${f}`);
  });

  it('no circle of imports', () => {
    expectNone(findCycles(graph), 'Circles of imports among src/ files (type-only and dynamic imports count too):',
      (c) => formatCycle(c), layering);
  });

  it('no import from a lower rank to a higher one', () => {
    expectNone(upwardImports(graph, LAYERS), 'Imports from a lower layer to a higher one (rank in brackets):',
      (e) => `  ${rankLabel(e.from)} -> ${rankLabel(e.to)}: ${formatEdge(e)}`, layering);
  });

  it(`nothing in ${BELOW_ELF.join(', ')} imports from elf/`, () => {
    expectNone(graph.edges.filter((e) => isUnder(e.to, 'elf/') && BELOW_ELF.some((p) => isUnder(e.from, p))),
      'Imports of the ELF front end from below it:', (e) => `  ${formatEdge(e)}`);
  });

  it('analysis/ does not import binaryen', () => {
    expectNone(importsOfBinaryen(graph, (f) => isUnder(f, 'analysis/')),
      'src/analysis is Binaryen-free, but:', (e) => `  ${formatEdge(e)}`);
  });

  it(`nothing in ranks 0-${LAST_BINARYEN_FREE_RANK} imports binaryen`, () => {
    const low = (f: string): boolean => (placeFile(f, LAYERS)?.layer.rank ?? Infinity) <= LAST_BINARYEN_FREE_RANK;
    expectNone(importsOfBinaryen(graph, low), `Imports of binaryen from ranks 0-${LAST_BINARYEN_FREE_RANK}:`,
      (e) => `  ${rankLabel(e.from)}: ${formatEdge(e)}`);
  });

  describe('the interpreter never loads Binaryen', () => {
    const interp = graph.files.filter((f) => isUnder(f, 'interp/'));

    it('src/interp/ has files (the table puts the interpreter there)', () => {
      if (interp.length === 0) throw new Error('No files under src/interp/, so the two checks below check nothing.');
    });

    it('no file under interp/ imports binaryen or anything under jit/', () => {
      expectNone([
        ...importsOfBinaryen(graph, (f) => isUnder(f, 'interp/')),
        ...graph.edges.filter((e) => isUnder(e.from, 'interp/') && isUnder(e.to, 'jit/')),
      ], 'Direct imports of binaryen or jit/ from interp/:', (e) => `  ${formatEdge(e)}`);
    });

    it('no chain of imports from ebpf-wasm/core (src/core.ts) reaches binaryen or jit/, type-only imports included', () => {
      const chain = findImportChain(graph, 'core.ts', (n) => n === 'binaryen' || (isUnder(n, 'jit/') && n !== 'jit/opt-level.ts'));
      expectNone(chain ? [chain] : [], 'Chains of imports from src/core.ts to binaryen or the JIT:', (c) => `  ${formatChain(c)}`);
      // The check sees core's files: it reaches the interpreter and the ELF parser.
      expect(findImportChain(graph, 'core.ts', (n) => n === 'interp/interpreter.ts')).toBeDefined();
      expect(findImportChain(graph, 'core.ts', (n) => n === 'elf/object.ts')).toBeDefined();
    });

    it('the command line (src/cli/main.ts) reaches binaryen only through a dynamic import()', () => {
      // What runs at start-up: static value imports (type-only ones are erased).
      const statics = { ...graph, edges: graph.edges.filter((e) => e.kind === 'value'), packages: graph.packages.filter((e) => e.kind === 'value') };
      const chain = findImportChain(statics, 'cli/main.ts', (n) => n === 'binaryen');
      expectNone(chain ? [chain] : [], 'Static chains of imports from src/cli/main.ts to binaryen (run --engine interp would load it):', (c) => `  ${formatChain(c)}`);
      expect(findImportChain(statics, 'cli/commands/run.ts', (n) => n === 'interp/interpreter.ts')).toBeDefined();
      expect(findImportChain(graph, 'cli/main.ts', (n) => n === 'binaryen')).toBeDefined();
    });

    it('the command line reaches the JIT only through src/cli/import-engine.ts (importEngine, importJit), the filter command included', () => {
      // What a command loads: static value imports and import()s, less the one gate that
      // imports the JIT when a command asks for it (--engine jit, wat, a classic filter
      // with ancillary loads). A dynamic import of a module that imports the JIT elsewhere
      // (the filter command's of PacketFilter once pulled loadProgram's JIT, and with it
      // Binaryen, into --engine interp and filters that compile straight to Wasm) would be a chain.
      const gate = 'cli/import-engine.ts';
      const loaded = { ...graph, edges: graph.edges.filter((e) => e.kind !== 'type' && e.from !== gate), packages: graph.packages.filter((e) => e.kind !== 'type') };
      for (const start of ['cli/main.ts', 'cli/commands/filter.ts']) {
        const chain = findImportChain(loaded, start, (n) => n === 'binaryen' || isUnder(n, 'jit/'));
        expectNone(chain ? [chain] : [], `Chains of imports from src/${start} to the JIT that bypass src/${gate}:`, (c) => `  ${formatChain(c)}`);
      }
      expect(findImportChain(loaded, 'cli/commands/filter.ts', (n) => n === gate)).toBeDefined();
      expect(findImportChain(loaded, 'cli/commands/filter.ts', (n) => n === 'packet/cbpf/wasm/batch-module.ts')).toBeDefined();
    });

    it('no chain of imports from a file under interp/ reaches binaryen', () => {
      const chains = interp.map((f) => findImportChain(graph, f, (n) => n === 'binaryen'))
        .filter((c): c is ImportEdge[] => c !== undefined);
      expectNone(chains, 'Chains of imports (file:line of each) from interp/ to binaryen:', (c) => `  ${formatChain(c)}`);
    });
  });
});
