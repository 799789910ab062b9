/**
 * The tree a filter expression parses to. Every node keeps the column where its text
 * starts, so code generation can name the construct it refuses.
 */

/** Protocol qualifiers this compiler knows (`pcap-filter(7)` "proto"). */
export type ProtoName = 'ether' | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp';
/** Direction qualifiers: `src`, `dst`, `src or dst` (the default), `src and dst`. */
export type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
export type RelOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Arith =
  | { readonly kind: 'num'; readonly value: number; readonly column: number }
  | { readonly kind: 'len'; readonly column: number }
  /** `proto[index : size]`: `size` bytes at `index` from the start of `proto`'s header. */
  | { readonly kind: 'load'; readonly proto: ProtoName; readonly index: Arith; readonly size: 1 | 2 | 4; readonly column: number }
  | { readonly kind: 'binary'; readonly op: ArithOp; readonly left: Arith; readonly right: Arith; readonly column: number }
  | { readonly kind: 'neg'; readonly operand: Arith; readonly column: number };

export type Address =
  | { readonly family: 4; readonly words: readonly number[] }
  | { readonly family: 6; readonly words: readonly number[] }
  | { readonly family: 'mac'; readonly bytes: readonly number[] };

export type Expr =
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr; readonly column: number }
  | { readonly kind: 'not'; readonly operand: Expr; readonly column: number }
  /** A protocol alone: `ip`, `tcp`, `vlan` is its own node. */
  | { readonly kind: 'proto'; readonly proto: ProtoName; readonly column: number }
  /** `[proto] proto N`, `ether proto N`: the protocol field of a header. */
  | { readonly kind: 'protoField'; readonly proto: ProtoName | undefined; readonly value: number; readonly column: number }
  /** `host`, and `net` (mask words over the address words; all ones for a host). */
  | { readonly kind: 'address'; readonly proto: ProtoName | undefined; readonly dir: Dir; readonly addr: Address; readonly mask: readonly number[]; readonly column: number }
  | { readonly kind: 'port'; readonly proto: ProtoName | undefined; readonly dir: Dir; readonly low: number; readonly high: number; readonly column: number }
  | { readonly kind: 'broadcast' | 'multicast'; readonly proto: ProtoName | undefined; readonly column: number }
  /** `vlan [id]`: every header after it is 4 bytes further (as libpcap, for the rest of the text). */
  | { readonly kind: 'vlan'; readonly id: number | undefined; readonly column: number }
  | { readonly kind: 'relation'; readonly op: RelOp; readonly left: Arith; readonly right: Arith; readonly column: number };
