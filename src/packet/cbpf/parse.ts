import { checkString, checkUint8Array, describeValue } from '../../arguments.js';
import { DecodeError } from '../../errors.js';
import { cbpfInsn, checkCbpfInsns, SOCK_FILTER_BYTES, type CbpfInsn } from './insn.js';

/**
 * The three ways a classic program arrives: `tcpdump -dd` text (C initialisers,
 * `{ 0x28, 0, 0, 0x0000000c },`), `tcpdump -ddd` text (the count on the first line, then
 * `code jt jf k` in decimal) and raw `struct sock_filter` bytes (8 bytes each,
 * little-endian, as setsockopt(SO_ATTACH_FILTER) takes them). Parsing only reads the
 * fields; what the kernel would refuse is validate.ts's job. Errors are DecodeErrors whose
 * pc is the instruction's index (text errors also name the line).
 */

const U16 = 0xffff;
const U8 = 0xff;
const U32 = 0xffffffff;

/** Raw `struct sock_filter` bytes. */
export function decodeCbpfBytes(bytes: Uint8Array): CbpfInsn[] {
  checkUint8Array('decodeCbpfBytes(bytes)', bytes);
  if (bytes.length % SOCK_FILTER_BYTES !== 0) {
    throw new DecodeError('CBPF_BAD_LENGTH',
      `classic BPF bytes must be a multiple of ${SOCK_FILTER_BYTES} (struct sock_filter), got ${bytes.length}`,
      Math.floor(bytes.length / SOCK_FILTER_BYTES));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: CbpfInsn[] = [];
  for (let at = 0; at < bytes.length; at += SOCK_FILTER_BYTES) {
    out.push(cbpfInsn(view.getUint16(at, true), bytes[at + 2], bytes[at + 3], view.getUint32(at + 4, true)));
  }
  return out;
}

/** `struct sock_filter` bytes of a program (the inverse of decodeCbpfBytes). */
export function encodeCbpfBytes(insns: readonly CbpfInsn[]): Uint8Array {
  checkCbpfInsns('encodeCbpfBytes(insns)', insns);
  const bytes = new Uint8Array(insns.length * SOCK_FILTER_BYTES);
  const view = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    const at = i * SOCK_FILTER_BYTES;
    view.setUint16(at, insn.code, true);
    bytes[at + 2] = insn.jt;
    bytes[at + 3] = insn.jf;
    view.setUint32(at + 4, insn.k, true);
  });
  return bytes;
}

/** A number as C writes one in an initialiser (decimal, 0x hex, 0 octal) or -ddd's decimal. */
function parseNumber(text: string, max: number, what: string, index: number, line: number): number {
  const t = text.trim();
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(t)) value = parseInt(t.slice(2), 16);
  else if (/^0[0-7]+$/.test(t)) value = parseInt(t.slice(1), 8);
  else if (/^\d+$/.test(t)) value = parseInt(t, 10);
  else throw new DecodeError('CBPF_SYNTAX', `line ${line}: ${what} '${t}' is not a number`, index);
  if (!Number.isSafeInteger(value) || value > max) {
    throw new DecodeError('CBPF_SYNTAX', `line ${line}: ${what} ${t} does not fit in ${max === U8 ? 8 : max === U16 ? 16 : 32} bits`, index);
  }
  return value;
}

function fieldsToInsn(fields: string[], index: number, line: number): CbpfInsn {
  if (fields.length !== 4) {
    throw new DecodeError('CBPF_SYNTAX', `line ${line}: an instruction has 4 fields (code, jt, jf, k), got ${fields.length}`, index);
  }
  return cbpfInsn(
    parseNumber(fields[0], U16, 'code', index, line),
    parseNumber(fields[1], U8, 'jt', index, line),
    parseNumber(fields[2], U8, 'jf', index, line),
    parseNumber(fields[3], U32, 'k', index, line),
  );
}

/** Lines without comments (C block and line comments, `#`), numbered from 1, blank ones dropped. */
function contentLines(text: string): { line: number; text: string }[] {
  const noBlock = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return noBlock.split('\n')
    .map((t, i) => ({ line: i + 1, text: t.replace(/(\/\/|#).*$/, '').trim() }))
    .filter((l) => l.text !== '');
}

/** `tcpdump -dd` output: one `{ code, jt, jf, k },` per line (a surrounding C array is fine). */
export function parseCbpfDd(text: string): CbpfInsn[] {
  checkString('parseCbpfDd(text)', text);
  const out: CbpfInsn[] = [];
  for (const { line, text: t } of contentLines(text)) {
    const groups = t.match(/\{[^{}]*\}/g);
    if (!groups) {
      // Lines of a surrounding declaration (`struct sock_filter code[] = {`, `};`) carry no instruction.
      if (/^(struct\b|static\b|const\b|[{};,]+$)/.test(t)) continue;
      throw new DecodeError('CBPF_SYNTAX', `line ${line}: expected '{ code, jt, jf, k },', got '${t}'`, out.length);
    }
    for (const g of groups) {
      const fields = g.slice(1, -1).split(',').map((f) => f.trim());
      if (fields[fields.length - 1] === '') fields.pop(); // C allows `{ a, b, c, d, }`
      out.push(fieldsToInsn(fields, out.length, line));
    }
  }
  return out;
}

/** `tcpdump -ddd` output: the instruction count, then one `code jt jf k` line each, decimal. */
export function parseCbpfDdd(text: string): CbpfInsn[] {
  checkString('parseCbpfDdd(text)', text);
  const lines = contentLines(text);
  if (lines.length === 0) throw new DecodeError('CBPF_SYNTAX', 'empty -ddd text: expected the instruction count first', 0);
  const [first, ...rest] = lines;
  const count = parseNumber(first.text, U16, 'instruction count', 0, first.line);
  const out = rest.map(({ line, text: t }, i) => fieldsToInsn(t.split(/[\s,]+/), i, line));
  if (out.length !== count) {
    throw new DecodeError('CBPF_COUNT_MISMATCH',
      `line ${first.line}: the count says ${count} instructions, the text has ${out.length}`, Math.min(count, out.length));
  }
  return out;
}

/**
 * Either text form, told apart by its shape: braces mean -dd, a lone number on the first
 * line means -ddd.
 */
export function parseCbpfText(text: string): CbpfInsn[] {
  checkString('parseCbpfText(text)', text);
  if (text.includes('{')) return parseCbpfDd(text);
  const first = contentLines(text)[0];
  if (first && /^\d+$/.test(first.text)) return parseCbpfDdd(text);
  throw new DecodeError('CBPF_SYNTAX', "not classic BPF text: expected 'tcpdump -dd' ({ code, jt, jf, k } lines) or 'tcpdump -ddd' (a count, then code jt jf k lines)", 0);
}

/**
 * A program in any of the three forms: a string is text; bytes are text if they are
 * printable ASCII that reads as -dd or -ddd (what a file of tcpdump output holds), else
 * raw `struct sock_filter` bytes.
 */
export function parseCbpf(input: string | Uint8Array | readonly CbpfInsn[]): CbpfInsn[] {
  if (typeof input === 'string') return parseCbpfText(input);
  if (!(input instanceof Uint8Array)) {
    if (!Array.isArray(input)) {
      throw new TypeError(`a classic BPF program must be text, struct sock_filter bytes (a Uint8Array) or an array of { code, jt, jf, k }, got ${describeValue(input)}`);
    }
    return checkCbpfInsns('a classic BPF program', input).map((i) => cbpfInsn(i.code, i.jt, i.jf, i.k));
  }
  if (looksLikeText(input)) return parseCbpfText(new TextDecoder().decode(input));
  return decodeCbpfBytes(input);
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) {
    if (b !== 0x09 && b !== 0x0a && b !== 0x0d && (b < 0x20 || b > 0x7e)) return false;
  }
  // Raw bytes can be printable by chance; text forms start with a digit, a brace, a comment or a declaration.
  return /^\s*(\d|\{|\/\*|\/\/|#|struct\b|static\b|const\b)/.test(new TextDecoder().decode(bytes.subarray(0, 64)));
}

/** `tcpdump -dd` text of a program, as tcpdump prints it (code `0x%x`, k `0x%08x`). */
export function formatCbpfDd(insns: readonly CbpfInsn[]): string {
  checkCbpfInsns('formatCbpfDd(insns)', insns);
  const hex = (v: number, width: number) => `0x${v.toString(16).padStart(width, '0')}`;
  return insns.map((i) => `{ ${hex(i.code, 1)}, ${i.jt}, ${i.jf}, ${hex(i.k, 8)} },\n`).join('');
}

/** `tcpdump -ddd` text of a program. */
export function formatCbpfDdd(insns: readonly CbpfInsn[]): string {
  checkCbpfInsns('formatCbpfDdd(insns)', insns);
  return `${insns.length}\n${insns.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k}\n`).join('')}`;
}
