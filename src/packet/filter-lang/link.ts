import { LINKTYPE } from '../capture/types.js';

/**
 * The link layers expressions compile for, by LINKTYPE_* value: where the EtherType (or
 * the cooked header's protocol field) and the network header are. Raw IP has neither a
 * link header nor an EtherType: `ip` and `ip6` test the IP version nibble instead.
 */
export type LinkKind = 'ether' | 'sll' | 'sll2' | 'raw';

export interface LinkLayer {
  readonly kind: LinkKind;
  /** Offset of the 16-bit protocol field (EtherType values); undefined for raw IP. */
  readonly type: number | undefined;
  readonly nl: number;
}

export const LINK_LAYERS: ReadonlyMap<number, LinkLayer> = new Map([
  [LINKTYPE.ETHERNET, { kind: 'ether', type: 12, nl: 14 }],
  // Linux cooked captures: SLL's protocol at 14 of 16 bytes, SLL2's at 0 of 20.
  [LINKTYPE.LINUX_SLL, { kind: 'sll', type: 14, nl: 16 }],
  [LINKTYPE.LINUX_SLL2, { kind: 'sll2', type: 0, nl: 20 }],
  [LINKTYPE.RAW, { kind: 'raw', type: undefined, nl: 0 }],
]);
