/**
 * The bytes a streaming reader has received but not consumed, as the chunks they came in.
 * Chunks are never written to, so a view handed out stays valid after the queue moves on:
 * a record inside one chunk is a zero-copy subarray, only one that spans chunks is copied.
 * Memory is what the reader has not consumed yet (a record and a chunk, at most).
 */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already consumed. */
  private head = 0;
  /** Unconsumed bytes. */
  available = 0;
  /** Stream offset of the first unconsumed byte. */
  offset = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /** The next n bytes without consuming them (a view when they lie in one chunk), undefined if fewer are here. */
  peek(n: number): Uint8Array | undefined {
    if (n > this.available) return undefined;
    const first = this.chunks[0];
    if (first && this.head + n <= first.length) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let filled = 0;
    let at = this.head;
    for (const chunk of this.chunks) {
      const take = Math.min(chunk.length - at, n - filled);
      out.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at = 0;
      if (filled === n) break;
    }
    return out;
  }

  /** Consume n bytes (n <= available). */
  skip(n: number): void {
    this.available -= n;
    this.offset += n;
    while (n > 0) {
      const first = this.chunks[0];
      const left = first.length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Consume and return the next n bytes, undefined (nothing consumed) if fewer are here. */
  take(n: number): Uint8Array | undefined {
    const bytes = this.peek(n);
    if (bytes) this.skip(n);
    return bytes;
  }
}
