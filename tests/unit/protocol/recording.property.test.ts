// Properties of the `recording` notice: only `{type, on}` with a boolean is
// one, and whatever a peer sends, the parser gives that or nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDataMessage, parseDataMessage } from '../../../protocol/data.ts';
import { anyFrame, jsonValue, RUNS } from '../../support/arbitraries.ts';

describe('the recording notice', () => {
  it('parses back to itself', () => {
    for (const on of [true, false])
      expect(parseDataMessage(encodeDataMessage({ type: 'recording', on }))).toEqual({ type: 'recording', on });
  });

  it('is refused with any `on` that is not a boolean', () => {
    fc.assert(
      fc.property(
        jsonValue.filter((v) => typeof v !== 'boolean'),
        (on) => {
          expect(parseDataMessage(JSON.stringify({ type: 'recording', on }))).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('is refused with any field beyond type and on: it names nobody, not even by mistake', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.dictionary(
          fc.string().filter((k) => k !== 'type' && k !== 'on'),
          jsonValue,
          { minKeys: 1, maxKeys: 4 },
        ),
        (on, extra) => {
          expect(parseDataMessage(JSON.stringify({ ...extra, type: 'recording', on }))).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
    expect(parseDataMessage('{"type":"recording","on":true,"__proto__":{}}')).toBeUndefined();
  });

  it('never throws on any frame, and anything read as a notice is exactly one', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        const msg = parseDataMessage(raw);
        if (msg?.type === 'recording') expect(Object.keys(msg).sort()).toEqual(['on', 'type']);
      }),
      { numRuns: RUNS },
    );
  });
});
