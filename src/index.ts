// The public API, in the order data flows (README, "Architecture").

// ABI facts and typed errors.
export * from './errors.js';
export * from './abi/layout.js';
export * from './abi/registers.js';
export * from './abi/limits.js';
export * from './abi/program-types.js';
export { ExitProgram } from './abi/signals.js';
export { HELPER_IDS, negErrno } from './abi/kernel-ids.js';

// Instructions: the opcode table, decoder, encoder, assembler, disassembler.
export * from './decode/opcodes.js';
export * from './decode/insn.js';
export { decode, SLOT_BYTES } from './decode/decode.js';
export { encode, slotCount } from './decode/encode.js';
export { assemble, assembleBytes, ASM_ERROR_CODES, type AsmErrorCode } from './decode/asm.js';
export { disassemble, formatInsn, listing, type DisasmOptions } from './decode/disasm.js';

// Maps and helpers.
export * from './maps/index.js';
export * from './helpers/registry.js';
export type { HelperHost } from './helpers/host.js';
export { mapHelpers } from './helpers/map-helpers.js';
export { kernelHelpers, KERNEL_HELPERS } from './helpers/kernel.js';
export { tailCallHelper, type ProgramLookup } from './helpers/tail-call.js';
export { formatTrace } from './helpers/trace-printk.js';
export { ubpfTestHelpers } from './helpers/ubpf-test.js';

// The runtime and the program type.
export { Runtime, type RuntimeOptions } from './runtime/runtime.js';
export * from './runtime/program.js';

// The load stage.
export { prepareProgram, type LoadStageOptions, type PreparedProgram } from './verify/load-stage.js';
export { verifyProgram, type VerifyOptions, type VerifyReport } from './verify/verify-program.js';
export { VERIFY_MODES, type VerifyMode } from './verify/validated-program.js';
export type { Verification } from './verify/verifier.js';
export { analyzeStructure } from './verify/structure.js';
export type { ProgramShape, Subprogram } from './analysis/program-shape.js';
export { lddwResolver, type LddwResolver, type PseudoMaps } from './verify/pseudo-lddw.js';

// The engines, and loading by engine name.
export { interpreter, interpret, type InterpreterOptions } from './interp/interpreter.js';
export { jit, type JitOptions, type JitProgram } from './jit/jit.js';
export { compileModule, DEFAULT_OPT_LEVEL, type OptLevel } from './jit/module.js';
export { loadProgram, ENGINE_NAMES, isEngineName, type LoadOptions } from './engine.js';

// ELF objects.
export * from './elf/index.js';

// Packet filtering: classic BPF.
export * from './packet/cbpf/index.js';
// Packet filtering: capture files.
export * from './packet/capture/index.js';
// Packet filtering: batches.
export * from './packet/batch/index.js';
// Packet filtering: the pcap filter language.
export * from './packet/filter-lang/index.js';
export { summarizePacket, formatTime } from './packet/summary.js';
