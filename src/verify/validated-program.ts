import type { ProgramType } from '../abi/program-types.js';
import type { ProgramShape } from '../analysis/program-shape.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * How the verifier treats a program (load-stage.ts's option `verify`): `strict` rejects
 * what the kernel rejects; `checked` rejects nothing beyond the load stage and proves what
 * it can, unproven accesses keeping a run-time check; `runtime` is checked without the
 * proof search (nothing proven, every access but the frame pointer's checked at run
 * time), for generated programs whose proofs would save nothing while the search costs
 * most of their compile time (PacketFilter's batch programs).
 */
export const VERIFY_MODES = ['strict', 'checked', 'runtime'] as const;
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
