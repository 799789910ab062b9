import type { Expr } from './ast.js';
import { and, not, or, test, loadAbs, type Cond } from './cond.js';
import { OP, type CbpfEmitter } from './emit.js';
import { byDir } from './gen-address.js';
import { eq } from './cond.js';
import { firstFragment, IPPROTO, isIp, isIp6, type Offsets } from './gen-proto.js';

type PortNode = Extract<Expr, { kind: 'port' }>;

/**
 * A half-word of the IPv4 transport header into A: X takes the IPv4 header length from
 * the IHL nibble (ldxb 4*([nl]&0xf), the MSH load), so options are skipped.
 */
const transportHalf = (o: Offsets, at: number) => (e: CbpfEmitter) => {
  e.stmt(OP.ldxMsh, o.nl);
  e.stmt(OP.ldIndH, o.nl + at);
};

function inRange(load: (e: CbpfEmitter) => void, low: number, high: number): Cond {
  if (low === high) return test(load, OP.jeq, low);
  return and(test(load, OP.jge, low), not(test(load, OP.jgt, high)));
}

/** `port` and `portrange` over IPv4 (first fragments only) and IPv6 (fixed header only). */
export function port(o: Offsets, n: PortNode): Cond {
  const protos = n.proto === 'tcp' || n.proto === 'udp' || n.proto === 'sctp' ? [IPPROTO[n.proto]] : [IPPROTO.tcp, IPPROTO.udp, IPPROTO.sctp];
  const v4 = and(
    isIp(o), or(...protos.map((p) => eq(1, o.nl + 9, p))), firstFragment(o),
    byDir(n.dir, inRange(transportHalf(o, 0), n.low, n.high), inRange(transportHalf(o, 2), n.low, n.high)),
  );
  const v6 = and(
    isIp6(o), or(...protos.map((p) => eq(1, o.nl + 6, p))),
    byDir(n.dir, inRange(loadAbs(2, o.nl + 40), n.low, n.high), inRange(loadAbs(2, o.nl + 42), n.low, n.high)),
  );
  return n.proto === 'ip' ? v4 : n.proto === 'ip6' ? v6 : or(v4, v6);
}
