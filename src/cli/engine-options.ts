import { DEFAULT_MAX_INPUT_SIZE } from '../abi/layout.js';
import { isProgramType, PROGRAM_TYPES, type ProgramType } from '../abi/program-types.js';
import type { EngineName } from '../runtime/program.js';
import { Runtime } from '../runtime/runtime.js';
import { ENGINE_NAMES, isEngineName } from '../engine-names.js';
import { kernelHelpers } from '../helpers/kernel.js';
import type { HelperRegistry } from '../helpers/registry.js';
import { CliError, type ParsedArgs } from './command.js';
import { loadHelpersModule } from './load-helpers.js';

/** `--engine`, default jit. */
export function engineOption(args: ParsedArgs): EngineName {
  const engine = args.string('engine') ?? 'jit';
  if (!isEngineName(engine)) throw new CliError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, got '${engine}'`);
  return engine;
}

/** `--type`: a program type, or undefined (raw bytecode: raw; objects: each program's SEC()). */
export function typeOption(args: ParsedArgs): ProgramType | undefined {
  const type = args.string('type');
  if (type === undefined) return undefined;
  if (!isProgramType(type)) throw new CliError(`--type must be one of ${PROGRAM_TYPES.join(', ')}, got '${type}'`);
  return type;
}

/**
 * An integer flag such as `--repeat`, or `fallback` when absent. Anything but decimal
 * digits within [min, max] (negative numbers, fractions, numbers past 2^53 that would
 * round) gets one message with the range.
 */
export function countOption(args: ParsedArgs, name: string, fallback: number | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = args.string(name);
  if (text === undefined) return fallback;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/**
 * A runtime big enough for `input` with the kernel helpers (or those of `base`) and, on
 * top, those of the `--helpers` module, if any; `--seed` and `--cpus` where the command
 * has them.
 */
export async function runtimeFor(args: ParsedArgs, input: Uint8Array = new Uint8Array(0), base: HelperRegistry = kernelHelpers()): Promise<Runtime> {
  const helpersPath = args.string('helpers');
  const helpers = helpersPath === undefined ? base : await loadHelpersModule(helpersPath, base);
  // The Runtime's own limits: a 32-bit seed, 1024 CPUs.
  const seed = countOption(args, 'seed', undefined, 0, 0xffff_ffff);
  const cpus = countOption(args, 'cpus', undefined, 1, 1024);
  return new Runtime({ helpers, seed, cpus, maxInputSize: Math.max(DEFAULT_MAX_INPUT_SIZE, input.length) });
}
