/**
 * Our verifier against the kernel's: loads every program of the verifier corpus
 * (test/fixtures/verifier/recording.json, recorded as root on Linux) through the load
 * stage in strict mode, as a user would with its type and maps, and compares the verdict
 * and, for rejections, the pc. `test/verifier-kernel.test.ts` asserts the table;
 * `node dist/scripts/verifier-agreement.js` prints every disagreement.
 *
 *   node dist/scripts/verifier-agreement.js [--all]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProgramType } from '../src/abi/program-types.js';
import { isEbpfError } from '../src/errors.js';
import type { BpfMap } from '../src/maps/bpf-map.js';
import type { MapTypeName } from '../src/maps/types.js';
import { Runtime } from '../src/runtime/runtime.js';
import { prepareProgram } from '../src/verify/load-stage.js';

export interface RecordedMap { type: string; key: number; value: number; max: number }
export interface KernelVerdict { verdict: 'accept' | 'reject'; errno: number; pc: number | null; message: string; processed: number | null }
export interface RecordedProgram {
  file: string; type: string; maps: RecordedMap[]; btf?: string; insns: string; kernel: KernelVerdict;
  runs: { packet: string; input: string; retval?: number; dataOut?: string; errno?: number }[];
}
export interface Recording { kernel: string; programs: RecordedProgram[] }

export interface OurVerdict { verdict: 'accept' | 'reject'; pc: number | null; code: string; message: string; processed: number | null }
export interface Comparison { program: RecordedProgram; ours: OurVerdict; agrees: boolean; samePc: boolean }

/** The recording, from this file in scripts/ or compiled into dist/scripts/. */
export const RECORDING_URL = new URL(`${import.meta.url.includes('/dist/') ? '../..' : '..'}/test/fixtures/verifier/recording.json`, import.meta.url);

export function readRecording(url: URL): Recording {
  return JSON.parse(readFileSync(url, 'utf8')) as Recording;
}

/** lddw src_reg values whose imm is a map fd (map_fd, map_value): the corpus writes map i as i. */
const FD_PSEUDOS = new Set([1, 2]);
const LDDW = 0x18;

/**
 * The program's bytes with each `lddw map_fd(i)` / `map_value(i, off)` pointing at the
 * runtime's i-th map, as the recorder patched them with the kernel's fds.
 */
export function patchMapFds(bytes: Uint8Array, maps: readonly BpfMap[]): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let at = 0; at + 16 <= out.length; at += 8) {
    if (out[at] !== LDDW || !FD_PSEUDOS.has(out[at + 1] >> 4)) continue;
    const index = view.getInt32(at + 4, true);
    if (maps[index]) view.setInt32(at + 4, maps[index].fd, true);
    at += 8;
  }
  return out;
}

/** A recorded program as the kernel was given it: a runtime with its maps, and its bytes pointing at them. */
export function recordedSetup(program: RecordedProgram): { runtime: Runtime; maps: BpfMap[]; bytes: Uint8Array } {
  const runtime = new Runtime();
  const maps = program.maps.map((m) => runtime.createMap({ type: m.type as MapTypeName, keySize: m.key, valueSize: m.value, maxEntries: m.max }));
  return { runtime, maps, bytes: patchMapFds(Uint8Array.from(Buffer.from(program.insns, 'hex')), maps) };
}

/** Load one recorded program as the kernel did: its type, its maps, strict verification. */
export function ourVerdict(program: RecordedProgram): OurVerdict {
  const { runtime, maps, bytes } = recordedSetup(program);
  try {
    const prepared = prepareProgram(bytes, { runtime, maps, programType: program.type as ProgramType, verify: 'strict' });
    return { verdict: 'accept', pc: null, code: '', message: '', processed: prepared.verification.processed };
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    return { verdict: 'reject', pc: e.pc ?? null, code: e.code, message: e.message, processed: null };
  }
}

export function compareAll(recording: Recording): Comparison[] {
  return recording.programs.map((program) => {
    const ours = ourVerdict(program);
    const agrees = ours.verdict === program.kernel.verdict;
    const samePc = !agrees || ours.verdict === 'accept' || program.kernel.pc === null || ours.pc === program.kernel.pc;
    return { program, ours, agrees, samePc };
  });
}

function main(): void {
  const all = process.argv.includes('--all');
  const rows = compareAll(readRecording(RECORDING_URL));
  let verdicts = 0;
  let pcs = 0;
  for (const { program, ours, agrees, samePc } of rows) {
    if (agrees) verdicts++;
    if (agrees && samePc) pcs++;
    if (all || !agrees || !samePc) {
      const k = program.kernel;
      console.log(`${agrees ? (samePc ? 'same   ' : 'pc     ') : 'VERDICT'} ${program.file}`);
      console.log(`    kernel: ${k.verdict}${k.pc === null ? '' : ` pc ${k.pc}`} ${k.message}`);
      console.log(`    ours:   ${ours.verdict}${ours.pc === null ? '' : ` pc ${ours.pc}`} ${ours.code} ${ours.message}`);
    }
  }
  console.log(`${verdicts}/${rows.length} verdicts agree, ${pcs} with the same pc`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
