import { HELPER_IDS, ERRNO, negErrno } from '../abi/kernel-ids.js';
import type { HelperDef, HelperEnv } from './registry.js';

/**
 * bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3): format like the kernel's
 * bpf_bprintf_prepare and deliver the message to the runtime's trace sink (stderr by
 * default, like reading /sys/kernel/tracing/trace_pipe). Returns the message length, or
 * -EINVAL for a format the kernel rejects (nothing is printed then).
 *
 * The kernel's subset: %d %i %u %x %X, optionally with l or ll; %c; %s; %p (with an
 * optional x/K/s suffix we treat as plain %p); %%; flags [-+ 0#], a width and a precision;
 * at most three conversions; fmt must be NUL-terminated within fmt_size.
 */

const MAX_ARGS = 3;
const MAX_STRING = 4096;

class FormatError extends Error {}

function readCString(env: HelperEnv, addr: bigint, limit: number): string | undefined {
  const runtime = env.runtime;
  const bytes: number[] = [];
  for (let i = 0; i < limit; i++) {
    const a = addr + BigInt(i);
    if (a > 0xffff_ffffn || !runtime.isAccessible(Number(a), 1)) return undefined;
    const b = runtime.bytes()[Number(a)];
    if (b === 0) return String.fromCharCode(...bytes);   // latin1, without Node's Buffer
    bytes.push(b);
  }
  return String.fromCharCode(...bytes);
}

function pad(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(body) ? body[0] : '';
    const prefix = body.startsWith(sign + '0x') ? sign + '0x' : sign;
    return prefix + body.slice(prefix.length).padStart(width - prefix.length, '0');
  }
  return body.padStart(width);
}

function formatInteger(conv: string, length: string, flags: string, precision: number | undefined, arg: bigint): string {
  const bits = length === '' ? 32 : 64;
  const signed = conv === 'd' || conv === 'i';
  let value = signed ? BigInt.asIntN(bits, arg) : BigInt.asUintN(bits, arg);
  const negative = value < 0n;
  if (negative) value = -value;
  let digits = conv === 'x' ? value.toString(16) : conv === 'X' ? value.toString(16).toUpperCase() : value.toString(10);
  if (precision !== undefined) digits = digits.padStart(precision, '0');
  const sign = negative ? '-' : signed && flags.includes('+') ? '+' : signed && flags.includes(' ') ? ' ' : '';
  const alt = flags.includes('#') && value !== 0n && (conv === 'x' || conv === 'X') ? (conv === 'x' ? '0x' : '0X') : '';
  return sign + alt + digits;
}

/** The formatted message; throws FormatError where the kernel returns -EINVAL. */
export function formatTrace(fmt: string, args: readonly bigint[], env: HelperEnv): string {
  let out = '';
  let used = 0;
  const spec = /%([-+ 0#]*)(\d*)(?:\.(\d+))?(ll|l)?([diuxXcsp%])/y;
  for (let i = 0; i < fmt.length;) {
    if (fmt[i] !== '%') { out += fmt[i++]; continue; }
    spec.lastIndex = i;
    const m = spec.exec(fmt);
    if (!m) throw new FormatError(`bad conversion at ${i}`);
    i = spec.lastIndex;
    const [, flags, widthText, precisionText, length = '', conv] = m;
    if (conv === '%') { out += '%'; continue; }
    if (used === MAX_ARGS) throw new FormatError('more than three conversions');
    const arg = args[used++];
    const width = widthText ? Number(widthText) : 0;
    const precision = precisionText !== undefined ? Number(precisionText) : undefined;
    let body: string;
    if ('diuxX'.includes(conv)) body = formatInteger(conv, length, flags, precision, arg);
    else if (conv === 'c') body = String.fromCharCode(Number(arg & 0xffn));
    else if (conv === 's') {
      const s = readCString(env, arg, MAX_STRING);
      body = s === undefined ? '(efault)' : precision !== undefined ? s.slice(0, precision) : s;
    } else {
      // %p and its kernel suffixes (x, K, ks, us): print the pointer value.
      const suffix = /^(ks|us|x|K)/.exec(fmt.slice(i));
      if (suffix) i += suffix[0].length;
      body = '0x' + BigInt.asUintN(64, arg).toString(16);
    }
    out += pad(body, flags, width, 'diuxX'.includes(conv));
  }
  return out;
}

export const TRACE_PRINTK: HelperDef = {
  id: HELPER_IDS.trace_printk,
  name: 'trace_printk',
  proto: { args: ['ptr_to_mem', 'const_size', 'unchecked', 'unchecked', 'unchecked'], ret: 'integer' },
  impl: (fmtAddr, fmtSize, a1, a2, a3, env) => {
    const size = Number(BigInt.asUintN(32, fmtSize));
    if (size === 0) return negErrno(ERRNO.EINVAL);
    const fmt = readCString(env, fmtAddr, size);
    // The format must be NUL-terminated inside fmt_size bytes of readable memory.
    if (fmt === undefined || fmt.length >= size) return negErrno(ERRNO.EINVAL);
    let message: string;
    try {
      message = formatTrace(fmt, [a1, a2, a3], env);
    } catch (e) {
      if (e instanceof FormatError) return negErrno(ERRNO.EINVAL);
      throw e;
    }
    env.runtime.trace(message);
    return message.length;
  },
};
