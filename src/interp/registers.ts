import { REG_COUNT } from '../abi/registers.js';

/**
 * The interpreter's register file: r0..r10 followed by read-only constant slots that
 * hold the immediates of the program (see `ConstantPool`).
 *
 * One buffer, four views, so each operation reads its operands in the cheapest exact
 * form: `u64`/`s64` (BigUint64Array/BigInt64Array) for 64-bit arithmetic and signed
 * comparisons, `u32`/`s32` for the low and high halves (index 2r is the low half of
 * register r, 2r+1 the high half; the host is little-endian, checked below). Storing
 * into a typed array truncates modulo 2^64 or 2^32, which is exactly eBPF's wrap-around,
 * and V8 compiles BigInt64 typed-array arithmetic to plain 64-bit machine operations.
 */

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;


export interface RegisterFile {
  readonly u64: BigUint64Array;
  readonly s64: BigInt64Array;
  readonly u32: Uint32Array;
  readonly s32: Int32Array;
}

export function createRegisterFile(constants: readonly bigint[]): RegisterFile {
  if (!HOST_IS_LITTLE_ENDIAN) {
    // Wasm memory is little-endian everywhere; only the register halves depend on the host.
    throw new Error('the eBPF interpreter needs a little-endian host');
  }
  const buffer = new ArrayBuffer((REG_COUNT + constants.length) * 8);
  const file: RegisterFile = {
    u64: new BigUint64Array(buffer),
    s64: new BigInt64Array(buffer),
    u32: new Uint32Array(buffer),
    s32: new Int32Array(buffer),
  };
  constants.forEach((value, i) => { file.u64[REG_COUNT + i] = value; });
  return file;
}

/** Zero r0..r10, leaving the constant slots alone. */
export function clearRegisters(regs: RegisterFile): void {
  regs.u64.fill(0n, 0, REG_COUNT);
}

/**
 * Immediates become constant registers: slot `REG_COUNT + k` holds the immediate
 * sign-extended to 64 bits. That one value is the right operand for every use of an
 * imm: 64-bit ALU and JMP ops read all 64 bits (sign-extended, and unsigned div/mod see
 * it as unsigned, as RFC 9669 says), 32-bit ops and JMP32 read its low half (the imm as
 * a u32), and `st` stores its low bytes. So each ALU, jump and store has one
 * implementation, reading its second operand from a register index.
 */
export class ConstantPool {
  private readonly slots = new Map<bigint, number>();
  readonly values: bigint[] = [];

  /** Register index of the constant holding `imm` (a signed 32-bit value) sign-extended. */
  slotFor(imm: number): number {
    const value = BigInt.asUintN(64, BigInt(imm | 0));
    let slot = this.slots.get(value);
    if (slot === undefined) {
      slot = REG_COUNT + this.values.length;
      this.values.push(value);
      this.slots.set(value, slot);
    }
    return slot;
  }
}
