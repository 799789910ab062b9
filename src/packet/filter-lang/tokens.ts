import { checkString } from '../../arguments.js';
import { FilterError } from './errors.js';

/**
 * Tokens of a pcap filter expression. Words are split as libpcap's lexer splits them: a
 * name may hold '-', '.' and '_' (`tcp-syn`, `1000-2000`), so `len-14` is one (unknown)
 * word, as in tcpdump; addresses (IPv4, IPv6, MAC) are one token each.
 */
export type TokenKind = 'num' | 'ipv4' | 'ipv6' | 'mac' | 'word' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the first character. */
  readonly column: number;
  /** A number's value (kind 'num'). */
  readonly value?: number;
  /** A word written with a backslash (`\tcp`): a name, never a keyword. */
  readonly escaped?: boolean;
}

// Longest first, so '<<' wins over '<'.
const PUNCT = ['&&', '||', '<<', '>>', '<=', '>=', '==', '!=', '(', ')', '[', ']', ':', '+', '-', '*', '/', '%', '&', '|', '^', '=', '<', '>', '!'];

const WORD = /^[A-Za-z0-9_](?:[-_.A-Za-z0-9]*[_.A-Za-z0-9])?/;
const HEXCOLON = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/;
const MAC = /^[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}$/;
const IPV4 = /^\d+(?:\.\d+){1,3}$/;

/** A C-style integer as libpcap reads it: 0x hex, leading-0 octal, decimal; undefined if not one. */
export function parseNumber(text: string): number | undefined {
  let v: number;
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) v = text.length === 1 ? 0 : parseInt(text.slice(1), 8);
  else if (/^[0-9]+$/.test(text)) v = parseInt(text, 10);
  else return undefined;
  return v;
}

function isIpv6(text: string): boolean {
  const colons = text.split(':').length - 1;
  return (text.includes('::') || colons === 7) && /^[0-9A-Fa-f:]*(?:\d+\.\d+\.\d+\.\d+)?$/.test(text) && !text.includes(':::');
}

export function tokenize(source: string): Token[] {
  checkString('a filter expression', source);
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) { i++; continue; }
    const column = i + 1;
    const rest = source.slice(i);
    // An address with colons first: inside 'tcp[2:2]' the colon is punctuation, so only a
    // MAC or an IPv6 address (which have several colons) is taken whole.
    const hc = HEXCOLON.exec(rest)?.[0];
    if (hc !== undefined && (MAC.test(hc) || isIpv6(hc))) {
      out.push({ kind: MAC.test(hc) ? 'mac' : 'ipv6', text: hc, column });
      i += hc.length;
      continue;
    }
    if (c === '\\') {
      const w = WORD.exec(source.slice(i + 1))?.[0];
      if (!w) throw new FilterError('SYNTAX', "'\\' must be followed by a name", column);
      out.push({ kind: 'word', text: w, column, escaped: true });
      i += 1 + w.length;
      continue;
    }
    const w = WORD.exec(rest)?.[0];
    if (w !== undefined) {
      const value = parseNumber(w);
      if (value !== undefined) {
        if (value > 0xffffffff) throw new FilterError('VALUE', `number ${w} does not fit 32 bits`, column);
        out.push({ kind: 'num', text: w, column, value });
      } else out.push({ kind: IPV4.test(w) ? 'ipv4' : 'word', text: w, column });
      i += w.length;
      continue;
    }
    const p = PUNCT.find((q) => rest.startsWith(q));
    if (!p) throw new FilterError('SYNTAX', `unexpected character '${c}'`, column);
    out.push({ kind: 'punct', text: p, column });
    i += p.length;
  }
  out.push({ kind: 'end', text: '', column: source.length + 1 });
  return out;
}
