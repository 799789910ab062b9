import { describe, expect, it } from 'vitest';
import { interpreter, jit, type ProgramType } from '../src/index.js';
import { compareAll, readRecording, RECORDING_URL, recordedSetup, type RecordedProgram } from '../scripts/verifier-agreement.js';

/**
 * The kernel as the verifier's oracle: every program of test/fixtures/verifier (472,
 * recorded as root on Linux with their verdicts, pcs and messages; see its README) loads
 * through our load stage in strict mode with the same verdict, and a rejection names the
 * same pc, but for the differences listed below with their reasons. Accepted packet
 * programs then run on the recorded packets in both engines and give the kernel's
 * BPF_PROG_TEST_RUN results. `node dist/scripts/verifier-agreement.js` prints the table.
 */

const recording = readRecording(RECORDING_URL);
const rows = compareAll(recording);

/** Programs whose verdict differs from the kernel's, and why. Each is checked to still differ. */
const VERDICT_DIFFERENCES: Record<string, string> = {
  'cfg/bpf_loop_no_btf.s': 'the kernel needs BTF func_info for a callback; a program we load carries no BTF, so we do not ask for it',
  'cfg/tail_call_subprog_no_btf.s': 'the same: tail calls from subprograms need BTF in the kernel only to know the subprogram\'s signature',
  'map/map_ptr_load.s': 'the kernel lets root read struct bpf_map\'s fields through BTF (map->max_entries); our map pointer is the '
    + 'address of our own descriptor, which no program may read',
};

/**
 * Rejections at another pc than the kernel's. A program too complex fails where the
 * millionth instruction is walked, which depends on the order paths are explored in (the
 * kernel's and ours differ after a branch is taken both ways); the message is the same.
 */
const PC_DIFFERENCES: Record<string, string> = {
  'cfg/c_loop_unbounded.c': 'too complex: the millionth instruction is reached elsewhere',
  'cfg/loop_counter_lost.s': 'too complex: the millionth instruction is reached elsewhere',
  'prune/powers_precise_26.s': 'too complex: the millionth instruction is reached elsewhere',
  'prune/subprog_diamonds_20.s': 'too complex: the millionth instruction is reached elsewhere',
};

describe(`our verifier against ${recording.kernel}'s`, () => {
  it('gives the kernel\'s verdict on every program but the documented differences', () => {
    const disagree = rows.filter((r) => !r.agrees).map((r) => r.program.file).sort();
    expect(disagree).toEqual(Object.keys(VERDICT_DIFFERENCES).sort());
    expect(rows.length).toBe(472);
  });

  it('rejects at the kernel\'s pc but where too complex programs stop at another', () => {
    const elsewhere = rows.filter((r) => r.agrees && !r.samePc).map((r) => r.program.file).sort();
    expect(elsewhere).toEqual(Object.keys(PC_DIFFERENCES).sort());
    for (const file of elsewhere) expect(rows.find((r) => r.program.file === file)!.ours.code).toBe('TOO_COMPLEX');
  });

  it('says what the kernel says where the kernel\'s words fit our checks', () => {
    // Every rejection has a stable code; most messages contain the kernel's own text.
    const rejected = rows.filter((r) => r.agrees && r.ours.verdict === 'reject');
    for (const r of rejected) expect(r.ours.code, r.program.file).toMatch(/^[A-Z_0-9]+$/);
    const same = rejected.filter((r) => r.ours.message.includes(r.program.kernel.message.split('\n')[0]));
    expect(same.length / rejected.length).toBeGreaterThan(0.6);
  });

  it('walks about as many instructions as the kernel to accept a program', () => {
    const accepted = rows.filter((r) => r.agrees && r.ours.verdict === 'accept');
    const same = accepted.filter((r) => r.ours.processed === r.program.kernel.processed);
    // 176 of 203 the same; the rest prune a little less (precision.ts is a static superset).
    expect(same.length / accepted.length).toBeGreaterThan(0.85);
    for (const r of accepted) expect(r.ours.processed!, r.program.file).toBeLessThan(12 * r.program.kernel.processed!);
  });
});

const PACKET_TYPES = new Set(['xdp', 'sched_cls', 'socket_filter']);
const runnable = recording.programs.filter((p) => PACKET_TYPES.has(p.type) && p.kernel.verdict === 'accept' && p.runs.length > 0
  && !(p.file in VERDICT_DIFFERENCES));

function load(program: RecordedProgram, engine: 'jit' | 'interp') {
  const { runtime, maps, bytes } = recordedSetup(program);
  const options = { runtime, maps, programType: program.type as ProgramType };
  return engine === 'jit' ? jit(bytes, options) : interpreter(bytes, options);
}

/** Programs whose runs differ from the kernel's on purpose, and why. Each is checked to still differ. */
const RUN_DIFFERENCES: Record<string, string> = {
  'alu/ptr_copy_compare.s': 'compares the frame pointer with the context pointer: their order depends on where each lives '
    + '(kernel stack and skb there, linear memory here)',
  'ctx/tc_write_more.s': 'the kernel keeps skb->tc_classid in 16 bits (0x10002 reads back as 2); our context is plain memory',
};

describe('accepted packet programs run as the kernel ran them', () => {
  for (const engine of ['jit', 'interp'] as const) {
    it(`${runnable.length} programs, ${engine}`, () => {
      expect(runnable.length).toBeGreaterThan(150);
      const differ = new Set<string>();
      for (const program of runnable) {
        const loaded = load(program, engine);
        for (const run of program.runs) {
          if (run.errno !== undefined) continue;
          const { r0, dataOut } = loaded.run(Uint8Array.from(Buffer.from(run.input, 'hex')));
          const ours = { retval: Number(r0 & 0xffff_ffffn), dataOut: Buffer.from(dataOut!).toString('hex') };
          if (ours.retval !== run.retval || ours.dataOut !== run.dataOut) differ.add(`${program.file}`);
        }
      }
      expect([...differ].sort()).toEqual(Object.keys(RUN_DIFFERENCES).sort());
    });
  }
});
