import { describe } from 'vitest';
import { differentialBatch } from './support/fuzz-batch.js';

describe('differential fuzz, batch 2 of 4', () => differentialBatch(2, 3500));
