import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nativeBuildDir, nativeDir } from './paths.js';

/**
 * libpcap's side of `npm run bench:filter`: bench/native/pcap_filter.c built with a C
 * compiler against libpcap-dev at bench time, and run once over all the expressions (one
 * process, so its start-up and the capture's reading are paid once).
 */

export interface LibpcapDriver {
  readonly exe: string;
  /** The compiler's and libpcap's versions, for the header. */
  readonly version: string;
}

/** libpcap's figures for one expression: undefined if pcap_compile refused it. */
export interface LibpcapTiming {
  readonly matches: number;
  readonly nsPerPacket: number;
}

const COMPILERS = ['gcc', 'cc', 'clang'];

/** Build the driver; the reason it could not be built (no compiler, no libpcap-dev) otherwise. */
export function buildLibpcapDriver(): LibpcapDriver | string {
  mkdirSync(nativeBuildDir, { recursive: true });
  const exe = join(nativeBuildDir, 'pcap_filter');
  const failures: string[] = [];
  for (const cc of COMPILERS) {
    const build = spawnSync(cc, ['-O2', '-o', exe, join(nativeDir, 'pcap_filter.c'), '-lpcap'], { encoding: 'utf8' });
    if (build.error) continue; // not installed
    if (build.status !== 0) {
      failures.push(`${cc}: ${build.stderr.split('\n').find((l) => l.includes('error')) ?? build.stderr.trim()}`);
      continue;
    }
    const ccVersion = spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
    const pcapVersion = spawnSync('pkg-config', ['--modversion', 'libpcap'], { encoding: 'utf8' }).stdout?.trim();
    return { exe, version: `${ccVersion} -O2, libpcap ${pcapVersion || '(version unknown)'}` };
  }
  return failures.length > 0 ? `build failed (libpcap-dev missing?): ${failures.join('; ')}` : `no C compiler (tried ${COMPILERS.join(', ')})`;
}

/** Times pcap_offline_filter for each expression over the capture in `captureFile`, `samples` passes each. */
export function runLibpcap(driver: LibpcapDriver, captureFile: string, expressions: readonly string[], samples: number): (LibpcapTiming | undefined)[] {
  const run = spawnSync(driver.exe, [captureFile, String(samples)], { input: expressions.map((e) => `${e}\n`).join(''), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${driver.exe} failed (status ${run.status}): ${run.stderr}`);
  const lines = run.stdout.trimEnd().split('\n');
  if (lines.length !== expressions.length) throw new Error(`${driver.exe} printed ${lines.length} lines for ${expressions.length} expressions:\n${run.stdout}`);
  return lines.map((line) => {
    const [status, matches, ns] = line.split(' ');
    return status === 'ok' ? { matches: Number(matches), nsPerPacket: Number(ns) } : undefined;
  });
}
