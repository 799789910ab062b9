export * from './errors.js';
export * from './decode/opcodes.js';
export * from './decode/insn.js';
export { decode, SLOT_BYTES } from './decode/decode.js';
export { encode, slotCount } from './decode/encode.js';
export * from './runtime/layout.js';
export { Runtime, type RuntimeOptions } from './runtime/runtime.js';
export * from './helpers/registry.js';
export { analyzeStructure, type ProgramShape, type Subprogram } from './verify/structure.js';
