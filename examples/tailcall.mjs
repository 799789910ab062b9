// node examples/tailcall.mjs [--engine interp]
//
// Dispatch IPv4 packets to a handler per protocol with tail calls: tailcall.bpf.o has
// an XDP dispatcher and three handlers; JS puts the handlers into the `handlers` program
// array by protocol number, runs the dispatcher over a few Ethernet frames (each run gets
// its struct xdp_md, as the kernel's test run gives it), then takes the UDP handler out again.
import { loadExample } from './common.mjs';

const object = loadExample('tailcall');
const dispatch = object.program('dispatch');
const handlers = object.maps.get('handlers');
const PROTOCOLS = { icmp: 1, tcp: 6, udp: 17, gre: 47 };

// bpf_tail_call(ctx, &handlers, ip->protocol) jumps to the program in that slot.
handlers.set(PROTOCOLS.icmp, object.program('handle_icmp'));
handlers.set(PROTOCOLS.tcp, object.program('handle_tcp'));
handlers.set(PROTOCOLS.udp, object.program('handle_udp'));

/** An Ethernet frame: IPv4 (EtherType 0x0800), a 20-byte header from 10.0.0.2 to 10.0.0.1, then `l4`. */
function ipv4(protocol, l4) {
  const packet = new Uint8Array(14 + 20 + l4.length);
  packet.set([0x08, 0x00], 12);     // EtherType IPv4, after the two MAC addresses
  packet[14] = 0x45;                // version 4, header length 5 words
  packet[14 + 9] = protocol;
  packet.set([10, 0, 0, 2, 10, 0, 0, 1], 14 + 12);
  packet.set(l4, 14 + 20);
  return packet;
}
const ports = (source, dest) => [source >> 8, source & 0xff, dest >> 8, dest & 0xff];

const packets = [
  ['tcp', ipv4(PROTOCOLS.tcp, ports(51234, 443))],
  ['udp', ipv4(PROTOCOLS.udp, ports(40000, 53))],
  ['icmp', ipv4(PROTOCOLS.icmp, [0, 0, 0, 0])],   // echo reply
  ['icmp', ipv4(PROTOCOLS.icmp, [8, 0, 0, 0])],   // echo request
  ['gre', ipv4(PROTOCOLS.gre, [0, 0, 0x08, 0])],
];

function run(name, packet) {
  console.log(`packet: ${name} (protocol ${packet[14 + 9]})`);
  const verdict = dispatch(packet);
  console.log(`  verdict: ${verdict === 2n ? 'pass' : 'drop'}`);   // XDP_PASS = 2, XDP_DROP = 1
}

for (const [name, packet] of packets) run(name, packet);
console.log('handlers.delete(17): no more UDP handler');
handlers.delete(PROTOCOLS.udp);
run(...packets[1]);
