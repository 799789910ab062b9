/*
 * libpcap reference for `npm run bench:filter`: times pcap_offline_filter, libpcap's
 * classic BPF interpreter, over the packets of a capture held in memory.
 *
 *   pcap_filter <capture.pcap> <samples>     expressions on stdin, one a line
 *
 * The capture is read once with pcap_next_ex and its packets copied into one buffer, so
 * the timed loop touches only memory, as the JIT's batch does. For each expression it
 * prints one line: "ok <matches> <ns per packet>", the median of <samples> passes over
 * all packets, or "error <libpcap's message>" when pcap_compile refuses it. The
 * expression is compiled as tcpdump compiles it: optimised, for DLT_EN10MB, netmask
 * unknown. The match count of every pass is compared with the first, so a pass the
 * compiler could drop would print a wrong count instead of a time.
 */
#define _DEFAULT_SOURCE /* u_char and u_int, which pcap.h uses */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct capture {
  struct pcap_pkthdr *headers;
  const u_char **data;
  size_t count;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct capture read_capture(const char *path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(path, err);
  if (!p) { fprintf(stderr, "%s\n", err); exit(2); }
  size_t cap = 1024, bytes_cap = 1 << 20, bytes = 0;
  struct capture c = { malloc(cap * sizeof *c.headers), malloc(cap * sizeof *c.data), 0 };
  size_t *offsets = malloc(cap * sizeof *offsets);
  u_char *buffer = malloc(bytes_cap);
  struct pcap_pkthdr *h;
  const u_char *d;
  int r;
  while ((r = pcap_next_ex(p, &h, &d)) == 1) {
    if (c.count == cap) {
      cap *= 2;
      c.headers = realloc(c.headers, cap * sizeof *c.headers);
      c.data = realloc(c.data, cap * sizeof *c.data);
      offsets = realloc(offsets, cap * sizeof *offsets);
    }
    while (bytes + h->caplen > bytes_cap) buffer = realloc(buffer, bytes_cap *= 2);
    c.headers[c.count] = *h;
    offsets[c.count++] = bytes;
    memcpy(buffer + bytes, d, h->caplen);
    bytes += h->caplen;
  }
  if (r != PCAP_ERROR_BREAK) { fprintf(stderr, "%s: %s\n", path, pcap_geterr(p)); exit(2); }
  pcap_close(p);
  /* The packets back to back in one buffer, as they lie in the JIT's batch. */
  for (size_t i = 0; i < c.count; i++) c.data[i] = buffer + offsets[i];
  free(offsets);
  return c;
}

static size_t pass(const struct bpf_program *prog, const struct capture *c) {
  size_t matches = 0;
  for (size_t i = 0; i < c->count; i++) matches += pcap_offline_filter(prog, &c->headers[i], c->data[i]) != 0;
  return matches;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <capture.pcap> <samples>  (expressions on stdin)\n", argv[0]);
    return 2;
  }
  struct capture c = read_capture(argv[1]);
  int samples = atoi(argv[2]);
  if (samples < 1) samples = 1;
  double *per_packet = malloc(sizeof(double) * (size_t)samples);
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    struct bpf_program prog;
    if (pcap_compile(dead, &prog, line, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      printf("error %s\n", pcap_geterr(dead));
      fflush(stdout);
      continue;
    }
    size_t expected = pass(&prog, &c);
    for (int s = 0; s < samples; s++) {
      uint64_t start = now_ns();
      size_t got = pass(&prog, &c);
      uint64_t elapsed = now_ns() - start;
      if (got != expected) { fprintf(stderr, "'%s': %zu matches, then %zu\n", line, expected, got); return 3; }
      per_packet[s] = (double)elapsed / (double)c.count;
    }
    qsort(per_packet, (size_t)samples, sizeof(double), compare_double);
    printf("ok %zu %.3f\n", expected, per_packet[samples / 2]);
    fflush(stdout);
    pcap_freecode(&prog);
  }
  pcap_close(dead);
  return 0;
}
