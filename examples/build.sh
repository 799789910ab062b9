#!/bin/sh
# Rebuild the examples' eBPF objects: <name>.bpf.c -> <name>.bpf.o. The objects are
# checked in, so running the examples needs Node only. Needs clang-14 and libbpf-dev
# (Debian: apt-get install clang-14 libbpf-dev); CLANG=... picks another clang.
#
# -g puts BTF in the object, which is where the .maps definitions are described;
# -I/usr/include/x86_64-linux-gnu finds <asm/types.h>; -fdebug-prefix-map keeps the
# build directory out of the debug info, so a rebuild elsewhere gives the same bytes.
set -eu
cd "$(dirname "$0")"
for src in *.bpf.c; do
  obj=${src%.c}.o
  "${CLANG:-clang-14}" -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
    -I/usr/include/x86_64-linux-gnu -fdebug-prefix-map="$PWD"=. -c "$src" -o "$obj"
  echo "$obj: $(wc -c < "$obj") bytes"
done
