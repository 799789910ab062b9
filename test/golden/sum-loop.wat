(module
 (type $0 (func (param i32 i32)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "env" "trap" (func $fimport$0 (type $0) (param i32 i32)))
 (global $budget (mut i64) (i64.const 0))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (local $5 i64)
  (local $6 i64)
  (local $7 i64)
  (global.set $budget
   (i64.trunc_sat_f64_u
    (local.get $4)
   )
  )
  (local.set $5
   (global.get $budget)
  )
  (local.set $6
   (i64.const 10)
  )
  (loop $label
   (local.set $7
    (i64.add
     (local.get $6)
     (local.get $7)
    )
   )
   (if
    (i64.ne
     (local.tee $6
      (i64.sub
       (local.get $6)
       (i64.const 1)
      )
     )
     (i64.const 0)
    )
    (then
     (if
      (i64.lt_s
       (local.tee $5
        (i64.sub
         (local.get $5)
         (i64.const 3)
        )
       )
       (i64.const 0)
      )
      (then
       (call $fimport$0
        (i32.const 1)
        (i32.const 4)
       )
       (unreachable)
      )
     )
     (br $label)
    )
   )
  )
  (global.set $budget
   (local.get $5)
  )
  (local.get $7)
 )
)
