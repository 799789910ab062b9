(module
 (type $0 (func (param i64)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "abort_with" (func $fimport$0 (type $0) (param i64)))
 (global $input_len (mut i32) (i32.const 0))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (global.set $input_len
   (local.get $2)
  )
  (if
   (i32.lt_u
    (global.get $input_len)
    (i32.const 14)
   )
   (then
    (call $fimport$0
     (i64.const 0)
    )
    (unreachable)
   )
  )
  (if
   (i32.lt_u
    (global.get $input_len)
    (i32.add
     (local.tee $0
      (i32.add
       (i32.or
        (i32.shl
         (i32.and
          (local.tee $0
           (i32.load16_u align=1
            (i32.const 131084)
           )
          )
          (i32.const 255)
         )
         (i32.const 8)
        )
        (i32.shr_u
         (local.get $0)
         (i32.const 8)
        )
       )
       (i32.const 2)
      )
     )
     (i32.const 1)
    )
   )
   (then
    (call $fimport$0
     (i64.const 0)
    )
    (unreachable)
   )
  )
  (i64.load8_u
   (i32.add
    (local.get $0)
    (i32.const 131072)
   )
  )
 )
)
