import { describe, expect, it } from 'vitest';
import { interpreterEngine, jitEngine, loadProgram, makeRuntime } from '../bench/engines.js';
import { tcpPacket } from '../bench/inputs.js';
import * as ref from '../bench/reference.js';
import { SUITE } from '../bench/suite.js';

/**
 * The checked-in benchmark programs (bench/programs/*.bin, built by build.sh with
 * clang) must compute what their independent TS references say, in both engines. Needs
 * no C compiler: it runs the checked-in instructions.
 */

const engines = [
  { name: 'jit', engine: jitEngine },
  { name: 'interpreter', engine: interpreterEngine },
];

describe('reference computations agree with known values', () => {
  it('counts primes both ways (pi(100) = 25, pi(10000) = 1229)', () => {
    expect(ref.countPrimesBySieve(100)).toBe(25n);
    expect(ref.countPrimesByTrialDivision(100)).toBe(25n);
    expect(ref.countPrimesBySieve(10000)).toBe(1229n);
    expect(ref.countPrimesByTrialDivision(10000)).toBe(1229n);
  });

  it('computes the RFC 1071 section 3 example (sum ddf2, checksum 220d)', () => {
    expect(ref.internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]))).toBe(0x220dn);
  });

  it('accepts TCP to ports 80 and 443 only', () => {
    expect(ref.portFilter(tcpPacket({ destinationPort: 80 }))).toBe(1n);
    expect(ref.portFilter(tcpPacket({ destinationPort: 443 }))).toBe(1n);
    expect(ref.portFilter(tcpPacket({ destinationPort: 8080 }))).toBe(0n);
    expect(ref.portFilter(tcpPacket({ destinationPort: 80, protocol: 17 }))).toBe(0n);
  });

  it('takes floor(log2) of powers of two and their neighbours', () => {
    const words = new BigUint64Array([1n, 2n, 3n, 1n << 63n, (1n << 40n) - 1n, 0n]);
    expect(ref.log2Sum(new Uint8Array(words.buffer))).toBe(0n + 1n + 1n + 63n + 39n + 0n);
  });
});

describe('benchmark programs', () => {
  for (const { name, engine } of engines) {
    describe(name, () => {
      for (const program of SUITE) {
        it(program.name, () => {
          const prog = engine(loadProgram(program), { runtime: makeRuntime(program) });
          for (const input of program.testInputs()) {
            const want = program.expected(input);
            expect(prog(input.slice()), `${program.name} on ${input.length} bytes`).toBe(want);
          }
        });
      }
    });
  }
});
