import type { Expr } from './ast.js';
import type { CbpfInsn } from '../cbpf/insn.js';
import { and, not, or, maskedEq, type Cond } from './cond.js';
import { CbpfEmitter, OP } from './emit.js';
import { address, castCond } from './gen-address.js';
import { relation } from './gen-arith.js';
import { port } from './gen-port.js';
import { protocol, protoField, vlanTag, type Offsets } from './gen-proto.js';
import { LINKTYPE } from '../capture/types.js';
import { FilterError } from './errors.js';
import { LINK_LAYERS } from './link.js';

export interface FilterCompileOptions {
  /** The captures' LINKTYPE_*: Ethernet (default), RAW, LINUX_SLL, LINUX_SLL2. */
  readonly linkType?: number;
  /** Thread jumps over tests already decided and drop repeated loads (default true). */
  readonly optimize?: boolean;
}

/** What an accepted packet returns: tcpdump's default snapshot length, as its programs do. */
export const ACCEPT = 262144;

/**
 * The classic program of a parsed expression, for Ethernet frames. Primitives are turned
 * into conditions left to right, because a `vlan` moves the headers of everything written
 * after it; then the conditions are laid out as code ending in `ret #262144` / `ret #0`.
 */
export function generate(expr: Expr, options: FilterCompileOptions = {}): CbpfInsn[] {
  const linkType = options.linkType ?? LINKTYPE.ETHERNET;
  const link = LINK_LAYERS.get(linkType);
  if (!link) throw new FilterError('UNSUPPORTED', `link type ${linkType}: expressions compile for Ethernet, raw IP and Linux cooked captures`, 1);
  let linkOffset = 0;
  const offsets = (): Offsets => ({ type: link.type === undefined ? undefined : link.type + linkOffset, nl: link.nl + linkOffset });
  const etherOnly = (what: string, column: number) => {
    if (link.kind !== 'ether') throw new FilterError('UNSUPPORTED', `${what} on a ${link.kind === 'raw' ? 'raw IP' : 'Linux cooked'} capture`, column);
  };

  const build = (x: Expr): Cond => {
    switch (x.kind) {
      case 'and': case 'or': {
        const left = build(x.left);
        const right = build(x.right);
        return x.kind === 'and' ? and(left, right) : or(left, right);
      }
      case 'not': return not(build(x.operand));
      case 'proto': return protocol(offsets(), x.proto);
      case 'protoField': return protoField(offsets(), x.proto, x.value);
      case 'address':
        if (x.addr.family === 'mac') etherOnly('MAC addresses', x.column);
        return address(offsets(), x);
      case 'port': return port(offsets(), x);
      case 'broadcast': case 'multicast':
        if (x.proto === undefined || x.proto === 'ether') etherOnly(`link-layer ${x.kind}`, x.column);
        return castCond(offsets(), x.kind, x.proto, x.column);
      case 'relation': return relation(offsets(), x.op, x.left, x.right);
      case 'vlan': {
        etherOnly('vlan', x.column);
        const o = offsets();
        linkOffset += 4;
        // The tag's TCI follows the TPID: its low 12 bits are the VLAN id.
        return x.id === undefined ? vlanTag(o) : and(vlanTag(o), maskedEq(2, o.nl, 0xfff, x.id));
      }
    }
  };

  const cond = build(expr);
  const e = new CbpfEmitter();
  const accept = e.newLabel();
  const reject = e.newLabel();
  cond(e, accept, reject);
  e.place(accept);
  e.stmt(OP.ret, ACCEPT);
  e.place(reject);
  e.stmt(OP.ret, 0);
  return e.finish(options.optimize ?? true);
}
