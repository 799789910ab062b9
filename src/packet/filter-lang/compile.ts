import type { CbpfInsn } from '../cbpf/insn.js';
import { parseFilter } from './parse.js';
import { checkOptions } from '../../arguments.js';
import { generate, type FilterCompileOptions } from './gen.js';

/**
 * A pcap-filter(7) expression to classic BPF for Ethernet frames, as `tcpdump -dd` gives
 * it: the program the kernel's checks accept and every path here (loadCbpf, PacketFilter)
 * runs. Throws FilterError (with the column) for what it cannot compile.
 */
export function compileFilterCbpf(expression: string, options: FilterCompileOptions = {}): CbpfInsn[] {
  return generate(parseFilter(expression), checkOptions('compileFilterCbpf()', options));
}
