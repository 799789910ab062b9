// The public API: everything of `ebpf-wasm/core` (core.ts) and the JIT. Importing this
// entry loads Binaryen (top-level await), so `jit(bytes)` can compile synchronously; a
// program that only interprets, assembles or parses imports 'ebpf-wasm/core' instead.

export * from './core.js';

// The JIT. loadProgram and load here take either engine (JIT by default); these
// explicit exports take the place of core's interpreter-only ones.
export { jit, type JitOptions, type JitProgram } from './jit/jit.js';
export { loadProgram } from './engine.js';
export { load } from './elf/load.js';

// Packet filtering (they load programs with either engine): classic BPF, capture files, batches.
export * from './packet/cbpf/index.js';
export * from './packet/capture/index.js';
export * from './packet/batch/index.js';
// Packet filtering: the pcap filter language.
export * from './packet/filter-lang/index.js';

// PacketFilter's eBPF route takes the JIT from here (packet/batch/ebpf-route.ts: the
// route compiled straight to Wasm needs no Binaryen, and the filter command skips it).
import { loadProgram as loadWithEngine } from './engine.js';
import { provideJitLoader } from './packet/batch/ebpf-route.js';

provideJitLoader(loadWithEngine);

// The low-level functions of the JIT and packet filtering with their arguments checked
// (api/checked-main.ts): these explicit exports take the place of the star exports'.
export {
  compileModule, cbpfInsn, formatCbpfInsn, validateCbpf, translateCbpf, translateCbpfBatch,
  parseCapture, readCapture, encodeCapture, formatTime, summarizePacket,
} from './api/checked-main.js';
