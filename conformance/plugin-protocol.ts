/**
 * The argument and data conventions of bpf_conformance plugins (the contract the
 * upstream `bpf_conformance_runner --plugin_path` expects, as ubpf's plugin implements it):
 *
 *   plugin [memory-hex] [options...]  < program-hex
 *
 * The memory is one argument of hex bytes ("01  02  ff  "), absent or empty when the test
 * has none. Older runners pass all plugin options as one argument ("--interpret"), newer
 * ones one argument per option, so every option argument is split on whitespace. The
 * program arrives on stdin in the same hex form. The plugin prints r0 in hex.
 */

import type { EngineName } from '../src/runtime/program.js';

export interface PluginRequest {
  readonly memory: Uint8Array;
  readonly engine: EngineName;
}

export class PluginUsageError extends Error {}

/**
 * Hex bytes separated by any whitespace. A token is one byte ("1", "ff") or a run of
 * bytes ("b7000000"); anything else is refused rather than skipped, so a garbled program
 * fails loudly instead of running with bytes missing.
 */
export function parseHexBytes(text: string, what: string): Uint8Array {
  const bytes: number[] = [];
  for (const token of text.split(/\s+/).filter((t) => t !== '')) {
    if (!/^[0-9a-f]+$/i.test(token) || (token.length > 2 && token.length % 2 !== 0)) {
      throw new PluginUsageError(`${what}: '${token}' is not a hex byte`);
    }
    for (let i = 0; i < token.length; i += 2) bytes.push(parseInt(token.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

/** Interpret the plugin's argv (without node and the script). */
export function parsePluginArgs(args: readonly string[]): PluginRequest {
  const rest = [...args];
  const memoryText = rest.length > 0 && !rest[0].trimStart().startsWith('--') ? rest.shift() ?? '' : '';
  let engine: EngineName = 'jit';
  for (const option of rest.flatMap((a) => a.split(/\s+/)).filter((o) => o !== '')) {
    if (option === '--jit') engine = 'jit';
    else if (option === '--interpret') engine = 'interp';
    else if (option === '--elf') throw new PluginUsageError('ELF input (--elf) is not supported by this plugin');
    else throw new PluginUsageError(`unknown option '${option}' (expected --jit or --interpret)`);
  }
  return { memory: parseHexBytes(memoryText, 'memory'), engine };
}

/** r0 as the runner parses it (`std::stoull(s, nullptr, 16)`): lowercase hex, no prefix, like ubpf's plugin. */
export function formatResult(r0: bigint): string {
  return r0.toString(16);
}
