/**
 * The bpf_conformance `.data` test format:
 *
 *   # comment (anywhere on a line)
 *   -- asm       assembler text (kept verbatim so assembler line numbers map to the file)
 *   -- mem       input memory, hex bytes separated by whitespace
 *   -- raw       the program as 64-bit words, one slot per line (replaces asm);
 *                `0x5566778800000018` is opcode 0x18 in the low byte (little-endian u64)
 *   -- result    expected r0: hex if it contains 0x, else decimal (64-bit)
 *   -- error     expected error text
 *   -- budget    instruction budget for the run, decimal (our extension, see README)
 *   -- c         C source of the test (ignored)
 *   -- no register offset   upstream runner option, with free text after it (ignored)
 *
 * The suite is read from its checkout (`conformanceTestsDir()`), never copied here.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleBytes } from '../src/decode/asm.js';
import { AsmError } from '../src/errors.js';

export interface DataFile {
  name: string;
  asm?: string;
  /** File line (1-based) of the first line of `asm`: assembler line L is file line asmFirstLine + L - 1. */
  asmFirstLine: number;
  mem: Uint8Array;
  raw?: bigint[];
  /** Expected r0 as an unsigned 64-bit value. */
  result?: bigint;
  error?: string;
  /** Instruction budget from `-- budget` (our extension), when given. */
  budget?: number;
}

export interface ParseOptions {
  /**
   * Reject files without a program or without an expectation (default true). The
   * conformance runner passes false so it can report such files as skips with a reason.
   */
  strict?: boolean;
}

/** A malformed `.data` file, or an asm section that does not assemble; `line` is a file line. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}: ${message}`, options);
    this.name = 'DataFileError';
  }
}

type SectionName = 'asm' | 'mem' | 'raw' | 'result' | 'error' | 'budget' | 'c' | 'no register offset';
const SECTION_NAMES: readonly SectionName[] = ['asm', 'mem', 'raw', 'result', 'error', 'budget', 'c', 'no register offset'];

interface Section {
  /** File line of the `-- name` header. */
  header: number;
  lines: string[];
}

const U64_MAX = (1n << 64n) - 1n;

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/** Non-empty, comment-stripped lines of a section with their file line numbers. */
function contentLines(section: Section): { text: string; line: number }[] {
  return section.lines
    .map((raw, i) => ({ text: stripComment(raw), line: section.header + 1 + i }))
    .filter((l) => l.text !== '');
}

function splitSections(text: string, name: string): Map<SectionName, Section> {
  const sections = new Map<SectionName, Section>();
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    // `-- name` with a space, so a C line like `--i;` inside `-- c` is not a header.
    const header = /^--(?:\s+(.*?))?\s*$/.exec(raw);
    if (header) {
      const title = header[1] ?? '';
      const section = SECTION_NAMES.find((s) => s === title);
      if (!section) throw new DataFileError(name, line, `unknown section '-- ${title}'`);
      if (sections.has(section)) throw new DataFileError(name, line, `section '-- ${section}' appears twice`);
      current = { header: line, lines: [] };
      sections.set(section, current);
    } else if (current) {
      current.lines.push(raw);
    } else if (stripComment(raw) !== '') {
      throw new DataFileError(name, line, `text before the first section: '${raw.trim()}'`);
    }
  });
  return sections;
}

function parseMem(section: Section, name: string): Uint8Array {
  const bytes: number[] = [];
  for (const { text, line } of contentLines(section)) {
    for (const token of text.split(/\s+/)) {
      if (!/^[0-9a-f]{2}$/i.test(token)) throw new DataFileError(name, line, `'${token}' is not a hex byte in -- mem`);
      bytes.push(parseInt(token, 16));
    }
  }
  return Uint8Array.from(bytes);
}

function parseRaw(section: Section, name: string): bigint[] {
  return contentLines(section).map(({ text, line }) => {
    if (!/^0x[0-9a-f]{1,16}$/i.test(text)) {
      throw new DataFileError(name, line, `'${text}' is not a 64-bit hex word in -- raw`);
    }
    return BigInt(text);
  });
}

function parseResult(section: Section, name: string): bigint {
  const lines = contentLines(section);
  if (lines.length !== 1) {
    throw new DataFileError(name, section.header, `-- result must hold one value, found ${lines.length}`);
  }
  const { text, line } = lines[0];
  const hex = text.includes('0x');
  const m = hex ? /^(-?)0x([0-9a-f]+)$/i.exec(text) : /^(-?)([0-9]+)$/.exec(text);
  const magnitude = m ? BigInt(hex ? `0x${m[2]}` : m[2]) : undefined;
  if (!m || magnitude === undefined || magnitude > U64_MAX) {
    throw new DataFileError(name, line, `'${text}' is not a 64-bit ${hex ? 'hex' : 'decimal'} result`);
  }
  return BigInt.asUintN(64, m[1] === '-' ? -magnitude : magnitude);
}

function parseBudget(section: Section, name: string): number {
  const lines = contentLines(section);
  const text = lines.length === 1 ? lines[0].text : '';
  const budget = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(budget)) {
    throw new DataFileError(name, lines[0]?.line ?? section.header, '-- budget must hold one decimal instruction count');
  }
  return budget;
}

/** Parse the text of a `.data` file; `name` identifies it in errors. */
export function parseDataFile(text: string, name: string, options: ParseOptions = {}): DataFile {
  const strict = options.strict ?? true;
  const sections = splitSections(text, name);
  const asm = sections.get('asm');
  const mem = sections.get('mem');
  const raw = sections.get('raw');
  const result = sections.get('result');
  const error = sections.get('error');
  const budget = sections.get('budget');
  if (strict && !asm && !raw) throw new DataFileError(name, 1, 'no program: needs an -- asm or -- raw section');
  if (strict && !result && !error) throw new DataFileError(name, 1, 'no expectation: needs a -- result or -- error section');
  const file: DataFile = {
    name,
    asmFirstLine: asm ? asm.header + 1 : 0,
    mem: mem ? parseMem(mem, name) : new Uint8Array(0),
  };
  if (asm) file.asm = asm.lines.join('\n');
  if (raw) file.raw = parseRaw(raw, name);
  if (result) file.result = parseResult(result, name);
  if (error) file.error = contentLines(error).map((l) => l.text).join('\n');
  if (budget) file.budget = parseBudget(budget, name);
  return file;
}

/** Raw words as little-endian bytecode. */
function wordsToBytes(words: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true));
  return bytes;
}

/**
 * The program bytes: the `-- raw` words if present, else the assembled `-- asm`.
 * Assembler errors become `DataFileError`s pointing at the file line.
 */
export function programOf(file: DataFile): Uint8Array {
  if (file.raw) return wordsToBytes(file.raw);
  try {
    return assembleBytes(file.asm ?? '');
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    const line = file.asmFirstLine + Math.max(e.line, 1) - 1;
    throw new DataFileError(file.name, line, `${e.code}: ${e.message}`, { cause: e });
  }
}

/** The repository root: the nearest directory above this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** `$BPF_CONFORMANCE_TESTS`, else `<repo root>/../shared/bpf_conformance/tests`. */
export function conformanceTestsDir(): string {
  const fromEnv = process.env.BPF_CONFORMANCE_TESTS;
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot(), '..', 'shared', 'bpf_conformance', 'tests');
}

/** The `.data` files of a directory, as full paths, sorted by name. */
export function listDataFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.data')).sort().map((f) => join(dir, f));
}

/** Read and parse one `.data` file; its base name becomes `DataFile.name`. */
export function readDataFile(path: string, options?: ParseOptions): DataFile {
  const name = path.split(/[\\/]/).pop() ?? path;
  return parseDataFile(readFileSync(path, 'utf8'), name, options);
}
