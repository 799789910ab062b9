// `ebpf-wasm/core`: the public API without the JIT, in the order data flows (README,
// "Architecture"). Nothing it imports loads Binaryen (test/layers.test.ts checks every
// chain of imports from here), so the interpreter, the assembler, maps and the ELF
// parser start in a fraction of the main entry's time. `loadProgram` and `load` here
// run the interpreter; the main entry (index.ts) is this plus the JIT.

// ABI facts and typed errors.
export * from './errors.js';
export * from './abi/layout.js';
export * from './abi/registers.js';
export * from './abi/limits.js';
export * from './abi/program-types.js';
export { ExitProgram } from './abi/signals.js';
export { HELPER_IDS } from './abi/kernel-ids.js';

// Instructions: the opcode table, decoder, encoder, assembler, disassembler.
export * from './decode/opcodes.js';
export * from './decode/insn.js';
export { decode, SLOT_BYTES } from './decode/decode.js';
export { encode, slotCount } from './decode/encode.js';
export { assemble, assembleBytes, ASM_ERROR_CODES, type AsmErrorCode } from './decode/asm.js';
export { disassemble, listing, type DisasmOptions } from './decode/disasm.js';

// Maps and helpers.
export * from './maps/index.js';
export * from './helpers/registry.js';
export type { HelperHost } from './helpers/host.js';
export { mapHelpers } from './helpers/map-helpers.js';
export { kernelHelpers, KERNEL_HELPERS } from './helpers/kernel.js';
export type { ProgramLookup } from './helpers/tail-call.js';
export { ubpfTestHelpers } from './helpers/ubpf-test.js';

// The runtime and the program type.
export { Runtime, type RuntimeOptions } from './runtime/runtime.js';
export * from './runtime/program.js';

// The load stage.
export type { LoadStageOptions, PreparedProgram } from './verify/load-stage.js';
export type { VerifyOptions, VerifyReport } from './verify/verify-program.js';
export { VERIFY_MODES, type VerifyMode } from './verify/validated-program.js';
export type { Verification } from './verify/verifier.js';
export type { ProgramShape, Subprogram } from './analysis/program-shape.js';
export type { LddwResolver, PseudoMaps } from './verify/pseudo-lddw.js';

// The interpreter, and loading by engine name (the interpreter's only).
export { interpreter, interpret, type InterpreterOptions } from './interp/interpreter.js';
export { DEFAULT_OPT_LEVEL, type OptLevel } from './jit/opt-level.js';
export { ENGINE_NAMES, isEngineName } from './engine-names.js';
export type { LoadOptions } from './load-options.js';
export { loadProgram, load } from './core-engine.js';
export { jitInBackground, type BackgroundJitOptions, type BackgroundJitProgram, type JitModule } from './tiered.js';

// ELF objects (elf/index.ts less load(), which imports both engines).
export { ELF_ERROR_CODES, type ElfErrorCode } from './elf/codes.js';
export { linkObject, loadObject, type LinkedObject, type LinkedProgram, type LoadedObject, type LoadedProgram, type MapFactory, type MapHandle, type ObjectLoadOptions, type ProgramLoader } from './elf/load-object.js';
export { parseObject, type NamedMapSpec, type ObjectProgram, type ParsedObject } from './elf/object.js';
export type { MapSpec, MapTypeName } from './maps/types.js';

// The low-level functions above with their arguments checked (a TypeError or RangeError
// naming the argument): these explicit exports take the place of the star exports'.
export {
  makeInsn, lddwValue, nextPc, branchTarget, funcPointerTarget, memoryAccess, overwrittenRegisters, writesMemory, formatInsn, findSpec,
  computeLayout, frameTop, codePointerPc, legacyLoadOffset, fromWasmTrap, negErrno, errnoName, mapTypeName,
  helperResult, tailCallHelper, formatTrace,
  prepareProgram, verifyProgram, analyzeStructure, lddwResolver, bindMapFds, programTypeOfSection,
} from './api/checked-core.js';
