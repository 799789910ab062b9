/**
 * Every `code` an `ElfError` from the loader can carry (test/elf-mangled.test.ts checks
 * that the sources use no other). Grouped by what went wrong.
 */
export const ELF_ERROR_CODES = [
  // The file's structure: header, section table, symbols, strings.
  'BAD_INPUT', 'TRUNCATED', 'BAD_MAGIC', 'BAD_CLASS', 'WRONG_ENDIANNESS', 'BAD_VERSION', 'BAD_TYPE',
  'WRONG_MACHINE', 'BAD_HEADER', 'BAD_SECTION_HEADERS', 'SECTION_OUT_OF_BOUNDS', 'BAD_SECTION_INDEX',
  'BAD_SECTION_TYPE', 'BAD_STRING', 'BAD_SYMTAB', 'BAD_SYMBOL',
  // Code and relocations.
  'BAD_INSTRUCTIONS', 'BAD_RELOCATION', 'BAD_RELOCATION_SYMBOL', 'BAD_RELOCATION_TARGET', 'BAD_CALL',
  'UNSUPPORTED_RELA', 'UNSUPPORTED_EXTERN', 'DUPLICATE_NAME',
  // Maps and BTF.
  'NO_BTF', 'BAD_BTF', 'BAD_MAP', 'UNKNOWN_MAP_TYPE', 'UNKNOWN_MAP_FIELD', 'UNSUPPORTED_MAP_FIELD',
  // load() and its lookups.
  'NO_PROGRAM', 'AMBIGUOUS_PROGRAM', 'UNSUPPORTED_PROGRAM_TYPE',
  // A loader bug, never bad input.
  'INTERNAL',
] as const;

export type ElfErrorCode = (typeof ELF_ERROR_CODES)[number];
