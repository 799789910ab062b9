/**
 * The batch a batch program reads in its input area (see cbpf/batch-translate.ts):
 *
 *   +0                 u32 count, u32 bias
 *   +8                 count x { u32 offset, u32 length }: the packet lies at
 *                      input + ((offset + bias) mod 2^32) (a writer that knows where each
 *                      packet lands writes bias 0; PacketFilter.filterBuffer writes each
 *                      packet's offset in its buffer as it checks it, from the first
 *                      packet's, and the bias once it knows where the copy puts them)
 *   +8 + 8 count       count x u32 verdict (the program writes them)
 *   +align8(8 + 12 count)   the packets' bytes, copied in spans (a span holds many packets
 *                      that lay together in one buffer, a capture chunk say)
 */
export const BATCH_HEADER_BYTES = 8;
export const DESCRIPTOR_BYTES = 8;
export const VERDICT_BYTES = 4;

export const descriptorsAt = (): number => BATCH_HEADER_BYTES;
export const verdictsAt = (count: number): number => BATCH_HEADER_BYTES + DESCRIPTOR_BYTES * count;
export const dataAt = (count: number): number => (verdictsAt(count) + VERDICT_BYTES * count + 7) & ~7;

/** A run of packets that lie in one buffer, copied into the batch with one copy. */
export interface Span {
  readonly source: Uint8Array;
  /** Byte range of `source.buffer` the span copies. */
  start: number;
  end: number;
}

/** Packets may sit this far apart in their buffer and still share a span (a pcap record header is 16 bytes, a pcapng EPB's 28 plus padding). */
export const SPAN_GAP = 64;

/**
 * Where each packet goes: the spans to copy, and each packet's offset inside its span.
 * Consecutive packets in one buffer, in order and at most SPAN_GAP apart, share a span.
 * `spanOf[i]` is the span of packets[from + i].
 */
export function planSpans(packets: readonly Uint8Array[], from = 0, to = packets.length): { spans: Span[]; spanOf: Uint32Array } {
  const spans: Span[] = [];
  const spanOf = new Uint32Array(to - from);
  let current: Span | undefined;
  for (let i = 0; i < to - from; i++) {
    const p = packets[from + i];
    const start = p.byteOffset;
    const end = start + p.length;
    if (current && current.source.buffer === p.buffer && start >= current.end && start - current.end <= SPAN_GAP) {
      current.end = end;
    } else {
      current = { source: p, start, end };
      spans.push(current);
    }
    spanOf[i] = spans.length - 1;
  }
  return { spans, spanOf };
}
