import { describe } from 'vitest';
import { differentialBatch } from './support/fuzz-batch.js';

describe('differential fuzz, batch 4 of 4', () => differentialBatch(4, 3500));
