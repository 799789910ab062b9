/**
 * Linking one program, the way libbpf does it: start from the program's own function,
 * append every function it calls or takes the address of (from `.text` or any
 * executable section) once, after its instructions, and rewrite each relocated
 * instruction:
 *
 *   call (R_BPF_64_32)          imm = the callee's new position relative to the call
 *                               target in the section = sym.value/8 + imm + 1
 *   lddw of code (R_BPF_64_64)  src = BPF_PSEUDO_FUNC (4), imm relative like a call
 *                               target = (sym.value + imm) / 8 (callbacks: bpf_loop)
 *   lddw of a map               src = BPF_PSEUDO_MAP_IDX (5), imm = index in the object's maps
 *   lddw of a global variable   src = BPF_PSEUDO_MAP_IDX_VALUE (6), imm = map index,
 *                               imm2 = sym.value + imm (the variable's offset in the section)
 *
 * The map-index forms are the kernel's own (fd_array indexes); `bindMapFds` turns them
 * into map_fd / map_value once the maps exist. Calls that clang resolved itself
 * (static functions in the same section) carry no relocation and are followed too.
 */
import { findSpec } from '../decode/opcodes.js';
import { makeInsn, type Insn } from '../decode/insn.js';
import { ElfError } from '../errors.js';
import { describeSlot, functionAt, type CodeFunction, type CodeSection } from './code.js';
import type { ObjectMap } from './maps.js';
import { SHN, type ElfFile, type ElfSymbol } from './reader.js';

const SLOT = 8;
export const PSEUDO = { MAP_FD: 1, MAP_VALUE: 2, FUNC: 4, MAP_IDX: 5, MAP_IDX_VALUE: 6 } as const;

export interface LinkContext {
  readonly elf: ElfFile;
  /** Executable sections by section index. */
  readonly code: ReadonlyMap<number, CodeSection>;
  readonly maps: readonly ObjectMap[];
}

/** `insn` moved to slot `pc`, with some fields replaced (the table row follows src). */
function rewrite(insn: Insn, pc: number, fields: { src?: number; imm?: number; imm2?: number } = {}): Insn {
  const src = fields.src ?? insn.src;
  const imm = fields.imm ?? insn.imm;
  const spec = findSpec(insn.opcode, src, insn.off, imm);
  if (!spec) throw new ElfError('INTERNAL', `no instruction row for opcode 0x${insn.opcode.toString(16)} with src ${src}`, pc);
  return makeInsn(spec, { dst: insn.dst, src, off: insn.off, imm, imm2: fields.imm2 ?? insn.imm2 }, pc);
}

/** The linked instructions of the program whose entry function is `entry`. */
export function linkProgram(entry: CodeFunction, ctx: LinkContext): Insn[] {
  const out: Insn[] = [];
  /** For each output instruction, the section and slot it was copied from. */
  const origin: { code: CodeSection; slot: number }[] = [];
  const placed = new Map<CodeFunction, number>();
  let nextSlot = 0;

  const place = (fn: CodeFunction): number => {
    const at = placed.get(fn);
    if (at !== undefined) return at;
    const start = nextSlot;
    placed.set(fn, start);
    for (let i = fn.code.indexOfSlot[fn.start]; i < fn.code.insns.length && fn.code.insns[i].pc < fn.end; i++) {
      const insn = fn.code.insns[i];
      out.push(rewrite(insn, start + insn.pc - fn.start));
      origin.push({ code: fn.code, slot: insn.pc });
    }
    nextSlot = start + fn.end - fn.start;
    return start;
  };

  /** The new slot of `slot` of `code`, appending the function holding it if needed. */
  const relocatedSlot = (code: CodeSection, slot: number, what: string, pc: number): number => {
    const fn = functionAt(code, slot);
    if (!fn) throw new ElfError('BAD_CALL', `${what} targets slot ${slot} of '${code.section.name}', which is inside no function`, pc);
    if (code.indexOfSlot[slot] < 0) throw new ElfError('BAD_CALL', `${what} targets the second half of an lddw in '${code.section.name}'`, pc);
    return place(fn) + slot - fn.start;
  };

  place(entry);
  // `out` grows while we walk it: appended functions get their calls resolved in turn.
  for (let i = 0; i < out.length; i++) {
    const insn = out[i];
    const { code, slot } = origin[i];
    const sem = insn.spec.sem;
    const reloc = code.relocations.get(slot);
    const where = `${describeSlot(code, slot)} in program '${entry.name}'`;
    if (sem.kind === 'call' && sem.target === 'local') {
      const [targetCode, targetSlot] = reloc
        ? codeTarget(ctx, reloc.symbol, reloc.symbol.value / SLOT + insn.imm + 1, where, insn.pc)
        : [code, slot + 1 + insn.imm];
      out[i] = rewrite(insn, insn.pc, { imm: relocatedSlot(targetCode, targetSlot, `call at ${where}`, insn.pc) - (insn.pc + 1) });
    } else if (sem.kind === 'lddw' && reloc) {
      out[i] = relocateLddw(insn, reloc.symbol, ctx, where, (c, s) => relocatedSlot(c, s, `function pointer at ${where}`, insn.pc));
    } else if (sem.kind === 'lddw' && sem.pseudo === 'func') {
      const target = relocatedSlot(code, slot + 1 + insn.imm, `function pointer at ${where}`, insn.pc);
      out[i] = rewrite(insn, insn.pc, { imm: target - (insn.pc + 1) });
    }
  }
  return out;
}

/** The code section and slot a relocated call or function pointer refers to. */
function codeTarget(ctx: LinkContext, sym: ElfSymbol, slot: number, where: string, pc: number): [CodeSection, number] {
  const code = ctx.code.get(sym.shndx);
  if (!code || sym.shndx >= SHN.LORESERVE) {
    throw new ElfError('BAD_RELOCATION_TARGET', `call at ${where} refers to '${sym.name}', which is not in an executable section`);
  }
  if (!Number.isInteger(slot) || slot < 0 || slot >= code.indexOfSlot.length) {
    throw new ElfError('BAD_CALL', `call at ${where} to '${sym.name}' targets slot ${slot}, outside '${code.section.name}'`, pc);
  }
  return [code, slot];
}

function relocateLddw(
  insn: Insn, sym: ElfSymbol, ctx: LinkContext, where: string, placeCode: (code: CodeSection, slot: number) => number,
): Insn {
  const name = sym.name || `symbol ${sym.index}`;
  if (sym.shndx === SHN.UNDEF) {
    throw new ElfError('UNSUPPORTED_EXTERN', `lddw at ${where} refers to extern '${name}' (kconfig/ksym externs are not supported)`);
  }
  const section = ctx.elf.symbolSection(sym);
  if (!section) throw new ElfError('BAD_RELOCATION_TARGET', `lddw at ${where} refers to '${name}', which has no section`);
  const offset = sym.value + insn.imm;
  const code = ctx.code.get(section.index);
  if (code) {
    if (offset % SLOT !== 0 || offset < 0 || offset / SLOT >= code.indexOfSlot.length) {
      throw new ElfError('BAD_CALL', `function pointer at ${where} to '${name}'+${insn.imm} is not an instruction of '${section.name}'`, insn.pc);
    }
    const target = placeCode(code, offset / SLOT);
    return rewrite(insn, insn.pc, { src: PSEUDO.FUNC, imm: target - (insn.pc + 1), imm2: 0 });
  }
  const mapIndex = ctx.maps.findIndex((m) => m.section === section.index && (m.kind === 'variables' || m.offset === offset));
  if (mapIndex < 0) {
    const hasMaps = ctx.maps.some((m) => m.section === section.index);
    throw new ElfError('BAD_RELOCATION_TARGET', hasMaps
      ? `lddw at ${where} refers to '${name}'+${insn.imm}: no map is defined at offset ${offset} of '${section.name}'`
      : `lddw at ${where} refers to '${name}' in section '${section.name}', which holds neither code, maps nor global variables`);
  }
  const map = ctx.maps[mapIndex];
  if (map.kind !== 'variables') return rewrite(insn, insn.pc, { src: PSEUDO.MAP_IDX, imm: mapIndex, imm2: 0 });
  if (offset < 0 || offset > map.spec.valueSize) {
    throw new ElfError('BAD_RELOCATION', `lddw at ${where}: offset ${offset} is outside '${section.name}' (${map.spec.valueSize} bytes)`);
  }
  return rewrite(insn, insn.pc, { src: PSEUDO.MAP_IDX_VALUE, imm: mapIndex, imm2: offset });
}

/**
 * Replace map-index pseudo loads by the maps' fds: map_idx(i) -> map_fd(fds[i]),
 * map_idx_value(i, off) -> map_value(fds[i], off). Everything else is returned as is.
 */
export function bindMapFds(insns: readonly Insn[], fds: readonly number[]): Insn[] {
  return insns.map((insn) => {
    const sem = insn.spec.sem;
    if (sem.kind !== 'lddw' || (sem.pseudo !== 'map_idx' && sem.pseudo !== 'map_idx_value')) return insn;
    const fd = fds[insn.imm];
    if (fd === undefined) throw new ElfError('BAD_MAP', `lddw ${sem.pseudo} refers to map ${insn.imm}, which was not created`, insn.pc);
    return rewrite(insn, insn.pc, { src: sem.pseudo === 'map_idx' ? PSEUDO.MAP_FD : PSEUDO.MAP_VALUE, imm: fd });
  });
}
