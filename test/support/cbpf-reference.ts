/**
 * A small classic BPF interpreter written from the kernel's documentation
 * (Documentation/networking/filter.rst) for the tests, independent of src/packet: it
 * switches on the raw codes and shares no table with the translator. It runs a program
 * over an Ethernet frame the way a sched_cls program sees it after the translation:
 *   - packet offset 0 is the frame's first byte, `len` is the frame's length;
 *   - a load outside the frame returns 0 from the filter; SKF_NET_OFF + n reads the network
 *     header (frame byte 14 + n), SKF_LL_OFF + n the frame byte n;
 *   - ancillary loads see what the kernel's test run sets (skb.ts): protocol from the
 *     EtherType (802.3 lengths: ETH_P_802_2, 4), pkt_type from the destination MAC,
 *     ifindex 1, the rest 0; SKF_AD_ALU_XOR_X is A ^= X;
 *   - division and modulo by X = 0 return 0; shifts by X use the count & 31.
 * It assumes a program the kernel accepts (validated elsewhere).
 */
export interface RefInsn { code: number; jt: number; jf: number; k: number }

const SKF_AD_OFF = -0x1000;
const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

function ancillary(n: number, frame: Uint8Array, a: number, x: number): number {
  switch (n) {
    case 0: { // protocol
      if (frame.length < 14) return 0; // no Ethernet header (batches only; a one-packet run refuses such frames)
      const type = (frame[12] << 8) | frame[13];
      if (type >= 0x600) return type;
      return frame[14] === 0xff && frame[15] === 0xff ? 1 : 4;
    }
    case 4: { // pkt_type
      if (frame.length < 14) return 0;
      const dst = frame.subarray(0, 6);
      if (dst.every((b) => b === 0)) return 0;
      return dst[0] & 1 ? 2 : 3;
    }
    case 8: return 1; // ifindex
    case 40: return (a ^ x) >>> 0;
    default: return 0; // mark, queue, rxhash, vlan_*: a test run's skb has none
  }
}

/** The frame offset a packet load at k reads, or undefined when nothing is there. */
function frameOffset(k: number): number | undefined {
  if (k >= 0) return k;
  if (k >= SKF_NET_OFF && k < SKF_AD_OFF) return 14 + (k - SKF_NET_OFF);
  if (k >= SKF_LL_OFF && k < SKF_NET_OFF) return k - SKF_LL_OFF;
  return undefined;
}

function load(frame: Uint8Array, k: number, size: number): number | undefined {
  const at = frameOffset(k);
  if (at === undefined || at + size > frame.length) return undefined;
  let v = 0;
  for (let i = 0; i < size; i++) v = (v * 256) + frame[at + i];
  return v >>> 0;
}

/** The filter's return value (u32) for this frame. */
export function runReference(prog: readonly RefInsn[], frame: Uint8Array): number {
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(16);
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf } = prog[pc];
    const k = prog[pc].k >>> 0;
    const sizeOf = (c: number) => ((c & 0x18) === 0x00 ? 4 : (c & 0x18) === 0x08 ? 2 : 1);
    switch (code & 0x07) {
      case 0x00: { // LD
        const mode = code & 0xe0;
        if (mode === 0x00) a = k;
        else if (mode === 0x60) a = mem[k];
        else if (mode === 0x80) a = frame.length;
        else {
          const off = mode === 0x20 ? k | 0 : (x + k) | 0;
          if (mode === 0x20 && off >= SKF_AD_OFF && off < 0) {
            a = ancillary(off - SKF_AD_OFF, frame, a, x);
            break;
          }
          const v = load(frame, off, sizeOf(code));
          if (v === undefined) return 0;
          a = v;
        }
        break;
      }
      case 0x01: { // LDX
        const mode = code & 0xe0;
        if (mode === 0x00) x = k;
        else if (mode === 0x60) x = mem[k];
        else if (mode === 0x80) x = frame.length;
        else { // MSH
          const v = load(frame, k | 0, 1);
          if (v === undefined) return 0;
          x = (v & 0xf) * 4;
        }
        break;
      }
      case 0x02: mem[k] = a; break;
      case 0x03: mem[k] = x; break;
      case 0x04: { // ALU
        const op = code & 0xf0;
        const b = code & 0x08 ? x : k;
        if ((op === 0x30 || op === 0x90) && b === 0) return 0;
        switch (op) {
          case 0x00: a = (a + b) >>> 0; break;
          case 0x10: a = (a - b) >>> 0; break;
          case 0x20: a = Math.imul(a, b) >>> 0; break;
          case 0x30: a = Math.floor(a / b) >>> 0; break;
          case 0x40: a = (a | b) >>> 0; break;
          case 0x50: a = (a & b) >>> 0; break;
          case 0x60: a = (a << (b & 31)) >>> 0; break;
          case 0x70: a = a >>> (b & 31); break;
          case 0x80: a = -a >>> 0; break;
          case 0x90: a = (a % b) >>> 0; break;
          case 0xa0: a = (a ^ b) >>> 0; break;
          default: throw new Error(`bad ALU code ${code}`);
        }
        break;
      }
      case 0x05: { // JMP
        const op = code & 0xf0;
        if (op === 0x00) { pc += k; break; }
        const b = code & 0x08 ? x : k;
        const taken = op === 0x10 ? a === b : op === 0x20 ? a > b : op === 0x30 ? a >= b : (a & b) !== 0;
        pc += taken ? jt : jf;
        break;
      }
      case 0x06: return (code & 0x18) === 0x10 ? a : k;
      case 0x07: if (code & 0x80) a = x; else x = a; break;
    }
  }
  throw new Error('ran off the end');
}
