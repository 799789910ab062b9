# Input loads go through $mem_check; r10-relative stack accesses inside the frame do not
ldxw %r2, [%r1+4]
stxw [%r10-8], %r2
ldxw %r0, [%r10-8]
be32 %r0
exit
