(module
 (type $0 (func (param i32 i64 i32)))
 (type $1 (func (param i32 i32 i32 i32 f64) (result i64)))
 (import "env" "memory" (memory $mimport$0 0 65536))
 (import "env" "heap_end" (global $gimport$0 (mut i32)))
 (import "env" "trap_oob" (func $fimport$0 (type $0) (param i32 i64 i32)))
 (global $input_len (mut i32) (i32.const 0))
 (global $ctx_len (mut i32) (i32.const 0))
 (export "run" (func $run))
 (func $run (type $1) (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 f64) (result i64)
  (local $5 i64)
  (local $6 i64)
  (global.set $input_len
   (local.get $2)
  )
  (global.set $ctx_len
   (local.get $3)
  )
  (memory.fill
   (i32.const 65536)
   (i32.const 0)
   (i32.const 4096)
  )
  (local.set $5
   (if (result i64)
    (i64.eqz
     (local.tee $5
      (local.tee $6
       (i64.load align=1
        (block $block (result i32)
         (drop
          (br_if $block
           (i32.wrap_i64
            (local.tee $5
             (i64.extend_i32_u
              (local.get $0)
             )
            )
           )
           (i32.and
            (i64.le_u
             (local.get $5)
             (i64.const 69624)
            )
            (i64.ge_u
             (local.get $5)
             (i64.const 65536)
            )
           )
          )
         )
         (drop
          (br_if $block
           (i32.wrap_i64
            (local.get $5)
           )
           (if (result i32)
            (i64.ge_u
             (local.get $5)
             (i64.const 131072)
            )
            (then
             (i64.le_u
              (local.get $5)
              (i64.add
               (i64.extend_i32_u
                (global.get $input_len)
               )
               (i64.const 131064)
              )
             )
            )
            (else
             (i32.const 0)
            )
           )
          )
         )
         (drop
          (br_if $block
           (i32.wrap_i64
            (local.get $5)
           )
           (if (result i32)
            (i64.ge_u
             (local.get $5)
             (i64.const 73728)
            )
            (then
             (i64.le_u
              (local.get $5)
              (i64.add
               (i64.extend_i32_u
                (global.get $ctx_len)
               )
               (i64.const 73720)
              )
             )
            )
            (else
             (i32.const 0)
            )
           )
          )
         )
         (drop
          (br_if $block
           (i32.wrap_i64
            (local.get $5)
           )
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
          )
         )
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
