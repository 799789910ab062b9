(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "heap_end" (global $gimport$0 (mut i32)))
 (import "env" "trap_oob" (func $fimport$0 (type $0) (param i32 i64 i32)))
 (global $input_lim4 (mut i64) (i64.const 0))
 (global $ctx_lim4 (mut i64) (i64.const 0))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (local $5 i64)
  (global.set $input_lim4
   (select
    (i64.sub
     (i64.extend_i32_u
      (local.get $2)
     )
     (i64.const 3)
    )
    (i64.const 0)
    (i32.ge_u
     (local.get $2)
     (i32.const 4)
    )
   )
  )
  (global.set $ctx_lim4
   (select
    (i64.sub
     (i64.extend_i32_u
      (local.get $3)
     )
     (i64.const 3)
    )
    (i64.const 0)
    (i32.ge_u
     (local.get $3)
     (i32.const 4)
    )
   )
  )
  (if
   (i64.le_u
    (global.get $input_lim4)
    (i64.sub
     (local.tee $5
      (i64.extend_i32_u
       (local.get $0)
      )
     )
     (i64.const 131068)
    )
   )
   (then
    (if
     (i32.eqz
      (i32.or
       (if (result i32)
        (i64.ge_u
         (local.get $5)
         (i64.const 1179644)
        )
        (then
         (i64.le_u
          (i64.add
           (local.get $5)
           (i64.const 4)
          )
          (i64.sub
           (i64.extend_i32_u
            (global.get $gimport$0)
           )
           (i64.const 4)
          )
         )
        )
        (else
         (i32.const 0)
        )
       )
       (i32.or
        (i64.lt_u
         (i64.sub
          (local.get $5)
          (i64.const 65532)
         )
         (i64.const 4093)
        )
        (i64.gt_u
         (global.get $ctx_lim4)
         (i64.sub
          (local.get $5)
          (i64.const 73724)
         )
        )
       )
      )
     )
     (then
      (call $fimport$0
       (i32.const 0)
       (i64.add
        (local.get $5)
        (i64.const 4)
       )
       (i32.const 4)
      )
      (unreachable)
     )
    )
   )
  )
  (i64.store32 align=1
   (i32.const 69624)
   (i64.load32_u align=1
    (i32.wrap_i64
     (i64.add
      (local.get $5)
      (i64.const 4)
     )
    )
   )
  )
  (i64.extend_i32_u
   (i32.or
    (i32.rotl
     (i32.and
      (i32.wrap_i64
       (local.tee $5
        (i64.load32_u align=1
         (i32.const 69624)
        )
       )
      )
      (i32.const -16711936)
     )
     (i32.const 8)
    )
    (i32.rotr
     (i32.and
      (i32.wrap_i64
       (local.get $5)
      )
      (i32.const 16711935)
     )
     (i32.const 8)
    )
   )
  )
 )
)
