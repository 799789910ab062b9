/**
 * npm run bench:filter [-- --quick] [-- --filter <substring>] [-- --packets <n>]
 *
 * Every expression of the tcpdump corpus (test/fixtures/captures/tcpdump-corpus.json)
 * that compileFilter takes, over a generated capture of 100,000 packets
 * (filter-capture.ts), side by side in one run: compile time, the batch call over a PacketArena, filterBuffer, the batch
 * program alone, the one-packet match(), libpcap's pcap_offline_filter (when a C compiler
 * and libpcap-dev are installed) and a hand-written JS predicate for a few expressions.
 * Every column's match count is checked against the arena's; a difference fails
 * the run.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BATCH_TARGET_BYTES, compileFilter, compileFilterCbpf, FilterError, PacketArena, Runtime } from '../src/index.js';
import { benchCapture } from './filter-capture.js';
import { FULL_FILTER_SETTINGS, measureExpression, QUICK_FILTER_SETTINGS, type ExpressionMeasurement } from './filter-measure.js';
import { buildLibpcapDriver, runLibpcap, type LibpcapTiming } from './filter-native.js';
import { JS_PREDICATES } from './filter-predicates.js';
import { formatMs, formatRatio, renderTable } from './format.js';
import { median } from './measure.js';
import { repoRoot } from './paths.js';
import { settle } from './v8-tiers.js';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, filter: { type: 'string' }, packets: { type: 'string' } },
});
const settings = args.quick ? QUICK_FILTER_SETTINGS : FULL_FILTER_SETTINGS;

const corpus = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'captures', 'tcpdump-corpus.json'), 'utf8')) as { expressions: { expr: string }[] };
const refused: string[] = [];
let expressions = corpus.expressions.map((e) => e.expr).filter((expr) => {
  try {
    compileFilterCbpf(expr);
    return true;
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    refused.push(expr);
    return false;
  }
});
// --quick: every fourth expression, and those with a JS predicate.
if (args.quick) expressions = expressions.filter((e, i) => i % 4 === 0 || JS_PREDICATES.has(e));
if (args.filter !== undefined) expressions = expressions.filter((e) => e.includes(args.filter!));
if (expressions.length === 0) {
  console.error(`bench:filter: no corpus expression contains '${args.filter}'`);
  process.exit(2);
}

const capture = benchCapture(args.packets === undefined ? undefined : Number(args.packets));
// The capture placed once in an arena, which every filter runs over (the path a service filtering a capture in memory takes).
const arena = PacketArena.fromPcap(capture.file);
const packets = capture.offsets.length;
const driver = buildLibpcapDriver();
const cpu = cpus();
console.log('ebpf-wasm packet filter benchmark');
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`);
console.log(`capture: ${packets} packets, ${(capture.file.length / 1e6).toFixed(1)} MB (bench/filter-capture.ts: snap64.pcap's frames, drawn at random)`);
console.log(`libpcap: ${typeof driver === 'string' ? `not measured, ${driver}` : `pcap_offline_filter, bench/native/pcap_filter.c (${driver.version})`}`);
console.log(`corpus:  ${expressions.length} expressions${refused.length > 0 ? `; compileFilter refuses ${refused.map((e) => `'${e}'`).join(', ')}` : ''}${args.quick ? ' (--quick: a quarter of them, fewer samples)' : ''}`);
console.log('');

const tempDir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-bench-filter-'));
let libpcap: (LibpcapTiming | undefined)[] = [];
try {
  if (typeof driver !== 'string') {
    const file = join(tempDir, 'bench.pcap');
    writeFileSync(file, capture.file);
    process.stderr.write('timing libpcap...\n');
    libpcap = runLibpcap(driver, file, expressions, settings.libpcapSamples);
  }
} finally {
  rmSync(tempDir, { recursive: true, force: true });
}

// One runtime for every filter, as a service holding many; warm binaryen up first.
const runtime = new Runtime();
process.stderr.write('warming up...\n');
for (let round = 0; round < (args.quick ? 2 : 5); round++) for (const expr of expressions) compileFilter(expr, { runtime });
await settle();
const results: ExpressionMeasurement[] = [];
for (const [i, expr] of expressions.entries()) {
  // One progress line rewritten in place on a terminal, a line each otherwise (a log).
  process.stderr.write(process.stderr.isTTY ? `\r[${i + 1}/${expressions.length}] ${expr.slice(0, 60).padEnd(60)}` : `[${i + 1}/${expressions.length}] ${expr}\n`);
  results.push(await measureExpression(expr, capture, arena, runtime, settings, libpcap[i], JS_PREDICATES.get(expr)));
}
if (process.stderr.isTTY) process.stderr.write('\n');

const ns = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? formatRatio(a / b) : '-');
const header = ['expression', 'matches', 'compile', 'arena', 'filterBuffer', 'in place', 'match()', 'libpcap', 'JS', 'libpcap/arena'];
const rows = results.map((m) => [
  m.expr.length > 48 ? `${m.expr.slice(0, 45)}...` : m.expr,
  m.mismatches.length > 0 ? 'WRONG' : String(m.matches),
  m.compileMs === undefined ? '-' : formatMs(m.compileMs),
  ns(m.arenaNs), ns(m.batchNs), ns(m.inPlaceNs), ns(m.matchNs), ns(m.libpcapNs), ns(m.jsNs),
  ratio(m.libpcapNs, m.arenaNs),
]);
const column = (value: (m: ExpressionMeasurement) => number | undefined) => results.map(value).filter((v): v is number => v !== undefined);
const medianOf = (values: number[]) => (values.length > 0 ? median(values) : undefined);
const medians = {
  compile: medianOf(column((m) => m.compileMs)),
  arena: medianOf(column((m) => m.arenaNs)),
  batch: medianOf(column((m) => m.batchNs)),
  inPlace: medianOf(column((m) => m.inPlaceNs)),
  match: medianOf(column((m) => m.matchNs)),
  libpcap: medianOf(column((m) => m.libpcapNs)),
  js: medianOf(column((m) => m.jsNs)),
};
rows.push(
  header.map(() => ''),
  ['median', '', medians.compile === undefined ? '-' : formatMs(medians.compile), ns(medians.arena), ns(medians.batch), ns(medians.inPlace), ns(medians.match),
    ns(medians.libpcap), ns(medians.js), ratio(medians.libpcap, medians.arena)],
);
console.log(renderTable(header, rows));
console.log('');
console.log('ns per packet, medians of tinybench samples (libpcap: of its driver\'s passes); compile in ms.');
console.log(`  compile  compileFilter(expr): parse to callable, warm, into a shared runtime, V8's default flags`);
console.log(`  arena    filterArena over all ${packets} packets placed once in a PacketArena (the module walks the pcap records itself; verdicts copied into one reused array)`);
console.log(`  filterBuffer  the same packets given as offsets and lengths into the file's bytes (batches of ${BATCH_TARGET_BYTES >> 10} KiB: copy into the input area + one run each)`);
console.log('  in place the batch program alone, rerun over one batch already in the input area (the capture\'s first)');
console.log(`  match()  the one-packet call, over the first ${settings.matchPackets} packets`);
console.log('  libpcap  pcap_offline_filter over the same packets in memory (tcpdump\'s optimised program)');
console.log(`  JS       a hand-written predicate (bench/filter-predicates.ts), for ${JS_PREDICATES.size} expressions`);
const perExpression = results.filter((m) => m.libpcapNs !== undefined && m.arenaNs !== undefined).map((m) => m.libpcapNs! / m.arenaNs!);
if (perExpression.length > 0) console.log(`libpcap/arena: ${ratio(medians.libpcap, medians.arena)} of the medians; median of the per-expression ratios ${formatRatio(median(perExpression))}`);

const failures = results.flatMap((m) => m.mismatches.map((msg) => `  '${m.expr}': ${msg}`));
if (failures.length > 0) {
  console.log(`\nWRONG RESULTS:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
