/**
 * The synthetic events the examples feed their programs, in place of a kernel's. Every
 * generator is seeded, so each example prints the same on every run (and
 * test/examples.test.ts can recompute what the output must be).
 */

/** mulberry32: a small seeded PRNG; returns floats in [0, 1). */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** An element of `items` picked with probability proportional to `weight(item)`. */
function weighted(rand, items, weight) {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let x = rand() * total;
  for (const item of items) {
    x -= weight(item);
    if (x < 0) return item;
  }
  return items[items.length - 1];
}

/** x86-64 syscall numbers and names, with how often a busy server makes each (relative). */
export const SYSCALLS = [
  { nr: 0, name: 'read', weight: 18 },
  { nr: 1, name: 'write', weight: 14 },
  { nr: 3, name: 'close', weight: 6 },
  { nr: 9, name: 'mmap', weight: 3 },
  { nr: 16, name: 'ioctl', weight: 2 },
  { nr: 39, name: 'getpid', weight: 1 },
  { nr: 44, name: 'sendto', weight: 7 },
  { nr: 45, name: 'recvfrom', weight: 9 },
  { nr: 202, name: 'futex', weight: 16 },
  { nr: 228, name: 'clock_gettime', weight: 4 },
  { nr: 232, name: 'epoll_wait', weight: 12 },
  { nr: 257, name: 'openat', weight: 5 },
  { nr: 262, name: 'newfstatat', weight: 3 },
];

/** `count` syscalls `{ pid, nr }` from a handful of processes. */
export function* syscallEvents(count, seed = 1) {
  const rand = random(seed);
  const pids = [1, 412, 977, 1040, 2231, 2232, 3310, 4096];
  for (let i = 0; i < count; i++) {
    yield { pid: pids[Math.floor(rand() * pids.length)], nr: weighted(rand, SYSCALLS, (s) => s.weight).nr };
  }
}

/**
 * `count` I/O latencies in microseconds: mostly cache hits (tens to hundreds of µs),
 * a third from the disk (milliseconds), a few outliers (tens of ms). Log-normal
 * around each mode, whole microseconds.
 */
export function* latencies(count, seed = 2) {
  const rand = random(seed);
  const modes = [
    { median: 90, spread: 0.6, weight: 64 },
    { median: 2500, spread: 0.5, weight: 33 },
    { median: 40000, spread: 0.4, weight: 3 },
  ];
  for (let i = 0; i < count; i++) {
    const mode = weighted(rand, modes, (m) => m.weight);
    // A standard normal by Box-Muller (1 - rand() keeps the logarithm finite).
    const normal = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    yield Math.round(mode.median * Math.exp(mode.spread * normal));
  }
}

/** Processes that exited: `{ pid, ppid, exitCode, startNs, exitNs, comm }`, in order of exit. */
export function* processExits(count, seed = 3) {
  const rand = random(seed);
  const commands = ['bash', 'ls', 'cat', 'grep', 'make', 'cc1', 'ld', 'git', 'sshd', 'curl'];
  let now = 10_000_000_000n;
  for (let i = 0; i < count; i++) {
    now += BigInt(Math.floor(rand() * 50_000_000));
    // Most processes live a few ms; some for seconds. One in five fails.
    const lifetime = BigInt(Math.floor(rand() < 0.7 ? rand() * 8_000_000 : rand() * 3_000_000_000));
    const exitCode = rand() < 0.2 ? 1 + Math.floor(rand() * 2) : 0;
    yield { pid: 2000 + i * 3, ppid: 1000 + Math.floor(rand() * 4), exitCode, startNs: now - lifetime, exitNs: now, comm: commands[Math.floor(rand() * commands.length)] };
  }
}
