import { describe } from 'vitest';
import { differentialBatch } from './support/fuzz-batch.js';

describe('differential fuzz, batch 3 of 4', () => differentialBatch(3, 3500));
