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
 * call over bytes), with the eBPF translation as its `insns`, for listings, made when
 * first read (`insns()`: it was a fifth of a filter's compile time). `runBatch`
 * runs the batch already in the input area without the Program's run machinery (BigInt
 * r0, tail-call chain, run context), none of which a module without helpers or tail
 * calls needs: PacketFilter.match calls it once per packet.
 */
export function batchWasmProgram(wasm: Uint8Array, insns: () => readonly Insn[], runtime: Runtime): { program: Program; runBatch: (length: number) => number; module: WebAssembly.Module } {
  const module = batchModule(wasm);
  const run = new WebAssembly.Instance(module, { env: { memory: runtime.memory } }).exports.run as RunExport;
  const input = runtime.layout.inputBase;
  const runBatch = (length: number): number => {
    try {
      return run(input, length) >>> 0;
    } catch (e) {
      // The module's only trap: a batch table that does not lie inside the input.
      if (e instanceof WebAssembly.RuntimeError) throw new RuntimeTrap('BATCH_TABLE', 'the batch table or a packet it describes lies outside the input');
      throw e;
    }
  };
  // A raw program's r1 is always the input area's address (contexts/raw.ts), where the batch is.
  const enter = (): bigint => BigInt(runBatch(runtime.inputLength));
  const runs = programRuns({ runtime, type: 'raw', enter, writesMemory: true });
  const runnable = Object.assign(runs.call, {
    engine: 'jit' as const, type: 'raw' as const, runtime,
    run: runs.run, input: runs.input, runInput: runs.runInput, [ENTER]: enter,
  });
  let listing: readonly Insn[] | undefined;
  Object.defineProperty(runnable, 'insns', { get: () => (listing ??= insns()), enumerable: true });
  const program: Program = runnable as typeof runnable & Pick<Program, 'insns'>;
  return { program, runBatch, module };
}

/** A batch module's bytes compiled by V8 (it imports only `env.memory`: instantiate it over any memory). */
export function batchModule(wasm: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new CompileError('INTERNAL', `generated batch Wasm was rejected by V8: ${(e as Error).message}`);
  }
}
