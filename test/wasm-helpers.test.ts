import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { loadProgram } from '../src/engine.js';
import { RuntimeTrap } from '../src/errors.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';

/** Helpers written in WebAssembly text, instantiated against the runtime's memory. */
async function wasmHelpers(runtime: Runtime) {
  const wabt = await wabtInit();
  const module = wabt.parseWat('helpers.wat', `(module
    (import "env" "memory" (memory 0 65536))
    ;; r0 = r1 * r2 + the pc of the call
    (func (export "mul_add_pc") (param i64 i64 i32) (result i64)
      (i64.add (i64.mul (local.get 0) (local.get 1)) (i64.extend_i32_u (local.get 2))))
    ;; r0 = the byte at address r1 (no checks: the program passes its input)
    (func (export "peek") (param i64 i32) (result i64)
      (i64.load8_u (i32.wrap_i64 (local.get 0))))
    (func (export "constant") (param i32) (result i64) (i64.const -1))
    (func (export "crash") (param i32) (result i64) (unreachable))
    (func (export "too_many") (param i64 i64 i64 i64 i64 i64 i32) (result i64) (i64.const 0)))`);
  const { buffer } = module.toBinary({});
  module.destroy();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(buffer), { env: { memory: runtime.memory } });
  return instance.exports as Record<string, (...args: never[]) => unknown>;
}

describe.each(['interp', 'jit'] as EngineName[])('helpers in WebAssembly (%s)', (engine) => {
  it('are called with their arity and the pc, and may read program memory', async () => {
    const helpers = new HelperRegistry();
    const runtime = new Runtime({ helpers });
    const x = await wasmHelpers(runtime);
    helpers.defineWasm(10, x.mul_add_pc).defineWasm(11, x.peek).defineWasm(12, x.constant);
    expect(helpers.get(10)!.proto.args).toHaveLength(2);
    const prog = loadProgram(assemble(`
      mov %r6, %r1
      mov %r1, 6
      mov %r2, 7
      call 10            # pc 3: 6 * 7 + 3
      mov %r7, %r0
      mov %r1, %r6
      add %r1, 2
      call 11            # the input's third byte
      add %r0, %r7
      call 12            # all ones, as an unsigned r0
      add %r0, %r7
      exit`), { engine, runtime });
    expect(prog(Uint8Array.of(0, 0, 100))).toBe(44n);
    expect(loadProgram(assemble('call 12\nexit'), { engine, runtime })()).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('turn a Wasm trap into a RuntimeTrap, and refuse functions of the wrong shape', async () => {
    const helpers = new HelperRegistry();
    const runtime = new Runtime({ helpers });
    const x = await wasmHelpers(runtime);
    helpers.defineWasm(13, x.crash);
    const prog = loadProgram(assemble('mov %r0, 0\ncall 13\nexit'), { engine, runtime });
    expect(() => prog()).toThrow(RuntimeTrap);
    expect(() => prog()).toThrow(/WASM_TRAP|unexpected Wasm trap/);
    expect(() => helpers.defineWasm(14, x.too_many)).toThrow(/0-5 i64 arguments/);
  });
});
