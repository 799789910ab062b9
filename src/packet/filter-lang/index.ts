// The pcap filter language (pcap-filter(7)): tokens, parser, code generation to classic BPF.
export { compileFilter } from './filter.js';
export { compileFilterCbpf } from './compile.js';
export type { FilterCompileOptions } from './gen.js';
export { parseFilter } from './parse.js';
export { tokenize, type Token, type TokenKind } from './tokens.js';
export { FilterError } from './errors.js';
export type { Expr, Arith, Address, Dir, ProtoName, RelOp, ArithOp } from './ast.js';
