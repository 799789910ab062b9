// node examples/hello.mjs [--engine interp]
//
// Load hello.bpf.o, run its program three times with a number in the context, and
// read the count of runs the program kept in its global variable.
import { u32, u64 } from 'ebpf-wasm';
import { loadExample } from './common.mjs';

const object = loadExample('hello');
const hello = object.program('hello');        // by function name (or by SEC() name)

// The context: a tracepoint record, its 8-byte common header and then one __u32.
for (const number of [7, 42, 1337]) hello(Uint8Array.of(...new Uint8Array(8), ...u32(number)));

// Global variables live in one-entry array maps named after their section.
const runs = object.maps.get('.bss').view(u32, u64).get(0);
console.log(`runs, as the program counted them: ${runs}`);
