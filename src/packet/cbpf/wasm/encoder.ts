/**
 * Just enough of the WebAssembly binary format to write one module by hand: LEB128
 * numbers, sections, and a code buffer with the few instructions a classic filter needs.
 * The batch compiler (batch-module.ts) writes its module with this instead of Binaryen:
 * a filter is a few dozen forward branches, nothing an optimiser improves that V8's
 * TurboFan does not, and building Binaryen IR and running passes cost milliseconds.
 */

export const OP = {
  unreachable: 0x00, select: 0x1b, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, globalSet: 0x24,
  i32Load: 0x28, i32Load8U: 0x2d, i32Load16U: 0x2f, i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i64LtU: 0x54, i64GtU: 0x56,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivU: 0x6e, i32RemU: 0x70, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73,
  i32Shl: 0x74, i32ShrU: 0x76,
  i64Add: 0x7c, i64Mul: 0x7e,
  i64ExtendI32U: 0xad,
} as const;

export const TYPE = { i32: 0x7f, i64: 0x7e, void: 0x40, func: 0x60 } as const;

/** Bytes with LEB128 writers. */
export class ByteWriter {
  readonly bytes: number[] = [];

  byte(...values: number[]): this {
    for (const v of values) this.bytes.push(v);
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.bytes.push(v !== 0 ? b | 0x80 : b);
    } while (v !== 0);
    return this;
  }

  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.bytes.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    this.u32(utf8.length);
    for (const b of utf8) this.bytes.push(b);
    return this;
  }

  /** A length-prefixed vector of what `fill` writes. */
  sized(fill: (w: ByteWriter) => void): this {
    const inner = new ByteWriter();
    fill(inner);
    this.u32(inner.bytes.length);
    for (const b of inner.bytes) this.bytes.push(b);
    return this;
  }
}

/** Function code: the instructions of the writers above, with memory arguments and constants. */
export class CodeWriter extends ByteWriter {
  op(code: number): this {
    return this.byte(code);
  }

  get(local: number): this {
    return this.byte(OP.localGet).u32(local);
  }

  set(local: number): this {
    return this.byte(OP.localSet).u32(local);
  }

  tee(local: number): this {
    return this.byte(OP.localTee).u32(local);
  }

  i32(value: number): this {
    return this.byte(OP.i32Const).s32(value);
  }

  /** A load or store; `align` as log2 (packet bytes are unaligned: 0). */
  mem(code: number, offset: number, align = 0): this {
    return this.byte(code).u32(align).u32(offset);
  }

  block(kind: number = OP.block): this {
    return this.byte(kind, TYPE.void);
  }

  br(depth: number, code: number = OP.br): this {
    return this.byte(code).u32(depth);
  }
}

/** One exported function of a module: its i32 parameters, i32 locals after them, and its code (the final `end` is added). */
export interface FunctionSpec {
  readonly name: string;
  readonly params: number;
  readonly locals: number;
  readonly body: CodeWriter;
}

/**
 * A module of exported functions, each (i32 x params) -> i32, that imports its memory as
 * env.memory (no maximum: any memory satisfies it, shared or not) and exports `globals`,
 * mutable i32 globals starting at 0, by name (a function's second and third results).
 */
export function encodeModule(functions: readonly FunctionSpec[], globals: readonly string[] = [], sharedMemory = false): Uint8Array {
  const out = new ByteWriter().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const section = (id: number, fill: (w: ByteWriter) => void) => out.byte(id).sized(fill);
  section(1, (w) => {
    w.u32(functions.length);
    for (const f of functions) w.byte(TYPE.func).u32(f.params).byte(...new Array<number>(f.params).fill(TYPE.i32)).u32(1).byte(TYPE.i32);
  });
  // Limits: flags 0 (min only), or 3 (shared, min and max: a shared memory must declare a maximum).
  section(2, (w) => {
    w.u32(1).name('env').name('memory').byte(0x02);
    if (sharedMemory) w.byte(0x03).u32(0).u32(65536);
    else w.byte(0x00).u32(0);
  });
  section(3, (w) => {
    w.u32(functions.length);
    functions.forEach((_, i) => w.u32(i));
  });
  if (globals.length > 0) section(6, (w) => {
    w.u32(globals.length);
    for (let i = 0; i < globals.length; i++) w.byte(TYPE.i32, 0x01, OP.i32Const, 0x00, OP.end);
  });
  section(7, (w) => {
    w.u32(functions.length + globals.length);
    functions.forEach((f, i) => w.name(f.name).byte(0x00).u32(i));
    globals.forEach((g, i) => w.name(g).byte(0x03).u32(i));
  });
  section(10, (w) => {
    w.u32(functions.length);
    for (const fn of functions) w.sized((f) => {
      f.u32(fn.locals > 0 ? 1 : 0);
      if (fn.locals > 0) f.u32(fn.locals).byte(TYPE.i32);
      for (const b of fn.body.bytes) f.bytes.push(b);
      f.byte(OP.end);
    });
  });
  return Uint8Array.from(out.bytes);
}
