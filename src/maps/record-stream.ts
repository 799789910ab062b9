import { checkOptions, describeValue } from '../arguments.js';

/**
 * Host readers of ring buffers and perf event arrays wait for records without polling:
 * `wait()` returns a promise that `wake()` resolves once new records are there (the
 * producer calls it, the way the kernel wakes an epoll waiter).
 */
export class Wakeup {
  private resolvers: (() => void)[] = [];

  /** Whether a reader is waiting (ring buffers store this where the producer sees it). */
  get waiting(): boolean {
    return this.resolvers.length > 0;
  }

  /** Resolves at the next `wake()`, or when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.resolvers = this.resolvers.filter((r) => r !== done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.resolvers.push(done);
    });
  }

  wake(): void {
    const resolvers = this.resolvers;
    this.resolvers = [];
    for (const resolve of resolvers) resolve();
  }
}

export interface StreamOptions {
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal;
}

/** `records(options)`: an object whose `signal`, if any, is an AbortSignal (else it would never abort). */
export function checkStreamOptions(what: string, options: StreamOptions): StreamOptions {
  const checked = checkOptions(what, options);
  if (checked.signal !== undefined && !(checked.signal instanceof AbortSignal)) {
    throw new TypeError(`${what} option signal must be an AbortSignal, got ${describeValue(checked.signal)}`);
  }
  return checked;
}

/**
 * Records as an async iterator: everything `drain()` has, then wait for a wakeup, and
 * again, until `signal` aborts. `onWait(true)` runs before each wait and `onWait(false)`
 * after it, so a producer in Wasm can see whether anyone is waiting.
 */
export async function* recordStream<T>(
  drain: () => T[], wakeup: Wakeup, options: StreamOptions = {}, onWait: (waiting: boolean) => void = () => {},
): AsyncGenerator<T, void, undefined> {
  const { signal } = options;
  while (!signal?.aborted) {
    const records = drain();
    for (const record of records) yield record;
    if (records.length > 0 || signal?.aborted) continue;
    onWait(true);
    try {
      await wakeup.wait(signal);
    } finally {
      onWait(wakeup.waiting);
    }
  }
}
