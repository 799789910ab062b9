import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conformanceTestsDir, listDataFiles, programOf, readDataFile } from '../conformance/data-file.js';
import { EbpfError } from '../src/errors.js';
import { ubpfTestHelpers } from '../src/helpers/ubpf-test.js';
import { interpreter } from '../src/interp/interpreter.js';
import { Runtime } from '../src/runtime/runtime.js';

/**
 * Every bpf_conformance `.data` file through the interpreter, with ubpf's test helpers
 * (the upstream suite is run against ubpf's plugin, whose helpers these are).
 */
const dir = conformanceTestsDir();
// CI may not have the shared suite: then these tests are reported as skipped.
const present = existsSync(dir);
const files = present ? listDataFiles(dir) : [];
const runtime = new Runtime({ helpers: ubpfTestHelpers() });

describe.skipIf(!present)('bpf_conformance suite on the interpreter', () => {
  it('finds the whole suite', () => {
    expect(files.length).toBe(313);
  });

  it.each(files.map((path) => [path.split('/').pop()!, path]))('%s', (_name, path) => {
    const file = readDataFile(path);
    const run = () => interpreter(programOf(file), { runtime })(file.mem);
    if (file.error !== undefined) {
      expect(run).toThrow(EbpfError);
    } else {
      expect(run()).toBe(file.result);
    }
  });
});
