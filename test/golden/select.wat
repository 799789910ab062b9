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
  (global.set $input_lim1
   (select
    (i64.extend_i32_u
     (local.get $1)
    )
    (i64.const 0)
    (local.get $1)
   )
  )
  (global.set $ctx_lim1
   (select
    (i64.extend_i32_u
     (local.get $2)
    )
    (i64.const 0)
    (local.get $2)
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
  (block $block
   (if
    (i64.le_u
     (global.get $input_lim1)
     (i64.sub
      (local.get $r1)
      (i64.const 131072)
     )
    )
    (then
     (if
      (i32.eqz
       (i32.or
        (i32.or
         (i64.lt_u
          (i64.sub
           (local.get $r1)
           (i64.const 65536)
          )
          (i64.const 4096)
         )
         (i64.gt_u
          (global.get $ctx_lim1)
          (i64.sub
           (local.get $r1)
           (i64.const 73728)
          )
         )
        )
        (if (result i32)
         (i32.and
          (i64.ge_u
           (local.get $r1)
           (i64.const 1179648)
          )
          (i64.ge_u
           (i64.sub
            (i64.extend_i32_u
             (global.get $gimport$0)
            )
            (i64.const 1)
           )
           (local.get $r1)
          )
         )
         (then
          (call $fimport$1
           (local.get $r1)
           (i32.const 1)
           (i32.const 0)
          )
         )
         (else
          (i32.const 0)
         )
        )
       )
      )
      (then
       (call $fimport$0
        (i32.const 0)
        (local.get $r1)
        (i32.const 1)
       )
       (unreachable)
      )
     )
    )
   )
   (local.set $r3
    (i64.load8_u
     (i32.wrap_i64
      (local.get $r1)
     )
    )
   )
   (local.set $r0
    (i64.const 1)
   )
   (local.set $17
    (i64.lt_u
     (local.get $r3)
     (i64.const 16)
    )
   )
   (local.set $15
    (local.get $r0)
   )
   (local.set $15
    (i64.shl
     (local.get $15)
     (i64.const 4)
    )
   )
   (local.set $15
    (i64.extend_i32_u
     (i32.add
      (i32.wrap_i64
       (local.get $15)
      )
      (i32.wrap_i64
       (local.get $r3)
      )
     )
    )
   )
   (local.set $r0
    (select
     (local.get $r0)
     (local.get $15)
     (local.get $17)
    )
   )
   (br $block)
  )
  (block $block1
   (local.set $18
    (i32.wrap_i64
     (i64.and
      (local.get $r3)
      (i64.const 1)
     )
    )
   )
   (local.set $16
    (local.get $r0)
   )
   (local.set $16
    (i64.xor
     (local.get $16)
     (i64.const -1)
    )
   )
   (local.set $r0
    (select
     (local.get $r0)
     (local.get $16)
     (local.get $18)
    )
   )
   (br $block1)
  )
  (block $block2
   (if
    (i64.ne
     (local.get $r2)
     (i64.const 1)
    )
    (then
     (br $block2)
    )
    (else
     (local.set $r0
      (i64.add
       (local.get $r0)
       (i64.const 100)
      )
     )
     (br $block2)
    )
   )
   (unreachable)
  )
  (return
   (local.get $r0)
  )
 )
)
