/**
 * The conformance runner:
 *
 *   npm run conformance -- [dir|file.data] [--engine jit|interp|both] [--filter substr]
 *
 * Runs every `.data` file (default directory: the shared bpf_conformance suite) and prints
 * `PASS name`, `FAIL name: reason` or `SKIP name: reason` per file, then
 * `N passed, N failed, N skipped`. Exits 1 if anything failed, 2 on bad usage.
 */

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { conformanceTestsDir } from './data-file.js';
import { collectTests, resultLine, runSuite, summaryLine } from './run-suite.js';
import type { EngineChoice } from './run-case.js';

const USAGE = `usage: npm run conformance -- [dir|file.data] [--engine jit|interp|both] [--filter substr]

  dir             directory of .data files (default: $BPF_CONFORMANCE_TESTS or ../shared/bpf_conformance/tests)
  --engine, -e    jit (default), interp, or both: run each engine and compare r0 and memory
  --filter, -f    run only files whose name contains this text`;

const CHOICES: readonly EngineChoice[] = ['jit', 'interp', 'both'];

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        engine: { type: 'string', short: 'e', default: 'jit' },
        filter: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const choice = CHOICES.find((c) => c === values.engine);
  if (!choice || positionals.length > 1) {
    console.error(`error: ${choice ? 'at most one directory' : `unknown engine '${values.engine}'`}\n${USAGE}`);
    return 2;
  }
  const target = positionals[0] ?? conformanceTestsDir();
  if (!existsSync(target)) {
    console.error(`error: ${target} does not exist (set BPF_CONFORMANCE_TESTS or pass a directory)`);
    return 2;
  }
  const summary = runSuite(collectTests(target, values.filter), choice, (result) => console.log(resultLine(result)));
  console.log(summaryLine(summary));
  return summary.failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
