/**
 * Lexical layer of the assembler: splitting an instruction line into mnemonic and
 * operands, and parsing single operands (registers, integers, memory references,
 * jump targets, lddw pseudo loads). Nothing here knows about opcodes; `asm.ts` picks
 * the table row. Every failure is an `AsmError` carrying the source line.
 */

import { MAX_REGISTER } from '../abi/registers.js';
import { AsmError } from '../errors.js';


/** The syntactic shape of an operand, used to pick the table row before parsing values. */
export type Shape = 'reg' | 'mem' | 'num' | 'word' | 'pseudo' | 'other';

const LABEL_NAME = /^[A-Za-z_.$][\w.$]*$/;
const INTEGER = /^([+-]?)(0x[0-9a-f]+|[0-9]+)$/i;
const PSEUDO = /^([A-Za-z_]\w*)\s*\((.*)\)$/s;

export function isLabelName(text: string): boolean {
  return LABEL_NAME.test(text);
}

export function shapeOf(operand: string): Shape {
  if (operand.startsWith('%') || /^r[0-9]+$/i.test(operand)) return 'reg';
  if (operand.startsWith('[')) return 'mem';
  if (/^[+-]?[0-9]/.test(operand)) return 'num';
  if (LABEL_NAME.test(operand)) return 'word';
  if (PSEUDO.test(operand)) return 'pseudo';
  return 'other';
}

/**
 * Split operands at top-level commas; commas inside `[...]` or `(...)` belong to the
 * operand (`map_value(3, 16)`). Empty operands (`add %r1,, 5`) are an error.
 */
export function splitOperands(text: string, line: number): string[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p, i) => {
    const trimmed = p.trim();
    if (trimmed === '') throw new AsmError('BAD_OPERAND', `operand ${i + 1} is empty`, line);
    return trimmed;
  });
}

export function parseRegister(text: string, line: number): number {
  const m = /^%?r([0-9]+)$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n <= MAX_REGISTER) || m![1].length > 2) {
    throw new AsmError('BAD_REGISTER', `'${text}' is not a register (%r0..%r${MAX_REGISTER})`, line);
  }
  return n;
}

/** Decimal or hex (`0x`), optionally signed; undefined if the text is not an integer. */
export function parseInteger(text: string): bigint | undefined {
  const m = INTEGER.exec(text);
  if (!m) return undefined;
  const magnitude = BigInt(m[2]);
  return m[1] === '-' ? -magnitude : magnitude;
}

/** An integer that must lie in [min, max]; `what` names the field in messages. */
export function parseIntegerIn(text: string, min: bigint, max: bigint, what: string, line: number): bigint {
  const value = parseInteger(text);
  if (value === undefined) throw new AsmError('BAD_IMMEDIATE', `'${text}' is not an integer`, line);
  if (value < min || value > max) {
    throw new AsmError('IMM_OUT_OF_RANGE', `${what} ${text} is outside [${min}, ${max}]`, line);
  }
  return value;
}

/** 32-bit fields take a signed or an unsigned 32-bit value (`0xffffffff` is -1). */
export function parseImm32(text: string, line: number, what = 'immediate'): number {
  return Number(BigInt.asIntN(32, parseIntegerIn(text, -(2n ** 31n), 2n ** 32n - 1n, what, line)));
}

/** lddw takes any signed or unsigned 64-bit value; returns the bit pattern. */
export function parseImm64(text: string, line: number): bigint {
  return BigInt.asUintN(64, parseIntegerIn(text, -(2n ** 63n), 2n ** 64n - 1n, 'lddw constant', line));
}

export interface MemoryOperand {
  reg: number;
  off: number;
}

/** `[%r1]`, `[%r1+4]`, `[%r10-0x8]`, spaces allowed inside; offsets are s16. */
export function parseMemory(text: string, line: number): MemoryOperand {
  const m = /^\[\s*([^\s+\-\]]+)\s*(?:([+-])\s*([^\s\]]+)\s*)?\]$/.exec(text);
  if (!m) throw new AsmError('BAD_OPERAND', `'${text}' is not a memory operand like [%r1+4]`, line);
  const reg = parseRegister(m[1], line);
  if (m[2] === undefined) return { reg, off: 0 };
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(m[3])) {
    throw new AsmError('BAD_IMMEDIATE', `memory offset '${m[3]}' is not an integer`, line);
  }
  const off = parseIntegerIn(m[2] + m[3], -(2n ** 15n), 2n ** 15n - 1n, 'memory offset', line);
  return { reg, off: Number(off) };
}

/** A jump target: a relative offset in slots (`+3`, `-2`) or a label name. */
export type Target = { kind: 'relative'; offset: bigint } | { kind: 'label'; name: string };

export function parseTarget(text: string, line: number): Target {
  if (isLabelName(text)) return { kind: 'label', name: text };
  const offset = parseInteger(text);
  if (offset === undefined) throw new AsmError('BAD_OPERAND', `'${text}' is not a label or an offset like +3`, line);
  return { kind: 'relative', offset };
}

export interface PseudoCall {
  name: string;
  args: string[];
}

/** `map_value(3, 16)` -> { name: 'map_value', args: ['3', '16'] }. */
export function parsePseudo(text: string, line: number): PseudoCall {
  const m = PSEUDO.exec(text);
  if (!m) throw new AsmError('BAD_OPERAND', `'${text}' is not an lddw operand`, line);
  return { name: m[1], args: splitOperands(m[2], line) };
}

/**
 * Split a source line into label definitions, mnemonic words and the operand text.
 * `multiWordPrefixes` lists the mnemonic prefixes that continue with another word
 * (`lock`, `lock fetch`), taken from the opcode table.
 */
export interface SourceLine {
  labels: string[];
  mnemonic?: string;
  operands: string;
}

export function splitLine(raw: string, line: number, multiWordPrefixes: ReadonlySet<string>): SourceLine {
  const hash = raw.indexOf('#');
  let text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  const labels: string[] = [];
  for (let m = /^([^\s:,[\]()]+)\s*:/.exec(text); m; m = /^([^\s:,[\]()]+)\s*:/.exec(text)) {
    if (!isLabelName(m[1])) throw new AsmError('BAD_LABEL', `'${m[1]}' is not a valid label name`, line);
    labels.push(m[1]);
    text = text.slice(m[0].length).trim();
  }
  if (text === '') return { labels, operands: '' };
  let mnemonic = '';
  let rest = text;
  do {
    const m = /^(\S+)\s*(.*)$/s.exec(rest)!;
    mnemonic = mnemonic === '' ? m[1].toLowerCase() : `${mnemonic} ${m[1].toLowerCase()}`;
    rest = m[2];
  } while (multiWordPrefixes.has(mnemonic) && rest !== '');
  return { labels, mnemonic, operands: rest };
}
