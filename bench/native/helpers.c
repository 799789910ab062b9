/*
 * The native counterpart of helper id 1 used by helper_loop.c. A separate translation
 * unit (no LTO) and noinline, so every iteration makes a real call, as the eBPF program
 * makes a real helper call.
 */
__attribute__((noinline)) long bench_add(long a, long b) { return a + b; }
