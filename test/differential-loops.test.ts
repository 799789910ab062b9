import { describe } from 'vitest';
import { differentialBatch } from './support/fuzz-batch.js';

// Programs that mostly loop: the JIT's counted-loop versioning (guards, fast copies).
describe('differential fuzz, loops', () => differentialBatch(5, 2000, 30));
