import { checkOptions } from '../../arguments.js';
import { PacketFilter, type PacketFilterOptions } from '../batch/filter.js';
import type { CbpfInsn } from '../cbpf/insn.js';
import { compileFilterCbpf } from './compile.js';

/**
 * A packet filter from a pcap-filter(7) expression (or classic BPF instructions or
 * `struct sock_filter` bytes): `match(packet)` for one packet, `filter(packets)` and
 * `filterBuffer` for a batch in one call, `filterCapture(stream)` to iterate a capture's
 * matches. Expressions compile for `options.linkType`: Ethernet (the default), raw IP,
 * Linux cooked (SLL, SLL2).
 */
export function compileFilter(filter: string | Uint8Array | readonly CbpfInsn[], options: PacketFilterOptions = {}): PacketFilter {
  const checked = checkOptions('compileFilter()', options);
  return PacketFilter.fromCbpf(typeof filter === 'string' ? compileFilterCbpf(filter, { linkType: checked.linkType }) : filter, checked);
}
