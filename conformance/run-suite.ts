import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { listDataFiles } from './data-file.js';
import { runDataFile, type EngineChoice, type Verdict } from './run-case.js';

export interface FileResult {
  readonly name: string;
  readonly verdict: Verdict;
}

export interface SuiteSummary {
  readonly results: readonly FileResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The `.data` files to run: a directory's files (sorted), or one file; `filter` keeps names containing it. */
export function collectTests(target: string, filter?: string): string[] {
  const paths = statSync(target).isDirectory() ? listDataFiles(target) : [target];
  return filter === undefined ? paths : paths.filter((p) => basename(p).includes(filter));
}

/** Run every file, reporting each result as it is known (the runner prints as it goes). */
export function runSuite(paths: readonly string[], choice: EngineChoice, onResult?: (result: FileResult) => void): SuiteSummary {
  const results: FileResult[] = [];
  for (const path of paths) {
    const result = { name: basename(path), verdict: runDataFile(path, choice) };
    results.push(result);
    onResult?.(result);
  }
  const count = (status: Verdict['status']) => results.filter((r) => r.verdict.status === status).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

/** The runner's last line, e.g. `313 passed, 0 failed, 0 skipped`. */
export function summaryLine(summary: SuiteSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}

/** `PASS name`, `FAIL name: reason` or `SKIP name: reason`. */
export function resultLine({ name, verdict }: FileResult): string {
  return verdict.status === 'pass' ? `PASS ${name}` : `${verdict.status.toUpperCase()} ${name}: ${verdict.reason}`;
}
