import type { EngineName } from './runtime/program.js';

/** Engine names in the order tools list them: the JIT first, it is the default. */
export const ENGINE_NAMES: readonly EngineName[] = ['jit', 'interp'];

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}
