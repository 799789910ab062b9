import { describe } from 'vitest';
import { differentialBatch } from './support/fuzz-batch.js';

describe('differential fuzz, batch 1 of 4', () => differentialBatch(1, 3500));
