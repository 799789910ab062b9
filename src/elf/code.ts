/**
 * The executable sections of an object: their instructions, the functions (STT_FUNC
 * symbols) in them, and their relocations, each checked to sit on an instruction the
 * loader knows how to relocate (an lddw or a bpf-to-bpf call), so linking can trust them.
 */
import { decode } from '../decode/decode.js';
import type { Insn } from '../decode/insn.js';
import { EbpfError, ElfError } from '../errors.js';
import { SHF, SHT, STT, type ElfFile, type ElfSection, type ElfSymbol } from './reader.js';

const SLOT = 8;
/** BPF relocation types (llvm/include/llvm/BinaryFormat/ELFRelocs/BPF.def). */
export const R_BPF = { NONE: 0, R64_64: 1, ABS64: 2, ABS32: 3, NODYLD32: 4, R64_32: 10 } as const;

export interface CodeFunction {
  readonly name: string;
  readonly code: CodeSection;
  /** First slot and one past the last slot, in the section. */
  readonly start: number;
  readonly end: number;
  readonly symbol: ElfSymbol;
}

export interface CodeRelocation {
  readonly symbol: ElfSymbol;
  readonly type: number;
}

export interface CodeSection {
  readonly section: ElfSection;
  /** Decoded instructions; `pc` is the slot index in the section. */
  readonly insns: readonly Insn[];
  /** Index into `insns` for each slot; -1 for the second slot of an lddw. */
  readonly indexOfSlot: Int32Array;
  /** Sorted by start. */
  readonly functions: readonly CodeFunction[];
  /** Relocations by the slot they apply to. */
  readonly relocations: ReadonlyMap<number, CodeRelocation>;
}

/** The function whose range holds `slot`, or undefined. */
export function functionAt(code: CodeSection, slot: number): CodeFunction | undefined {
  return code.functions.find((f) => slot >= f.start && slot < f.end);
}

/** Where an instruction of a section is, for messages: `socket+0x18 (slot 3)`. */
export function describeSlot(code: CodeSection, slot: number): string {
  return `'${code.section.name}'+0x${(slot * SLOT).toString(16)} (slot ${slot})`;
}

/** Every executable section, keyed by section index. */
export function readCodeSections(elf: ElfFile): Map<number, CodeSection> {
  const out = new Map<number, CodeSection>();
  for (const section of elf.sections) {
    if ((section.flags & SHF.EXECINSTR) === 0 || section.index === 0) continue;
    if (section.type !== SHT.PROGBITS) {
      throw new ElfError('BAD_SECTION_TYPE', `executable section '${section.name}' has type ${section.type}, not SHT_PROGBITS`);
    }
    out.set(section.index, readCodeSection(elf, section));
  }
  return out;
}

function readCodeSection(elf: ElfFile, section: ElfSection): CodeSection {
  let insns: Insn[];
  try {
    insns = decode(elf.data(section));
  } catch (e) {
    if (e instanceof EbpfError) throw new ElfError('BAD_INSTRUCTIONS', `section '${section.name}': ${e.message}`, e.pc);
    throw e;
  }
  const indexOfSlot = new Int32Array(section.size / SLOT).fill(-1);
  insns.forEach((insn, i) => { indexOfSlot[insn.pc] = i; });
  const code = { section, insns, indexOfSlot, functions: [] as CodeFunction[], relocations: new Map<number, CodeRelocation>() };
  code.functions.push(...readFunctions(elf, code));
  readRelocations(elf, code);
  return code;
}

function isBoundary(code: { indexOfSlot: Int32Array }, slot: number): boolean {
  return slot === code.indexOfSlot.length || code.indexOfSlot[slot] >= 0;
}

function readFunctions(elf: ElfFile, code: Omit<CodeSection, 'functions'> & { functions: CodeFunction[] }): CodeFunction[] {
  const { section } = code;
  const fns: CodeFunction[] = [];
  for (const sym of elf.symbols) {
    if (sym.shndx !== section.index || sym.type !== STT.FUNC) continue;
    const what = `function '${sym.name}' in section '${section.name}'`;
    if (sym.value % SLOT !== 0 || sym.size % SLOT !== 0 || sym.size === 0) {
      throw new ElfError('BAD_SYMBOL', `${what} (offset ${sym.value}, size ${sym.size}) is not a whole number of instructions`);
    }
    if (sym.value + sym.size > section.size) {
      throw new ElfError('BAD_SYMBOL', `${what} (offset ${sym.value}, size ${sym.size}) extends past the section's ${section.size} bytes`);
    }
    const start = sym.value / SLOT;
    const end = start + sym.size / SLOT;
    if (!isBoundary(code, start) || !isBoundary(code, end)) {
      throw new ElfError('BAD_SYMBOL', `${what} starts or ends inside an lddw`);
    }
    fns.push({ name: sym.name, code: code as CodeSection, start, end, symbol: sym });
  }
  return fns.sort((a, b) => a.start - b.start || a.end - b.end);
}

function readRelocations(elf: ElfFile, code: CodeSection & { relocations: Map<number, CodeRelocation> }): void {
  const { section } = code;
  for (const rel of elf.relocations(section)) {
    if (rel.type === R_BPF.NONE) continue;
    const symbol = elf.symbols[rel.symbol];
    const where = `relocation against '${symbol.name || `symbol ${rel.symbol}`}' at '${section.name}'+0x${rel.offset.toString(16)}`;
    if (rel.offset % SLOT !== 0 || rel.offset >= section.size) {
      throw new ElfError('BAD_RELOCATION', `${where} is not on an instruction of the section (${section.size} bytes)`);
    }
    const slot = rel.offset / SLOT;
    const index = code.indexOfSlot[slot];
    if (index < 0) throw new ElfError('BAD_RELOCATION', `${where} points into the second half of an lddw`, slot);
    if (rel.type !== R_BPF.R64_64 && rel.type !== R_BPF.R64_32) {
      throw new ElfError('BAD_RELOCATION', `${where} has type ${rel.type}; code takes R_BPF_64_64 (lddw) and R_BPF_64_32 (call) only`, slot);
    }
    const sem = code.insns[index].spec.sem;
    const relocatable = (sem.kind === 'lddw' && sem.pseudo === 'imm64') || (sem.kind === 'call' && sem.target === 'local');
    if (!relocatable) {
      throw new ElfError('BAD_RELOCATION',
        `${where} is on '${code.insns[index].spec.mnemonic}'; only lddw (of a constant) and bpf-to-bpf calls are relocated`, slot);
    }
    if (code.relocations.has(slot)) throw new ElfError('BAD_RELOCATION', `${where}: the instruction is relocated twice`, slot);
    code.relocations.set(slot, { symbol, type: rel.type });
  }
}
