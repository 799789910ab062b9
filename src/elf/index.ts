export { ELF_ERROR_CODES, type ElfErrorCode } from './codes.js';
export { load, type LoadedObject, type LoadedProgram, type MapFactory, type MapHandle, type ObjectLoadOptions, type ProgramLoader } from './load.js';
export { linkObject, loadObject, type LinkedObject, type LinkedProgram } from './load-object.js';
export { parseObject, type NamedMapSpec, type ObjectProgram, type ParsedObject } from './object.js';
export { bindMapFds } from './relocate.js';
export { programTypeOfSection } from './program-sections.js';
export type { MapSpec, MapTypeName } from '../maps/types.js';
