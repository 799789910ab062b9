/*
 * Shared by every benchmark program, compiled both for the BPF target and natively.
 * Fixed-width types come from the compiler's predefined macros so that no libc header
 * is needed for -target bpf (which has no system headers of its own).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT64_TYPE__ s64;

/*
 * The entry point gets the input memory and its length (r1, r2 in eBPF). For BPF it goes
 * into its own section so build.sh can extract exactly its instructions; natively the
 * section attribute is left out and `entry` is an ordinary external function.
 */
#ifdef __bpf__
#define ENTRY __attribute__((section("prog"), used))
#else
#define ENTRY
#endif

/* Everything besides `entry` must be inlined: the extracted section holds one function. */
#define INLINE static inline __attribute__((always_inline))

/* Little-endian loads that are safe at any alignment (eBPF loads must be aligned on some
 * JITs; the compiler splits these into byte loads only where it has to). */
INLINE u32 load_u32(const u8 *p) {
  return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

#endif
