(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i64 i32 i32) (result i32)))
 (type $2 (func (param i32 i32)))
 (type $3 (func (param i64)))
 (type $4 (func (param i64 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "heap_end" (global $gimport$0 (mut i32)))
 (import "env" "input_len" (global $gimport$1 (mut i32)))
 (import "env" "ctx_len" (global $gimport$2 (mut i32)))
 (import "env" "trap_oob" (func $fimport$0 (type $0) (param i32 i64 i32)))
 (import "env" "value_accessible" (func $fimport$1 (type $1) (param i64 i32 i32) (result i32)))
 (import "env" "trap" (func $fimport$2 (type $2) (param i32 i32)))
 (import "env" "abort_with" (func $fimport$3 (type $3) (param i64)))
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
 (func $run (type $4) (param $0 i64) (param $1 i32) (param $2 i32) (param $3 f64) (result i64)
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
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (global.set $budget
   (i64.trunc_sat_f64_u
    (local.get $3)
   )
  )
  (local.set $r1
   (local.get $0)
  )
  (local.set $r2
   (i64.extend_i32_u
    (local.get $1)
   )
  )
  (local.set $r10
   (i64.const 69632)
  )
  (local.set $15
   (global.get $budget)
  )
  (block $block1
   (local.set $r0
    (i64.const 0)
   )
   (local.set $r1
    (i64.const 10)
   )
   (local.set $17
    (i32.const 0)
   )
   (block $block
    (br_if $block
     (i64.lt_s
      (i64.sub
       (local.get $r1)
       (i64.const 1)
      )
      (i64.const 0)
     )
    )
    (local.set $16
     (i64.sub
      (local.get $r1)
      (i64.const 1)
     )
    )
    (br_if $block
     (i64.ge_u
      (local.get $16)
      (i64.const 2147483648)
     )
    )
    (br_if $block
     (i64.ge_u
      (i64.sub
       (local.get $r1)
       (i64.const 1)
      )
      (i64.const 4611686018427387905)
     )
    )
    (br_if $block
     (i64.ge_u
      (i64.sub
       (i64.sub
        (local.get $r1)
        (i64.const 1)
       )
       (local.get $16)
      )
      (i64.const 4611686018427387905)
     )
    )
    (br_if $block
     (i32.const 0)
    )
    (br_if $block
     (i64.gt_s
      (i64.mul
       (local.get $16)
       (i64.const 3)
      )
      (local.get $15)
     )
    )
    (local.set $18
     (i32.const 0)
    )
    (global.set $fast_loops
     (i32.add
      (global.get $fast_loops)
      (i32.const 1)
     )
    )
    (local.set $17
     (i32.const 1)
    )
   )
   (if
    (local.get $17)
    (then
     (loop $label
      (local.set $r0
       (i64.add
        (local.get $r0)
        (local.get $r1)
       )
      )
      (local.set $r1
       (i64.sub
        (local.get $r1)
        (i64.const 1)
       )
      )
      (if
       (i64.ne
        (local.get $r1)
        (i64.const 0)
       )
       (then
        (local.set $18
         (i32.add
          (local.get $18)
          (i32.const 1)
         )
        )
        (br $label)
       )
       (else
        (local.set $15
         (i64.sub
          (local.get $15)
          (i64.mul
           (i64.extend_i32_u
            (local.get $18)
           )
           (i64.const 3)
          )
         )
        )
        (br $block1)
       )
      )
      (unreachable)
     )
     (unreachable)
    )
    (else
     (loop $label1
      (local.set $r0
       (i64.add
        (local.get $r0)
        (local.get $r1)
       )
      )
      (local.set $r1
       (i64.sub
        (local.get $r1)
        (i64.const 1)
       )
      )
      (if
       (i64.ne
        (local.get $r1)
        (i64.const 0)
       )
       (then
        (local.set $15
         (i64.sub
          (local.get $15)
          (i64.const 3)
         )
        )
        (if
         (i64.lt_s
          (local.get $15)
          (i64.const 0)
         )
         (then
          (call $fimport$2
           (i32.const 1)
           (i32.const 4)
          )
          (unreachable)
         )
        )
        (br $label1)
       )
       (else
        (br $block1)
       )
      )
      (unreachable)
     )
     (unreachable)
    )
   )
   (unreachable)
  )
  (global.set $budget
   (local.get $15)
  )
  (return
   (local.get $r0)
  )
 )
)
