// Properties of the first step of every text-frame parser and the number guards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCount, isNonNegative, isRecord, parseJsonObject } from '../../../protocol/guards.ts';
import { anyFrame, jsonValue, RUNS } from '../../support/arbitraries.ts';

const notJson = (raw: string): boolean => {
  try {
    JSON.parse(raw);
    return false;
  } catch {
    return true;
  }
};

describe('parseJsonObject', () => {
  it('never throws on any text, and says "not JSON" exactly when JSON.parse would throw', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        const parsed = parseJsonObject(raw);
        if (parsed.ok) expect(isRecord(parsed.fields)).toBe(true);
        else expect(parsed).toEqual({ ok: false, reason: notJson(raw) ? 'not JSON' : 'not an object' });
        expect(!parsed.ok && parsed.reason === 'not JSON').toBe(notJson(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every JSON object as it was, and refuses every other JSON value as not an object', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const parsed = parseJsonObject(JSON.stringify(value));
        if (!isRecord(value)) expect(parsed).toEqual({ ok: false, reason: 'not an object' });
        // Compared as JSON: JSON itself turns -0 into 0.
        else expect(parsed.ok && JSON.stringify(parsed.fields)).toBe(JSON.stringify(value));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('isCount and isNonNegative', () => {
  it('never throw on any value; a count is non-negative, and JSON carries it exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.integer(), fc.maxSafeInteger(), fc.bigInt()), (v) => {
        const count = isCount(v);
        const nonNegative = isNonNegative(v);
        if (count) {
          expect(nonNegative).toBe(true);
          expect(JSON.parse(JSON.stringify(v)) === v).toBe(true); // === so that -0 and 0 count as the same number
        }
        if (nonNegative) expect(Number.isFinite(v) && (v as number) >= 0).toBe(true); // isNonNegative narrowed it to a number
      }),
      { numRuns: RUNS },
    );
  });

  it('take exactly the whole numbers from 0 to 2^53 - 1 as counts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.double()), (n) => {
        expect(isCount(n)).toBe(Number.isSafeInteger(n) && n >= 0);
      }),
      { numRuns: RUNS },
    );
  });
});
