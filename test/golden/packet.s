# Legacy packet loads: network byte order, out of range ends the program with r0 = 0
ldabsh 12
mov %r6, %r0
ldindb %r6, 2
exit
