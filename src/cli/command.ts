import { parseArgs } from 'node:util';
import { describeError } from './describe-error.js';

/** A mistake the user can fix (bad flag, missing file): printed as `error: <message>`, exit 1. */
export class CliError extends Error {}

export interface Command {
  readonly name: string;
  /** The full `--help` text. */
  readonly usage: string;
  run(args: string[]): Promise<void>;
}

/** Flags a command accepts: name -> string-valued or boolean, with an optional short letter. */
export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  readonly positionals: string[];
  /** A string flag's value, if given. */
  string(name: string): string | undefined;
  /** Whether a boolean flag was given. */
  flag(name: string): boolean;
}

/**
 * `util.parseArgs` in strict mode with `--help` added; unknown or malformed flags become
 * CliErrors. Returns undefined after printing the usage when `--help` was given.
 */
export function parseCommandArgs(command: Pick<Command, 'name' | 'usage'>, rawArgs: string[], flags: FlagSpec): ParsedArgs | undefined {
  let values: Record<string, unknown>;
  let positionals: string[];
  const args = joinNegativeValues(rawArgs, flags);
  try {
    ({ values, positionals } = parseArgs({ args, options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    // parseArgs appends advice about '--' to unknown options; its first sentence says it all.
    const message = (e as Error).message.split(/\.\s/)[0];
    throw new CliError(`${command.name}: ${message} (see ebpf-wasm ${command.name} --help)`);
  }
  if (values.help === true) {
    process.stdout.write(`${command.usage}\n`);
    return undefined;
  }
  return {
    positionals,
    string: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
  };
}

/**
 * `--budget -5` as `--budget=-5`: parseArgs takes a value starting with '-' for a flag
 * ("argument is ambiguous"), which hid the real mistake, a negative number, behind
 * advice about '--'. Only a string flag followed by something shaped like a negative
 * number is joined, so the number's own check can say what range the flag takes.
 */
function joinNegativeValues(args: string[], flags: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([^=]+)$/.exec(args[i])?.[1];
    const next = args[i + 1];
    if (name !== undefined && flags[name]?.type === 'string' && next !== undefined && /^-[0-9.]/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** The one positional file argument a command takes. */
export function singleFile(command: Pick<Command, 'name'>, positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new CliError(`${command.name}: expected one input file, got ${positionals.length} (see ebpf-wasm ${command.name} --help)`);
  }
  return positionals[0];
}

/** Run `fn`, turning any typed error it throws into a CliError naming `path`. */
export function inFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: ${describeError(e)}`, { cause: e });
  }
}
