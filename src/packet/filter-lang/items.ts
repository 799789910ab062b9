/**
 * Classic BPF with symbolic jump targets, as code generation builds it and the passes over
 * it (thread.ts, reuse.ts) rewrite it before emit.ts resolves the offsets.
 */
export type Label = number;

export type Item =
  | { readonly kind: 'insn'; readonly code: number; readonly k: number; jt?: Label; jf?: Label }
  | { readonly kind: 'ja'; readonly to: Label }
  | { readonly kind: 'label'; readonly id: Label };
