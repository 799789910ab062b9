import type { HelperImpl } from '../src/index.js';
import { randomBytes, stringPair, tcpPacket, u32Input, u64Array } from './inputs.js';
import * as ref from './reference.js';

/**
 * The benchmark programs: each names a checked-in `bench/programs/<name>.bin`, the input
 * it is timed on, a few small inputs for the tests, and the independent computation of
 * the result it must return. Only type imports from the library here: the cold-compile
 * child loads this file before it starts its clock on binaryen.
 */
export interface BenchProgram {
  readonly name: string;
  /** What the program does, for the table's legend. */
  readonly summary: string;
  /** The input the benchmark times (deterministic). */
  benchInput(): Uint8Array;
  /** Small inputs for test/bench-programs.test.ts (fast even in the interpreter). */
  testInputs(): Uint8Array[];
  /** The result the program must return for `input`, computed independently in TS. */
  expected(input: Uint8Array): bigint;
  /** The program's files in bench/programs (`<file>.c`, `.bin`, `.o`), if not `name`. */
  readonly file?: string;
  /** Helpers by id the program calls (the JIT side); the native side has C versions. */
  readonly helpers?: Readonly<Record<number, HelperImpl>>;
  /**
   * Helpers by id written in WebAssembly: the text of a module exporting `helper`
   * (registered with `defineWasm`, so JIT code calls it Wasm to Wasm).
   */
  readonly wasmHelpers?: Readonly<Record<number, string>>;
  /** A per-packet program: also time the copying `prog(mem)` path. */
  readonly perPacket?: boolean;
}

const benchAdd: HelperImpl = (a, b) => a + b;

/** bench_add in WebAssembly, with the helper ABI: r1, r2, then the call's pc. */
const BENCH_ADD_WAT = `(module
  (func $helper (export "helper") (param $a i64) (param $b i64) (param $pc i32) (result i64)
    (i64.add (local.get $a) (local.get $b))))`;

/** The program's files in bench/programs. */
export function programFile(program: BenchProgram): string {
  return program.file ?? program.name;
}

export const SUITE: readonly BenchProgram[] = [
  {
    name: 'port_filter',
    summary: 'Eth/IPv4/TCP parse, dst port 80/443 (one 64-byte packet)',
    benchInput: () => tcpPacket({ destinationPort: 443 }),
    testInputs: () => [
      tcpPacket({ destinationPort: 80 }),
      tcpPacket({ destinationPort: 443 }),
      tcpPacket({ destinationPort: 22 }),
      tcpPacket({ destinationPort: 443, ihl: 7 }),
      tcpPacket({ destinationPort: 443, length: 40 }), // truncated TCP header
      tcpPacket({ destinationPort: 80, etherType: 0x86dd }),
      tcpPacket({ destinationPort: 80, protocol: 17 }),
      tcpPacket({ destinationPort: 80, ipVersion: 6 }),
      tcpPacket({ destinationPort: 80, ihl: 4 }),
      tcpPacket({ destinationPort: 80, fragmentOffset: 3 }),
      new Uint8Array(10),
    ],
    expected: ref.portFilter,
    perPacket: true,
  },
  {
    name: 'checksum',
    summary: 'RFC 1071 Internet checksum of 1500 bytes',
    benchInput: () => randomBytes(1500, 0xc0ffee),
    testInputs: () => [randomBytes(1500, 1), randomBytes(61, 2), new Uint8Array(0), new Uint8Array(64)],
    expected: ref.internetChecksum,
  },
  {
    name: 'sieve',
    summary: 'sieve of Eratosthenes in 8 KiB of input memory, count primes',
    benchInput: () => randomBytes(8192, 0x5eed),
    testInputs: () => [randomBytes(100, 3), randomBytes(1000, 4), new Uint8Array(2)],
    expected: (input) => ref.countPrimesByTrialDivision(input.length),
  },
  {
    name: 'trial_primes',
    summary: 'count primes below 5000 by trial division (no memory)',
    benchInput: () => u32Input(5000),
    testInputs: () => [u32Input(100), u32Input(1000), u32Input(2), new Uint8Array(3)],
    expected: (input) => ref.countPrimesBySieve(ref.leadingU32(input)),
  },
  {
    name: 'log2_sum',
    summary: 'sum of floor(log2 x) over 2048 u64s, branchy binary search',
    benchInput: () => u64Array(2048, 0x1092),
    testInputs: () => [u64Array(64, 5), u64Array(1, 6), new Uint8Array(8)],
    expected: ref.log2Sum,
  },
  {
    name: 'big_switch',
    summary: '40-case switch over 4096 input bytes (compare tree in eBPF)',
    benchInput: () => randomBytes(4096, 0x5717c4),
    testInputs: () => [randomBytes(512, 7), Uint8Array.from({ length: 256 }, (_, i) => i)],
    expected: ref.bigSwitch,
  },
  {
    name: 'byte_copy',
    summary: 'copy 4 KiB byte by byte to the other half, hash the copy',
    benchInput: () => randomBytes(8192, 0xc09e),
    testInputs: () => [randomBytes(256, 8), randomBytes(33, 9)],
    expected: ref.byteCopyHash,
  },
  {
    name: 'string_compare',
    summary: 'strcmp of two 2000-char strings, 16 suffixes',
    benchInput: () => stringPair(4096, 2000, 1900, 0x57c),
    testInputs: () => [stringPair(256, 100, 90, 10), stringPair(256, 100, undefined, 11), stringPair(64, 20, 2, 12)],
    expected: ref.stringCompareHash,
  },
  {
    name: 'helper_loop',
    summary: 'call helper 1 (a + b) 10000 times',
    benchInput: () => u32Input(10000),
    testInputs: () => [u32Input(10), u32Input(0), new Uint8Array(2)],
    expected: (input) => ref.helperLoopSum(ref.leadingU32(input)),
    helpers: { 1: benchAdd },
  },
  {
    name: 'helper_loop_wasm',
    file: 'helper_loop',
    summary: 'helper_loop with helper 1 written in WebAssembly (defineWasm)',
    benchInput: () => u32Input(10000),
    testInputs: () => [u32Input(10), u32Input(0), new Uint8Array(2)],
    expected: (input) => ref.helperLoopSum(ref.leadingU32(input)),
    wasmHelpers: { 1: BENCH_ADD_WAT },
  },
];
