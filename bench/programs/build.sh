#!/bin/sh
# Regenerate the benchmark programs: <name>.c -> <name>.o (BPF ELF) -> <name>.bin (the raw
# instructions of its "prog" section). Needs clang-14 and llvm-14 (Debian: apt-get install
# clang-14 llvm-14). The .o and .bin files are checked in, so the bench and the tests do
# not need a compiler. Pass --dump to print each program's disassembly.
#
# -mcpu=v3   ALU32 and JMP32 instructions (what current kernels and clang releases default to)
# -fno-builtin  keep byte loops as loops: no memcpy/memset calls, which BPF cannot lower
set -eu
cd "$(dirname "$0")"

CLANG=${CLANG:-clang-14}
OBJCOPY=${OBJCOPY:-llvm-objcopy-14}
OBJDUMP=${OBJDUMP:-llvm-objdump-14}
READELF=${READELF:-llvm-readelf-14}
DUMP=0
[ "${1:-}" = "--dump" ] && DUMP=1

fail() { echo "build.sh: $*" >&2; exit 1; }

for src in *.c; do
  name=${src%.c}
  "$CLANG" -O2 -g0 -target bpf -mcpu=v3 -fno-builtin -Wall -Werror -c "$src" -o "$name.o"

  # The loader does not exist yet: the programs must be self-contained. No relocation
  # sections, no data sections, nothing in .text (every helper function inlined).
  sections=$("$READELF" -S -W "$name.o")
  if echo "$sections" | grep -Eq '\.rel|\.(ro)?data|\.bss'; then
    echo "$sections" >&2; fail "$name.o needs relocations or global data"
  fi
  text_size=$(echo "$sections" | awk '$2 == ".text" { print $6 }')
  if [ -n "$text_size" ] && [ "$((0x$text_size))" -ne 0 ]; then
    fail "$name.o has code outside the prog section (a function was not inlined)"
  fi

  "$OBJCOPY" -O binary --only-section=prog "$name.o" "$name.bin"
  size=$(wc -c < "$name.bin")
  [ $((size % 8)) -eq 0 ] && [ "$size" -gt 0 ] || fail "$name.bin has a bad size ($size bytes)"
  echo "$name: $((size / 8)) instruction slots"
  [ $DUMP -eq 1 ] && "$OBJDUMP" -d --no-show-raw-insn "$name.o"
done
exit 0
