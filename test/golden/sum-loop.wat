(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i64 i32 i32) (result i32)))
 (type $2 (func (param i32 i32)))
 (type $3 (func (param i64)))
 (type $4 (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
 (type $5 (func (param i64 i32 i32 f64) (result i64)))
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
 (func $f0 (type $4) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (result i64)
  (local $11 i64)
  (local $12 i64)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local.set $11
   (global.get $budget)
  )
  (block $block1
   (local.set $r0
    (i64.const 0)
   )
   (local.set $r1
    (i64.const 10)
   )
   (local.set $13
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
    (local.set $12
     (i64.sub
      (local.get $r1)
      (i64.const 1)
     )
    )
    (br_if $block
     (i64.ge_u
      (local.get $12)
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
       (local.get $12)
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
       (local.get $12)
       (i64.const 3)
      )
      (local.get $11)
     )
    )
    (local.set $14
     (i32.const 0)
    )
    (global.set $fast_loops
     (i32.add
      (global.get $fast_loops)
      (i32.const 1)
     )
    )
    (local.set $13
     (i32.const 1)
    )
   )
   (if
    (local.get $13)
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
        (local.set $14
         (i32.add
          (local.get $14)
          (i32.const 1)
         )
        )
        (br $label)
       )
       (else
        (local.set $11
         (i64.sub
          (local.get $11)
          (i64.mul
           (i64.extend_i32_u
            (local.get $14)
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
        (local.set $11
         (i64.sub
          (local.get $11)
          (i64.const 3)
         )
        )
        (if
         (i64.lt_s
          (local.get $11)
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
   (local.get $11)
  )
  (return
   (local.get $r0)
  )
 )
 (func $run (type $5) (param $0 i64) (param $1 i32) (param $2 i32) (param $3 f64) (result i64)
  (global.set $budget
   (i64.trunc_sat_f64_u
    (local.get $3)
   )
  )
  (return
   (call $f0
    (i64.const 0)
    (local.get $0)
    (i64.extend_i32_u
     (local.get $1)
    )
    (i64.const 0)
    (i64.const 0)
    (i64.const 0)
    (i64.const 0)
    (i64.const 0)
    (i64.const 0)
    (i64.const 0)
    (i64.const 69632)
   )
  )
 )
)
