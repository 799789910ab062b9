import { XDP_ACTION, XDP_MD } from '../../abi/program-types.js';
import { HELPER_IDS } from '../../abi/kernel-ids.js';
import { assemble } from '../../decode/asm.js';
import { decode } from '../../decode/decode.js';
import { encode } from '../../decode/encode.js';
import type { Insn } from '../../decode/insn.js';
import { VerifierError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { prepareProgram } from '../../verify/load-stage.js';

/**
 * An XDP program as a batch program: one `raw` program that walks the batch table in the
 * input area (layout.ts, the same as the classic filters' batches) and, for each packet,
 * lays a struct xdp_md on its own stack whose data and data_end are the packet where it
 * lies, calls the XDP program on it as a bpf-to-bpf subprogram and records whether it
 * returned XDP_PASS (verdict 1, else 0). r0 at exit is the number of packets passed.
 *
 *   loop:  r2 = count; if index >= count goto done
 *          data = batch + (u32)(offset + bias); ctx = { data, data + length, data, 1, 0, 0 }
 *          r0 = xdp(ctx); verdict[index] = r0 == XDP_PASS; passed += verdict
 *
 * The program is first loaded as what it is, an `xdp` program under the kernel's rules
 * (strict verification: every packet access proven below data_end), so in the batch it
 * never reads past its packet. What a batch cannot give it is refused: helpers that take
 * the context (tail calls, bpf_xdp_* on the frame) or move the packet (adjust_head/meta/tail).
 */

const WRAPPER = `
  mov %r6, %r1              # the batch
  mov %r7, 0                # packets passed
  mov %r8, 0                # index
loop:
  ldxw %r2, [%r6+0]         # count
  jge %r8, %r2, done
  mov %r3, %r8
  lsh %r3, 3
  add %r3, %r6
  ldxw %r4, [%r3+8]         # offset
  ldxw %r5, [%r3+12]        # length
  ldxw %r2, [%r6+4]         # bias
  add32 %r4, %r2            # (u32)(offset + bias)
  mov %r9, %r6
  add %r9, %r4              # data
  stxw [%r10-${24 - XDP_MD.data}], %r9
  stxw [%r10-${24 - XDP_MD.data_meta}], %r9
  add %r9, %r5
  stxw [%r10-${24 - XDP_MD.data_end}], %r9
  stw [%r10-${24 - XDP_MD.ingress_ifindex}], 1
  stw [%r10-${24 - XDP_MD.rx_queue_index}], 0
  stw [%r10-${24 - XDP_MD.egress_ifindex}], 0
  mov %r1, %r10
  add %r1, -24
  call local +PROGRAM
  mov %r2, 0
  jne %r0, ${XDP_ACTION.PASS}, +1
  mov %r2, 1
  add %r7, %r2
  ldxw %r3, [%r6+0]
  lsh %r3, 3
  add %r3, %r6
  mov %r4, %r8
  lsh %r4, 2
  add %r3, %r4
  stxw [%r3+8], %r2         # verdict[index], after the count's descriptors
  add %r8, 1
  ja loop
done:
  mov %r0, %r7
  exit
`;

/** Helpers that need the real frame: they take the context, or move the packet's bounds. */
const FRAME_HELPERS = new Set<number>([HELPER_IDS.xdp_adjust_head, HELPER_IDS.xdp_adjust_meta, HELPER_IDS.xdp_adjust_tail]);

/** The batch program of an XDP program (checked as `xdp` first: a VerifierError if the kernel would refuse it, or if a batch cannot run it). */
export function xdpBatchProgram(program: Uint8Array | readonly Insn[], runtime: Runtime): Insn[] {
  const prepared = prepareProgram(program, { runtime, programType: 'xdp' });
  for (const insn of prepared.insns) {
    const sem = insn.spec.sem;
    if (sem.kind !== 'call' || sem.target !== 'helper') continue;
    const def = prepared.helpers.get(insn.imm);
    if (FRAME_HELPERS.has(insn.imm) || def?.proto.args.includes('ptr_to_ctx')) {
      throw new VerifierError('UNSUPPORTED', `helper ${def?.name ?? insn.imm} needs the program's own frame, which a batch does not give it`, insn.pc);
    }
  }
  // The wrapper's call goes to the first instruction after it: its length in slots, less the call's own pc + 1.
  const wrapperSlots = encode(assemble(WRAPPER.replace('+PROGRAM', '+0'))).length / 8;
  const callPc = assemble(WRAPPER.replace('+PROGRAM', '+0')).find((i) => i.spec.sem.kind === 'call')!.pc;
  const wrapper = encode(assemble(WRAPPER.replace('+PROGRAM', `+${wrapperSlots - callPc - 1}`)));
  const user = encode(prepared.insns);
  const whole = new Uint8Array(wrapper.length + user.length);
  whole.set(wrapper);
  whole.set(user, wrapper.length);
  return decode(whole);
}
