import type { ProgramType } from '../abi/program-types.js';
import type { ProgramShape } from '../analysis/program-shape.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Runtime } from '../runtime/runtime.js';

/** How the verifier treats a program (load-stage.ts's option `verify`). */
export const VERIFY_MODES = ['strict', 'checked'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

/** A program the load stage validated, as the verifier reads it. */
export interface ValidatedProgram extends ProgramShape {
  readonly type: ProgramType;
  readonly runtime: Runtime;
  /** The helpers the program was checked against; calls resolve to these. */
  readonly helpers: HelperRegistry;
  readonly budget: number;
  /** The value each lddw loads, by pc: constants, code pointers, map and map value addresses. */
  readonly lddwValues: ReadonlyMap<number, bigint>;
  /** The map each map pseudo-lddw (map_fd, map_value, map_idx, map_idx_value) refers to, by pc. */
  readonly lddwMaps: ReadonlyMap<number, BpfMap>;
  readonly verifyMode: VerifyMode;
}
