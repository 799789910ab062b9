import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { computeLayout } from '../src/abi/layout.js';
import { mapsModuleWat } from '../src/maps/wasm/compile.js';
import { encodeModule } from '../src/maps/wasm/encode.js';
import { inlineModule } from '../src/maps/wasm/inline.js';
import { parseModule, printModule } from '../src/maps/wasm/module-ast.js';
import { parseSexprs, WatSyntaxError } from '../src/maps/wasm/sexpr.js';
import { watLayout } from '../src/maps/wasm/wat-layout.js';

/**
 * The maps module's own text-to-binary path (sexpr.ts, inline.ts, encode.ts), checked
 * against wabt, an independent assembler: both must turn the same text into the same
 * instructions.
 */

const FEATURES = { bulk_memory: true, mutable_globals: true, sign_extension: true };

/** Assemble text, inlining every call except those to `keep`. */
const assemble = (text: string, keep: string[] = []) => {
  const inlined = inlineModule(parseModule(parseSexprs(text)[0]), new Set(keep));
  return { bytes: encodeModule(inlined), text: printModule(inlined) };
};

/** Instantiate with a fresh 1-page memory; the exports. */
function instance(bytes: Uint8Array): Record<string, (...args: never[]) => unknown> {
  const memory = new WebAssembly.Memory({ initial: 1 });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { env: { memory } }).exports as never;
}

describe('maps module assembler', () => {
  it('encodes the (inlined) maps module exactly as wabt does', async () => {
    const wabt = await wabtInit();
    const [module] = parseSexprs(mapsModuleWat(watLayout(computeLayout())));
    const inlined = inlineModule(parseModule(module), new Set(['$bad_type', '$corrupt']));
    const ours = encodeModule(inlined);
    const theirs = wabt.parseWat('maps.wat', printModule(inlined), FEATURES).toBinary({}).buffer;
    const text = (bytes: Uint8Array) => {
      const m = wabt.readWasm(bytes, { readDebugNames: false, ...FEATURES });
      m.validate();
      return m.toText({ foldExprs: false, inlineExport: false });
    };
    expect(text(ours)).toBe(text(theirs));
    expect(WebAssembly.validate(ours as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('encodes constants at the edges of their ranges', () => {
    const { bytes } = assemble(`(module
      (func $a (export "a") (result i64) (i64.const 0xff51afd7ed558ccd))
      (func $b (export "b") (result i32) (i32.const 0x80000000))
      (func $c (export "c") (result i64) (i64.const -9223372036854775808))
      (func $d (export "d") (result i32) (i32.const -1)))`);
    const x = instance(bytes);
    expect([x.a(), x.b(), x.c(), x.d()]).toEqual([BigInt.asIntN(64, 0xff51afd7ed558ccdn), -0x80000000, -(2n ** 63n), -1]);
  });

  it('resolves labels by name through nested blocks, loops and ifs', () => {
    const { bytes } = assemble(`(module
      (import "env" "memory" (memory 1))
      (func $sum (export "sum") (param $n i32) (result i32)
        (local $i i32) (local $s i32)
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (if (i32.and (local.get $i) (i32.const 1))
              (then (local.set $s (i32.add (local.get $s) (local.get $i))))
              (else (block $skip (br_if $skip (i32.eqz (local.get $i))) (local.set $s (i32.add (local.get $s) (i32.const 100))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (local.get $s)))`);
    // Odd i are added; even i > 0 add 100: for n = 6, 1 + 3 + 5 + 200.
    expect(instance(bytes).sum(6 as never)).toBe(209);
  });

  it('inlines calls: arguments bound, returns become branches, the callee\'s locals start at 0 on every call', () => {
    const source = `(module
      (func $count_to (param $n i32) (result i32)
        (local $i i32)
        (block $done (loop $again
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $again)))
        (if (i32.eq (local.get $i) (i32.const 3)) (then (return (i32.const 1000))))
        (local.get $i))
      (func $twice (export "twice") (param $n i32) (result i32)
        (local $k i32) (local $total i32)
        (block $done (loop $again
          (br_if $done (i32.ge_u (local.get $k) (i32.const 2)))
          (local.set $total (i32.add (local.get $total) (call $count_to (local.get $n))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $again)))
        (local.get $total)))`;
    const inlined = assemble(source);
    expect(inlined.text).not.toMatch(/call/);
    expect(inlined.text).toMatch(/\$count_to\.0\.exit/);
    const x = instance(inlined.bytes);
    expect([x.twice(5 as never), x.twice(3 as never)]).toEqual([10, 2000]);
    const called = instance(assemble(source, ['$count_to']).bytes);
    expect([called.twice(5 as never), called.twice(3 as never)]).toEqual([10, 2000]);
  });

  it('rejects what it does not know with a WatSyntaxError', () => {
    expect(() => assemble('(module (func $f (export "f") (f32.const 1)))')).toThrow(WatSyntaxError);
    expect(() => assemble('(module (func $f (export "f") (br $nowhere)))')).toThrow(/unknown label/);
    expect(() => assemble('(module (func $f (export "f") (drop (local.get $x))))')).toThrow(/unknown local/);
    expect(() => assemble('(module (table 1 funcref))')).toThrow(/unsupported module field/);
    expect(() => parseSexprs('(module')).toThrow(/unbalanced/);
  });
});
