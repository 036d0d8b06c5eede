// Properties of the toolbar's port-message parsers (call page ↔ background ↔
// popup): whatever arrives on a port, undefined or a clean message, never a
// throw; every valid message comes back as it was posted; extra fields stay
// behind. Ports carry structured clones, not text, so the inputs are values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallCommand,
  type CallReport,
  type PopupRequest,
  type PopupUpdate,
  parseCallCommand,
  parseCallReport,
  parsePopupRequest,
  parsePopupUpdate,
} from '../../../../extension/session/toolbar-messages.ts';
import { frameLike, type Json, jsonValue, mutated, RUNS } from '../../../support/arbitraries.ts';

const TAGS = ['callState', 'toggleMicrophone', 'toggleCamera', 'setMicMuted', 'leave', 'call'];
const FIELDS = ['live', 'micMuted', 'cameraOff', 'startedAt', 'muted', 'tabId', 'call'];

const tabId = fc.nat({ max: 2 ** 31 - 1 });
const report: fc.Arbitrary<CallReport> = fc.record({
  type: fc.constant('callState'),
  live: fc.boolean(),
  micMuted: fc.boolean(),
  cameraOff: fc.boolean(),
  startedAt: fc.oneof(fc.maxSafeNat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })),
  call: fc.string({ maxLength: 512 }),
});
const command: fc.Arbitrary<CallCommand> = fc.oneof(
  fc.record({ type: fc.constantFrom('toggleMicrophone', 'toggleCamera', 'leave') }),
  fc.record({ type: fc.constant('setMicMuted'), muted: fc.boolean() }),
);
const update: fc.Arbitrary<PopupUpdate> = fc.record({
  type: fc.constant('call'),
  call: fc.option(fc.record({ tabId, micMuted: fc.boolean(), cameraOff: fc.boolean(), call: fc.string({ maxLength: 512 }) }), {
    nil: null,
  }),
});
const request: fc.Arbitrary<PopupRequest> = fc.oneof(
  fc.record({ type: fc.constant('setMicMuted'), tabId, muted: fc.boolean() }),
  fc.record({ type: fc.constant('leave'), tabId }),
);

/** Each parser beside the messages it takes. */
const parsers = [
  { name: 'parseCallReport', parse: parseCallReport, valid: report },
  { name: 'parseCallCommand', parse: parseCallCommand, valid: command },
  { name: 'parsePopupUpdate', parse: parsePopupUpdate, valid: update },
  { name: 'parsePopupRequest', parse: parsePopupRequest, valid: request },
] as const;

/** Anything a port could carry: JSON-like values, frames with known tags and fields of any type, and a few odd ones. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  jsonValue,
  frameLike(TAGS, FIELDS),
  fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, new Date(0), [], Object.create(null)),
);

describe.each(parsers)('$name', ({ parse, valid }) => {
  /** What comes out must itself parse back to itself: a valid message, nothing more. */
  const expectClean = (msg: unknown) => {
    if (msg !== undefined) expect(parse(structuredClone(msg))).toEqual(msg);
  };

  it('never throws on anything a port could carry, and gives undefined or a valid message', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        expectClean(parse(v));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid message as it was posted', () => {
    fc.assert(
      fc.property(valid, (msg) => {
        expect(parse(structuredClone(msg))).toEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid message changed in one place, drops fields it does not know, and refuses an unknown type', () => {
    const mutation = (valid as fc.Arbitrary<object>).chain((msg) =>
      mutated(msg as Json, { otherTags: TAGS, known: FIELDS }).map((m) => ({ msg, ...m })),
    ); // every message here is plain JSON
    fc.assert(
      fc.property(mutation, ({ msg, kind, value }) => {
        const parsed = parse(value);
        expectClean(parsed);
        if (kind === 'extra') expect(parsed).toEqual(msg);
        const tag = (value as { type?: unknown }).type; // a mutated message is still an object
        if (kind === 'tag' && !TAGS.includes(tag as string)) expect(parsed).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});
