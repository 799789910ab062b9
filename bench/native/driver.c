/*
 * Native reference driver: links one benchmark program's C (compiled natively, -O2)
 * and times its `entry` over the same input bytes the JIT gets.
 *
 *   driver <input-file> <samples> <sample-ms>
 *
 * Prints "result <r0>", "batch <runs per sample>" and "ns_per_run <median>": the batch
 * size is doubled until one batch takes at least <sample-ms>, then <samples> batches
 * are timed with CLOCK_MONOTONIC and the median of their ns-per-run is reported.
 *
 * Why the loop cannot be optimised away: `entry` lives in another translation unit and
 * we link without LTO, so here it is an opaque external call that may read and write
 * the buffer. The compiler must make every call and cannot hoist or merge them, while
 * `entry` itself is compiled with full -O2. The cost is one direct call per run (about
 * a nanosecond), the counterpart of the JIT's JS-to-Wasm call. Every result is compared
 * with the first one inside the timed loop, as the JIT's timed task checks its result.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t entry(uint8_t *mem, uint64_t len);

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  /* 8-byte aligned like the eBPF input area, and never zero-sized. */
  uint8_t *buf = aligned_alloc(64, ((size_t)size + 64) / 64 * 64);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) { perror("read"); exit(2); }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

/* Run `runs` times; exit if any result differs from `expected`. Returns elapsed ns. */
static uint64_t timed_batch(uint8_t *mem, uint64_t len, uint64_t runs, uint64_t expected) {
  uint64_t start = now_ns();
  for (uint64_t i = 0; i < runs; i++) {
    if (entry(mem, len) != expected) {
      fprintf(stderr, "result changed between runs\n");
      exit(3);
    }
  }
  return now_ns() - start;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <input-file> <samples> <sample-ms>\n", argv[0]);
    return 2;
  }
  size_t len;
  uint8_t *mem = read_file(argv[1], &len);
  int samples = atoi(argv[2]);
  uint64_t sample_ns = (uint64_t)(atof(argv[3]) * 1e6);
  if (samples < 1) samples = 1;

  uint64_t result = entry(mem, len);
  uint64_t batch = 1;
  while (timed_batch(mem, len, batch, result) < sample_ns && batch < (1ull << 40)) batch *= 2;

  double *per_run = malloc(sizeof(double) * (size_t)samples);
  for (int s = 0; s < samples; s++) per_run[s] = (double)timed_batch(mem, len, batch, result) / (double)batch;
  qsort(per_run, (size_t)samples, sizeof(double), compare_double);
  double median = samples % 2 ? per_run[samples / 2] : (per_run[samples / 2 - 1] + per_run[samples / 2]) / 2;

  printf("result %llu\nbatch %llu\nns_per_run %.3f\n", (unsigned long long)result, (unsigned long long)batch, median);
  return 0;
}
