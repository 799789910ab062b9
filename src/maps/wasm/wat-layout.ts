import type { Layout } from '../../abi/layout.js';

/** The layout addresses the maps module's text bakes in as constants. */
export interface WatLayout {
  readonly stackBase: number;
  readonly stackTop: number;
  readonly inputBase: number;
  readonly contextBase: number;
  readonly heapBase: number;
}

export function watLayout(layout: Layout): WatLayout {
  const { stackBase, stackTop, inputBase, contextBase, heapBase } = layout;
  return { stackBase, stackTop, inputBase, contextBase, heapBase };
}

/** A cache key: runtimes with the same layout share one compiled maps module. */
export function watLayoutKey(L: WatLayout): string {
  return [L.stackBase, L.stackTop, L.inputBase, L.contextBase, L.heapBase].join(',');
}
