# Guarded division: register divisors need the zero (and -1) checks, immediates do not
ldxdw %r2, [%r1]
mov %r0, 100
div %r0, %r2
sdiv %r0, %r2
mod32 %r0, %r2
div %r0, 7
sdiv %r0, -1
exit
