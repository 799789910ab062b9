export { load, type LoadedObject, type LoadedProgram, type MapFactory, type MapHandle, type ObjectLoadOptions } from './load.js';
export { parseObject, type NamedMapSpec, type ObjectProgram, type ParsedObject } from './object.js';
export { bindMapFds } from './relocate.js';
