/**
 * Hand-written JavaScript predicates for a few corpus expressions: what a Node service
 * would write instead of a filter, the baseline the batch path has to beat. Each follows
 * the program tcpdump compiles for the expression (`tcpdump -d`), including its rule that
 * a read past the packet's end rejects the packet, and reads the packet where it lies in
 * a larger buffer (`at`, `length`) as the batch path does.
 */
export type JsPredicate = (buf: Uint8Array, at: number, length: number) => boolean;

const ETH_IP = 0x0800;
const ETH_IP6 = 0x86dd;
const ETH_ARP = 0x0806;
const ETH_RARP = 0x8035;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const IP6_FRAGMENT = 44;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

const u16 = (buf: Uint8Array, o: number): number => (buf[o] << 8) | buf[o + 1];
const u32 = (buf: Uint8Array, o: number): number => ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
const etherType = (buf: Uint8Array, at: number, length: number): number => (length < 14 ? -1 : u16(buf, at + 12));

/** IPv4 with this protocol and fragment offset 0: the offset of its transport header in the frame, else -1. */
function ip4Transport(buf: Uint8Array, at: number, length: number, proto: number): number {
  if (length < 24 || buf[at + 23] !== proto || (u16(buf, at + 20) & 0x1fff) !== 0) return -1;
  return 14 + 4 * (buf[at + 14] & 0xf);
}

function udp(buf: Uint8Array, at: number, length: number): boolean {
  const type = etherType(buf, at, length);
  if (type === ETH_IP) return length >= 24 && buf[at + 23] === PROTO_UDP;
  if (type !== ETH_IP6 || length < 21) return false;
  const next = buf[at + 20];
  if (next === PROTO_UDP) return true;
  return next === IP6_FRAGMENT && length >= 55 && buf[at + 54] === PROTO_UDP;
}

function tcpPort80(buf: Uint8Array, at: number, length: number): boolean {
  const type = etherType(buf, at, length);
  let ports: number;
  if (type === ETH_IP6) {
    if (length < 21 || buf[at + 20] !== PROTO_TCP) return false;
    ports = 54;
  } else if (type === ETH_IP) {
    ports = ip4Transport(buf, at, length, PROTO_TCP);
    if (ports < 0) return false;
  } else {
    return false;
  }
  if (length < ports + 2) return false;
  if (u16(buf, at + ports) === 80) return true;
  return length >= ports + 4 && u16(buf, at + ports + 2) === 80;
}

const HOST = 0x0a000001; // 10.0.0.1

function host10001(buf: Uint8Array, at: number, length: number): boolean {
  const type = etherType(buf, at, length);
  // IPv4 source and destination, or ARP/RARP sender and target protocol addresses.
  let src: number;
  let dst: number;
  if (type === ETH_IP) {
    src = 26;
    dst = 30;
  } else if (type === ETH_ARP || type === ETH_RARP) {
    src = 28;
    dst = 38;
  } else {
    return false;
  }
  if (length < src + 4) return false;
  if (u32(buf, at + src) === HOST) return true;
  return length >= dst + 4 && u32(buf, at + dst) === HOST;
}

function synNotAck(buf: Uint8Array, at: number, length: number): boolean {
  if (etherType(buf, at, length) !== ETH_IP) return false;
  const tcp = ip4Transport(buf, at, length, PROTO_TCP);
  return tcp >= 0 && length > tcp + 13 && (buf[at + tcp + 13] & (TCP_SYN | TCP_ACK)) === TCP_SYN;
}

/** The expressions with a hand-written predicate (each is in the corpus). */
export const JS_PREDICATES: ReadonlyMap<string, JsPredicate> = new Map([
  ['udp', udp],
  ['tcp port http', tcpPort80], // the corpus spells 'tcp port 80' so
  ['host 10.0.0.1', host10001],
  ['tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn', synNotAck],
]);

/** How many of the packets (offset/length pairs into `buf`) `predicate` accepts. */
export function countMatches(predicate: JsPredicate, buf: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>): number {
  let matches = 0;
  for (let i = 0; i < offsets.length; i++) if (predicate(buf, offsets[i], lengths[i])) matches++;
  return matches;
}
