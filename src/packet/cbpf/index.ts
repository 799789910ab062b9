// Classic BPF: the table, parsing, the kernel's checks, the translation to eBPF, loading.
export { CBPF_OPCODES, CBPF_SPECS, CBPF_MEMWORDS, CBPF_MAXINSNS, ANCILLARY, SKF_AD_OFF, type CbpfSpec, type CbpfSemantics, type AncillarySpec } from './opcodes.js';
export { cbpfInsn, SOCK_FILTER_BYTES, type CbpfInsn } from './insn.js';
export { parseCbpf, parseCbpfText, parseCbpfDd, parseCbpfDdd, decodeCbpfBytes, encodeCbpfBytes, formatCbpfDd, formatCbpfDdd } from './parse.js';
export { validateCbpf } from './validate.js';
export { translateCbpf, type CbpfTranslation } from './translate.js';
export { compileCbpf, type CompiledCbpf } from './compile.js';
export { loadCbpf, type CbpfLoadOptions } from './load.js';
export { translateCbpfBatch } from './batch-translate.js';
export { formatCbpfListing, formatCbpfInsn } from './listing.js';
