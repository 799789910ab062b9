import { ENTER } from '../../abi/signals.js';
import type { Insn } from '../../decode/insn.js';
import { CompileError, RuntimeTrap } from '../../errors.js';
import type { Program } from '../../runtime/program.js';
import { programRuns } from '../../runtime/runner.js';
import type { Runtime } from '../../runtime/runtime.js';

type RunExport = (input: number, length: number) => number;

/**
 * A batch module of cbpf/wasm/batch-module.ts as a `raw` Program of the runtime: it
 * imports the runtime's memory and runs like any raw program (input(), runInput(), a
 * call over bytes), with the eBPF translation as its `insns`, for listings.
 */
export function batchWasmProgram(wasm: Uint8Array, insns: readonly Insn[], runtime: Runtime): Program {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new CompileError('INTERNAL', `generated batch Wasm was rejected by V8: ${(e as Error).message}`);
  }
  const run = new WebAssembly.Instance(module, { env: { memory: runtime.memory } }).exports.run as RunExport;
  const enter = (r1: bigint): bigint => {
    try {
      return BigInt(run(Number(r1), runtime.inputLength) >>> 0);
    } catch (e) {
      // The module's only trap: a batch table that does not lie inside the input.
      if (e instanceof WebAssembly.RuntimeError) throw new RuntimeTrap('BATCH_TABLE', 'the batch table or a packet it describes lies outside the input');
      throw e;
    }
  };
  const runs = programRuns({ runtime, type: 'raw', enter, writesMemory: true });
  return Object.assign(runs.call, {
    engine: 'jit' as const, type: 'raw' as const, insns, runtime,
    run: runs.run, input: runs.input, runInput: runs.runInput, [ENTER]: enter,
  });
}
