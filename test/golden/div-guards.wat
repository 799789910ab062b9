(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "heap_end" (global $gimport$0 (mut i32)))
 (import "env" "trap_oob" (func $fimport$0 (type $0) (param i32 i64 i32)))
 (global $input_lim8 (mut i64) (i64.const 0))
 (global $ctx_lim8 (mut i64) (i64.const 0))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (local $5 i64)
  (local $6 i64)
  (global.set $input_lim8
   (select
    (i64.sub
     (i64.extend_i32_u
      (local.get $2)
     )
     (i64.const 7)
    )
    (i64.const 0)
    (i32.ge_u
     (local.get $2)
     (i32.const 8)
    )
   )
  )
  (global.set $ctx_lim8
   (select
    (i64.sub
     (i64.extend_i32_u
      (local.get $3)
     )
     (i64.const 7)
    )
    (i64.const 0)
    (i32.ge_u
     (local.get $3)
     (i32.const 8)
    )
   )
  )
  (if
   (i64.le_u
    (global.get $input_lim8)
    (i64.sub
     (local.tee $5
      (i64.extend_i32_u
       (local.get $0)
      )
     )
     (i64.const 131072)
    )
   )
   (then
    (if
     (i32.eqz
      (i32.or
       (i32.and
        (i64.le_u
         (local.get $5)
         (i64.sub
          (i64.extend_i32_u
           (global.get $gimport$0)
          )
          (i64.const 8)
         )
        )
        (i64.ge_u
         (local.get $5)
         (i64.const 1179648)
        )
       )
       (i32.or
        (i64.lt_u
         (i64.sub
          (local.get $5)
          (i64.const 65536)
         )
         (i64.const 4089)
        )
        (i64.gt_u
         (global.get $ctx_lim8)
         (i64.sub
          (local.get $5)
          (i64.const 73728)
         )
        )
       )
      )
     )
     (then
      (call $fimport$0
       (i32.const 0)
       (local.get $5)
       (i32.const 8)
      )
      (unreachable)
     )
    )
   )
  )
  (local.set $5
   (if (result i64)
    (i64.eqz
     (local.tee $5
      (local.tee $6
       (i64.load align=1
        (i32.wrap_i64
         (local.get $5)
        )
       )
      )
     )
    )
    (then
     (i64.const 0)
    )
    (else
     (i64.div_u
      (i64.const 100)
      (local.get $5)
     )
    )
   )
  )
  (local.set $5
   (if (result i64)
    (i64.eqz
     (local.get $6)
    )
    (then
     (i64.const 0)
    )
    (else
     (if (result i64)
      (i64.eq
       (local.get $6)
       (i64.const -1)
      )
      (then
       (i64.sub
        (i64.const 0)
        (local.get $5)
       )
      )
      (else
       (i64.div_s
        (local.get $5)
        (local.get $6)
       )
      )
     )
    )
   )
  )
  (i64.sub
   (i64.const 0)
   (i64.div_u
    (i64.extend_i32_u
     (if (result i32)
      (local.tee $0
       (i32.wrap_i64
        (local.get $6)
       )
      )
      (then
       (i32.rem_u
        (i32.wrap_i64
         (local.get $5)
        )
        (local.get $0)
       )
      )
      (else
       (i32.wrap_i64
        (local.get $5)
       )
      )
     )
    )
    (i64.const 7)
   )
  )
 )
)
