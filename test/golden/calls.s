# A local call (depth check, r0..r9 passed, fresh frame) and a helper import
mov %r1, 3
call local double
call 1
exit
double:
mov %r0, %r1
add %r0, %r0
exit
