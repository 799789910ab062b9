(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i64 i32 i32) (result i32)))
 (type $2 (func (param i32 i32)))
 (type $3 (func (param i64)))
 (type $4 (func (param i64 i32) (result i64)))
 (type $5 (func (param i64 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "heap_end" (global $gimport$0 (mut i32)))
 (import "env" "input_len" (global $gimport$1 (mut i32)))
 (import "env" "ctx_len" (global $gimport$2 (mut i32)))
 (import "env" "trap_oob" (func $fimport$0 (type $0) (param i32 i64 i32)))
 (import "env" "value_accessible" (func $fimport$1 (type $1) (param i64 i32 i32) (result i32)))
 (import "env" "trap" (func $fimport$2 (type $2) (param i32 i32)))
 (import "env" "abort_with" (func $fimport$3 (type $3) (param i64)))
 (import "helpers" "h1" (func $fimport$4 (type $4) (param i64 i32) (result i64)))
 (global $budget (mut i64) (i64.const 0))
 (global $fast_loops (mut i32) (i32.const 0))
 (global $input_lim1 (mut i64) (i64.const 0))
 (global $ctx_lim1 (mut i64) (i64.const 0))
 (global $input_lim2 (mut i64) (i64.const 0))
 (global $ctx_lim2 (mut i64) (i64.const 0))
 (global $input_lim4 (mut i64) (i64.const 0))
 (global $ctx_lim4 (mut i64) (i64.const 0))
 (global $input_lim8 (mut i64) (i64.const 0))
 (global $ctx_lim8 (mut i64) (i64.const 0))
 (export "fast_loops" (global $fast_loops))
 (export "run" (func $run))
 (func $run (type $5) (param $0 i64) (param $1 i32) (param $2 i32) (param $3 f64) (result i64)
  (local $r0 i64)
  (local $r1 i64)
  (local $r2 i64)
  (local $r3 i64)
  (local $r4 i64)
  (local $r5 i64)
  (local $r6 i64)
  (local $r7 i64)
  (local $r8 i64)
  (local $r9 i64)
  (local $r10 i64)
  (local $15 i64)
  (local $16 i64)
  (local $17 i64)
  (local $18 i64)
  (local $19 i64)
  (local $20 i64)
  (local $21 i64)
  (local $22 i64)
  (local $23 i64)
  (local $24 i64)
  (local $25 i64)
  (local $26 i32)
  (local $27 i32)
  (return
   (block $block1 (result i64)
    (local.set $r0
     (i64.const 0)
    )
    (local.set $r1
     (local.get $0)
    )
    (local.set $r2
     (i64.extend_i32_u
      (local.get $1)
     )
    )
    (local.set $r3
     (i64.const 0)
    )
    (local.set $r4
     (i64.const 0)
    )
    (local.set $r5
     (i64.const 0)
    )
    (local.set $r6
     (i64.const 0)
    )
    (local.set $r7
     (i64.const 0)
    )
    (local.set $r8
     (i64.const 0)
    )
    (local.set $r9
     (i64.const 0)
    )
    (local.set $r10
     (i64.const 69632)
    )
    (local.set $26
     (i32.const 0)
    )
    (local.set $15
     (i64.const 0)
    )
    (local.set $16
     (i64.const 0)
    )
    (local.set $17
     (i64.const 0)
    )
    (local.set $18
     (i64.const 0)
    )
    (local.set $19
     (i64.const 0)
    )
    (local.set $20
     (i64.const 0)
    )
    (local.set $21
     (i64.const 0)
    )
    (local.set $22
     (i64.const 0)
    )
    (local.set $23
     (i64.const 0)
    )
    (local.set $24
     (i64.const 0)
    )
    (local.set $25
     (i64.const 0)
    )
    (local.set $27
     (i32.const 0)
    )
    (local.set $r1
     (i64.const 3)
    )
    (if
     (i64.lt_u
      (i64.sub
       (local.get $r10)
       (i64.const 512)
      )
      (i64.const 66048)
     )
     (then
      (call $fimport$2
       (i32.const 2)
       (i32.const 1)
      )
      (unreachable)
     )
    )
    (local.set $r0
     (block $block (result i64)
      (local.set $15
       (local.get $r0)
      )
      (local.set $16
       (local.get $r1)
      )
      (local.set $17
       (local.get $r2)
      )
      (local.set $18
       (local.get $r3)
      )
      (local.set $19
       (local.get $r4)
      )
      (local.set $20
       (local.get $r5)
      )
      (local.set $21
       (local.get $r6)
      )
      (local.set $22
       (local.get $r7)
      )
      (local.set $23
       (local.get $r8)
      )
      (local.set $24
       (local.get $r9)
      )
      (local.set $25
       (i64.sub
        (local.get $r10)
        (i64.const 512)
       )
      )
      (local.set $27
       (i32.const 0)
      )
      (local.set $15
       (local.get $16)
      )
      (local.set $15
       (i64.add
        (local.get $15)
        (local.get $15)
       )
      )
      (br $block
       (local.get $15)
      )
     )
    )
    (local.set $r0
     (call $fimport$4
      (local.get $r1)
      (i32.const 2)
     )
    )
    (br $block1
     (local.get $r0)
    )
   )
  )
 )
)
