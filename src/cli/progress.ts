import { statSync } from 'node:fs';

/**
 * A progress bar on stderr for long reads: only when stderr is a terminal and the file is
 * big enough to take a while (64 MiB), redrawn at most every 200 ms, erased when done.
 */
export class Progress {
  private last = 0;
  private drawn = false;

  private constructor(private readonly total: number) {}

  static forFile(path: string, threshold = 64 << 20): Progress | undefined {
    if (!process.stderr.isTTY) return undefined;
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      return undefined;
    }
    return size >= threshold ? new Progress(size) : undefined;
  }

  update(position: number): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const fraction = Math.min(1, position / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write(`\r${' '.repeat(40)}\r`);
  }
}
