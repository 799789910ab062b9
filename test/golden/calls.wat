(module
 (type $0 (func (param i64 i64 i64 i64 i64 i32) (result i64)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "helpers" "h1" (func $fimport$0 (type $0) (param i64 i64 i64 i64 i64 i32) (result i64)))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (call $fimport$0
   (i64.const 3)
   (i64.extend_i32_u
    (local.get $1)
   )
   (i64.const 0)
   (i64.const 0)
   (i64.const 0)
   (i32.const 2)
  )
 )
)
