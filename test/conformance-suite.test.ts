/**
 * Every `.data` file of the shared bpf_conformance suite and of our own conformance/tests,
 * through both engines, plus the differential comparison of the two. Each program is run
 * once per engine; the verdicts and the comparison are computed from those outcomes.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { conformanceTestsDir, listDataFiles, programOf, readDataFile, type DataFile } from '../conformance/data-file.js';
import { compareOutcomes, judge, runOnEngine, type EngineOutcome } from '../conformance/run-case.js';
import { ENGINE_NAMES } from '../src/engine.js';
import type { EngineName } from '../src/runtime/program.js';

const REPO = join(import.meta.dirname, '..');

interface Ran {
  file: DataFile;
  outcomes: Record<EngineName, EngineOutcome>;
}

function suite(title: string, dir: string): void {
  const present = existsSync(dir);
  if (!present) console.warn(`${title}: ${dir} not found, its tests are skipped (set BPF_CONFORMANCE_TESTS)`);
  // A missing suite (CI without the shared checkout) shows up as skipped tests, not as a pass.
  describe.skipIf(!present)(`${title} (${dir})`, () => {
    let ran: Ran[] = [];
    beforeAll(() => {
      ran = listDataFiles(dir).map((path) => {
        // Strict parsing: every file must have a program and an expectation (no silent skips).
        const file = readDataFile(path);
        const program = programOf(file);
        const outcomes = Object.fromEntries(ENGINE_NAMES.map((e) => [e, runOnEngine(file, program, e)]));
        return { file, outcomes: outcomes as Ran['outcomes'] };
      });
    });

    it('has test files', () => {
      expect(ran.length).toBeGreaterThan(0);
    });

    it.each(ENGINE_NAMES)('every file passes on the %s engine', (engine) => {
      const failures = ran.flatMap(({ file, outcomes }) => {
        const verdict = judge(file, outcomes[engine]);
        return verdict.status === 'pass' ? [] : [`${file.name}: ${verdict.reason}`];
      });
      expect(failures).toEqual([]);
      expect(ran.length - failures.length).toBe(listDataFiles(dir).length);
    });

    it('the engines agree on r0, errors, input memory and stack', () => {
      const divergences = ran.flatMap(({ file, outcomes }) => {
        const why = compareOutcomes(outcomes.jit, outcomes.interp);
        return why ? [`${file.name}: ${why}`] : [];
      });
      expect(divergences).toEqual([]);
    });
  });
}

suite('shared bpf_conformance suite', conformanceTestsDir());
suite('our conformance tests', join(REPO, 'conformance', 'tests'));
