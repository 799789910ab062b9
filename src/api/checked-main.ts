/**
 * The main entry's low-level functions (the JIT's compileModule, classic BPF, captures)
 * with their arguments checked, as api/checked-core.ts does for `ebpf-wasm/core`'s. The
 * front ends and the command line keep calling the unchecked ones.
 */
import { checkBigInt, checkCount, checkInstance, checkItems, checkObject, checkOptions, checkWhole, describeValue } from '../arguments.js';
import { checkInsns } from '../decode/encode.js';
import { compileModule as compileModuleUnchecked, type CompiledModule, type CompileInput } from '../jit/module.js';
import { checkOptLevel } from '../jit/opt-level.js';
import { translateCbpfBatch as translateCbpfBatchUnchecked } from '../packet/cbpf/batch-translate.js';
import { cbpfInsn as cbpfInsnUnchecked, checkCbpfInsn, checkCbpfInsns, type CbpfInsn } from '../packet/cbpf/insn.js';
import { formatCbpfInsn as formatCbpfInsnUnchecked } from '../packet/cbpf/listing.js';
import { CBPF_SPECS, type CbpfSpec } from '../packet/cbpf/opcodes.js';
import { translateCbpf as translateCbpfUnchecked, type CbpfTranslation } from '../packet/cbpf/translate.js';
import { validateCbpf as validateCbpfUnchecked } from '../packet/cbpf/validate.js';
import { parseCapture as parseCaptureUnchecked, readCapture as readCaptureUnchecked, type CaptureReadOptions, type CaptureSource } from '../packet/capture/read.js';
import type { CapturePacket, PacketToWrite } from '../packet/capture/types.js';
import { encodeCapture as encodeCaptureUnchecked, type CaptureWriteOptions } from '../packet/capture/write.js';
import { formatTime as formatTimeUnchecked, summarizePacket as summarizePacketUnchecked } from '../packet/summary.js';
import type { Insn } from '../decode/insn.js';
import { Runtime } from '../runtime/runtime.js';

const PREPARED = 'a program from prepareProgram()';

/** The Wasm module of a prepared program (what jit() instantiates). */
export function compileModule(input: CompileInput): CompiledModule {
  const i = checkObject('compileModule(input)', input, '{ program, optLevel?, passes?, ignoreProofs? }') as Partial<CompileInput>;
  const p = i.program as Partial<CompileInput['program']> | undefined;
  if (typeof p !== 'object' || p === null || !(p.runtime instanceof Runtime) || typeof p.verification !== 'object' || !Array.isArray(p.insns)) {
    throw new TypeError(`compileModule(input) field program must be ${PREPARED}, got ${describeValue(p)}`);
  }
  checkInsns('compileModule(input) field program.insns', p.insns as readonly Insn[]);
  checkOptLevel(i.optLevel);
  if (i.passes !== undefined) checkItems('compileModule(input) field passes', i.passes, { items: 'Binaryen pass names', item: 'a string' }, (s) => typeof s === 'string');
  if (i.ignoreProofs !== undefined && typeof i.ignoreProofs !== 'boolean') {
    throw new TypeError(`compileModule(input) field ignoreProofs must be a boolean, got ${describeValue(i.ignoreProofs)}`);
  }
  return compileModuleUnchecked(input);
}

// ---- classic BPF --------------------------------------------------------------------------

/** One classic instruction; each field is masked to its width (code 16 bits, jt/jf 8, k 32), as the kernel's struct would. */
export function cbpfInsn(code: number, jt = 0, jf = 0, k = 0): CbpfInsn {
  return cbpfInsnUnchecked(checkWhole('cbpfInsn(code)', code), checkWhole('cbpfInsn(code, jt)', jt), checkWhole('cbpfInsn(code, jt, jf)', jf), checkWhole('cbpfInsn(code, jt, jf, k)', k));
}

/** One classic instruction as tcpdump -d prints it, at `pc`. */
export const formatCbpfInsn = (insn: CbpfInsn, pc: number): string => formatCbpfInsnUnchecked(checkCbpfInsn('formatCbpfInsn(insn)', insn), checkCount('formatCbpfInsn(insn, pc)', pc));

/** Checks a classic program as Linux does; returns each instruction's table row. */
export const validateCbpf = (insns: readonly CbpfInsn[]): CbpfSpec[] => validateCbpfUnchecked(checkCbpfInsns('validateCbpf(insns)', insns));

/** `specs` must be what validateCbpf(insns) returned: one table row per instruction, its own. */
function checkSpecs(what: string, insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): void {
  checkCbpfInsns(`${what}(insns)`, insns);
  checkItems(`${what}(insns, specs)`, specs, { items: 'table rows (from validateCbpf(insns))', item: 'a row of CBPF_SPECS' }, (s) => typeof s === 'object' && s !== null);
  if (specs.length !== insns.length || specs.some((s, pc) => s !== CBPF_SPECS.get(insns[pc].code))) {
    throw new RangeError(`${what}(insns, specs): specs must be validateCbpf(insns)'s, one row per instruction (${insns.length}), got ${specs.length} rows${specs.length === insns.length ? ' of other codes' : ''}`);
  }
}

/** A validated classic program as eBPF for a socket filter (one packet per run). */
export function translateCbpf(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): CbpfTranslation {
  checkSpecs('translateCbpf', insns, specs);
  return translateCbpfUnchecked(insns, specs);
}

/** A validated classic program as eBPF that filters a whole batch per run (PacketFilter's interpreter route). */
export function translateCbpfBatch(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): Insn[] {
  checkSpecs('translateCbpfBatch', insns, specs);
  return translateCbpfBatchUnchecked(insns, specs);
}

// ---- captures ------------------------------------------------------------------------------

function checkReadOptions(what: string, options: CaptureReadOptions | undefined): CaptureReadOptions {
  const o = checkOptions(what, options);
  if (o.maxRecordBytes !== undefined) checkCount(`${what} option maxRecordBytes`, o.maxRecordBytes);
  if (o.chunkSize !== undefined && checkCount(`${what} option chunkSize`, o.chunkSize) === 0) throw new RangeError(`${what} option chunkSize must be at least 1, got 0`);
  return o;
}

/** The packets of a capture held in memory, in order (its arguments checked at the call, not at the first next()). */
export function parseCapture(bytes: Uint8Array, options?: CaptureReadOptions): Generator<CapturePacket> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseCapture(bytes) must be a Uint8Array, got ${describeValue(bytes)}`);
  return parseCaptureUnchecked(bytes, checkReadOptions('parseCapture()', options));
}

/** The packets of a capture stream (a path, bytes, or chunks), in order, reading chunks only as they are needed. */
export function readCapture(source: CaptureSource, options?: CaptureReadOptions): AsyncGenerator<CapturePacket> {
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  if (typeof source !== 'string' && !(source instanceof Uint8Array)
    && (typeof s !== 'object' || s === null || (typeof s[Symbol.asyncIterator] !== 'function' && typeof s[Symbol.iterator] !== 'function'))) {
    throw new TypeError(`readCapture(source) must be a path, a Uint8Array or an (async) iterable of Uint8Array chunks, got ${describeValue(source)}`);
  }
  return readCaptureUnchecked(source, checkReadOptions('readCapture()', options));
}

/** A whole capture's bytes. */
export function encodeCapture(packets: Iterable<PacketToWrite>, options?: CaptureWriteOptions): Uint8Array {
  if (typeof packets === 'string') throw new TypeError(`encodeCapture(packets) must be an iterable of packets, got ${describeValue(packets)}`);
  return encodeCaptureUnchecked(packets, checkOptions('encodeCapture()', options));
}

/** A packet's time of day (UTC) as tcpdump prints it, from nanoseconds since 1970. */
export const formatTime = (ns: bigint): string => formatTimeUnchecked(checkBigInt('formatTime(ns)', ns));

/** One line per packet, roughly as `tcpdump -q -nn` prints it. */
export function summarizePacket(packet: CapturePacket): string {
  const p = checkObject('summarizePacket(packet)', packet, 'a packet { data, originalLength, timestampNs }') as Partial<CapturePacket>;
  if (!(p.data instanceof Uint8Array) || typeof p.originalLength !== 'number' || typeof p.timestampNs !== 'bigint') {
    throw new TypeError(`summarizePacket(packet) must be a packet { data (a Uint8Array), originalLength (a number), timestampNs (a bigint) }, got ${describeValue(packet)}`);
  }
  return summarizePacketUnchecked(packet);
}
