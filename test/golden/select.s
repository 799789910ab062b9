# if-conversion (src/jit/if-conversion.ts): two branches on a loaded byte around ALU
# code become selects; the branch on the length stays a branch.
ldxb %r3, [%r1+0]
mov %r0, 1
jlt %r3, 16, +2
lsh %r0, 4
add32 %r0, %r3
jset %r3, 1, +1
xor %r0, -1
jne %r2, 1, +1
add %r0, 100
exit
