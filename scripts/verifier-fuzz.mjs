#!/usr/bin/env node
// Our verifier against this machine's kernel on random programs (issue 12, item 5):
// draws small socket_filter, xdp and sched_cls programs that stress memory accesses
// (context fields, packets with and without data_end checks, stack spills and fills,
// map values with and without null checks, pointer arithmetic with bounded and
// unbounded scalars; scripts/verifier-fuzz-gen.mjs), loads each in the kernel through
// test/fixtures/verifier/kernel-oracle.c and in ours (strict mode, as
// scripts/verifier-agreement.ts does), prints the agreement by category and writes each
// distinct disagreement as a corpus-style .s file (header: type, maps, expect, checks).
// Needs root, gcc and dist/ (npm run build).
//
//   sudo node scripts/verifier-fuzz.mjs [--seed 1] [--count 2000] [--out /tmp/verifier-fuzz] [--verbose]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './verifier-fuzz-gen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const SEED = Number(arg('seed', '1'));
const COUNT = Number(arg('count', '2000'));
const OUT = arg('out', '/tmp/verifier-fuzz');
const VERBOSE = process.argv.includes('--verbose');

const die = (msg) => { process.stderr.write(`verifier-fuzz: ${msg}\n`); process.exit(1); };
if (process.getuid?.() !== 0) die('needs root: the kernel loading the program as root is the oracle');
if (!existsSync(join(DIST, 'scripts/verifier-agreement.js'))) die('no dist/: run npm run build first');
const { assembleBytes } = await import(join(DIST, 'src/decode/asm.js'));
const { ourVerdict } = await import(join(DIST, 'scripts/verifier-agreement.js'));

const work = mkdtempSync(join(tmpdir(), 'verifier-fuzz-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const oracle = join(work, 'kernel-oracle');
const gcc = spawnSync('gcc', ['-O2', '-Wall', '-Werror', '-o', oracle, join(ROOT, 'test/fixtures/verifier/kernel-oracle.c')], { encoding: 'utf8' });
if (gcc.error || gcc.status !== 0) die(`gcc kernel-oracle.c failed:\n${gcc.stderr ?? gcc.error}`);

/** The kernel's verdict: { verdict, errno, pc, message, processed }. */
function kernelVerdict(type, bytes, maps) {
  const bin = join(work, 'prog.bin');
  writeFileSync(bin, bytes);
  const args = [type, bin];
  for (const m of maps) args.push('-m', `${m.type}:${m.key}:${m.value}:${m.max}`);
  const r = spawnSync(oracle, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) die(`kernel-oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** What makes two disagreements the same: who accepts, and the kernel's and our reasons with numbers blurred. */
const blur = (s) => s.split('\n')[0].replace(/-?\d+/g, 'N').replace(/R\d/g, 'Rn');
const keyOf = (category, k, o) => `${category} kernel:${k.verdict}:${blur(k.message)} ours:${o.verdict}:${o.code}`
  + (k.verdict === 'reject' && o.verdict === 'reject' ? ' (pc)' : '');

const stats = new Map();
const bump = (category, field) => {
  const s = stats.get(category) ?? { programs: 0, agree: 0, samePc: 0, rejects: 0, accepts: 0 };
  s[field]++;
  stats.set(category, s);
};
const distinct = new Map();
let asmFailures = 0;

for (let i = 0; i < COUNT; i++) {
  const p = generate(SEED, i);
  const text = p.lines.join('\n') + '\n';
  let bytes;
  try { bytes = Buffer.from(assembleBytes(text)); } catch (e) { asmFailures++; if (VERBOSE) console.log(`asm #${i}: ${e.message}\n${text}`); continue; }
  const k = kernelVerdict(p.type, bytes, p.maps);
  const o = ourVerdict({ file: `fuzz#${i}`, type: p.type, maps: p.maps, insns: bytes.toString('hex'), kernel: k, runs: [] });
  const agrees = k.verdict === o.verdict;
  const samePc = agrees && (k.verdict === 'accept' || k.pc === null || k.pc === o.pc);
  for (const c of ['all', p.category, p.type]) {
    bump(c, 'programs');
    bump(c, k.verdict === 'accept' ? 'accepts' : 'rejects');
    if (agrees) bump(c, 'agree');
    if (samePc) bump(c, 'samePc');
  }
  if (agrees && samePc) continue;
  const key = keyOf(p.category, k, o);
  const seen = distinct.get(key);
  if (seen) { seen.count++; continue; }
  distinct.set(key, { count: 1, i, p, text, k, o });
}

const pct = (a, b) => `${(100 * a / Math.max(b, 1)).toFixed(1)}%`;
console.log(`seed ${SEED}, ${COUNT} programs (${asmFailures} not assembled)`);
for (const [c, s] of stats) {
  console.log(`  ${c.padEnd(14)} ${s.agree}/${s.programs} verdicts agree (${pct(s.agree, s.programs)}), ${s.samePc} with the same pc; kernel accepts ${s.accepts}, rejects ${s.rejects}`);
}
console.log(`${distinct.size} distinct disagreements:`);
mkdirSync(OUT, { recursive: true });
let n = 0;
for (const [key, d] of distinct) {
  const name = `${String(n++).padStart(2, '0')}-${d.p.category}-${d.p.type}.s`;
  const first = d.k.message.split('\n')[0];
  const header = [
    `# type: ${d.p.type}`,
    ...(d.p.maps.length ? [`# maps: ${d.p.maps.map((m) => `${m.type} ${m.key} ${m.value} ${m.max}`).join(', ')}`] : []),
    `# expect: ${d.k.verdict === 'accept' ? 'ok' : `reject ${first}`}`,
    `# checks: ${d.p.desc}`,
    `# fuzz: seed ${SEED} #${d.i} (${d.count}x) kernel ${d.k.verdict}${d.k.pc === null ? '' : ` pc ${d.k.pc}`}: ${first}`,
    `# fuzz: ours ${d.o.verdict}${d.o.pc === null ? '' : ` pc ${d.o.pc}`} ${d.o.code} ${d.o.message.split('\n')[0]}`,
  ];
  writeFileSync(join(OUT, name), header.join('\n') + '\n' + d.text);
  console.log(`  ${name} (${d.count}x) ${key}`);
  console.log(`      kernel: ${d.k.verdict}${d.k.pc === null ? '' : ` pc ${d.k.pc}`} ${first}`);
  console.log(`      ours:   ${d.o.verdict}${d.o.pc === null ? '' : ` pc ${d.o.pc}`} ${d.o.code} ${d.o.message.split('\n')[0]}`);
}
console.log(`written to ${OUT}`);
