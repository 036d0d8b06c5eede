// Properties of the data-channel message parser: whatever a peer sends over a
// channel, undefined or a clean message, never a throw; every valid message
// comes back as it was sent; extra fields stay behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanMime,
  type DataMessage,
  encodeDataMessage,
  fileChannelLabel,
  isChatText,
  MAX_CHAT_TEXT_BYTES,
  MAX_HAND_STAMP,
  MAX_TEXT_FRAME_CHARS,
  MAX_VIEW_PX,
  NOT_SHOWN,
  parseDataMessage,
  parseViewMessage,
  parseViewSize,
  encodeViewMessage,
  MAX_VIEW_FRAME_CHARS,
  type ViewMessage,
  REACTIONS,
  transferIdOfLabel,
} from '../../../protocol/data.ts';
import { isMessageId } from '../../../protocol/ids.ts';
import { cleanChatText, cleanFileName, cleanReason, utf8Bytes } from '../../../protocol/text.ts';
import { anyFrame, frameLike, hostileString, type Json, jsonValue, mutated, RUNS } from '../../support/arbitraries.ts';

const TAGS = ['chat', 'fileOffer', 'fileAccept', 'fileDecline', 'fileEnd', 'fileDone', 'fileFailed', 'fileCancel', 'hand', 'reaction'];
const FIELDS = ['id', 'text', 'sentAt', 'name', 'size', 'mime', 'blockSha256', 'reason', 'raised', 'stamp', 'reaction'];
const VIEW_FIELDS = ['camera', 'screen', 'dropped', 'width', 'height'];

const id = fc.uuid();
/** Chat text as the parser leaves it: without bidi or control characters (a tab and a line feed aside), and not blank. */
const chatText = hostileString({ minLength: 1, maxLength: 300 })
  .map(cleanChatText)
  .filter((t) => /\S/.test(t));
const sentAt = fc.oneof(fc.maxSafeNat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }));
const mime = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/));
/** A reason as the parser leaves it: cleaned and not empty (an empty one is replaced by a default). */
const reason = hostileString({ maxLength: 250 })
  .map(cleanReason)
  .filter((r) => r !== '');

const viewSize = fc.oneof(
  fc.constant(NOT_SHOWN),
  fc.record({ width: fc.integer({ min: 1, max: MAX_VIEW_PX }), height: fc.integer({ min: 1, max: MAX_VIEW_PX }) }),
);

const dataMessage: fc.Arbitrary<DataMessage> = fc.oneof(
  fc.record({ type: fc.constant('chat'), id, text: chatText, sentAt }),
  fc.record({
    type: fc.constant('fileOffer'),
    id,
    name: hostileString({ maxLength: 300 }).map(cleanFileName),
    size: fc.maxSafeNat(),
    mime,
  }),
  fc.record({ type: fc.constant('fileEnd'), id, blockSha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
  fc.record({ type: fc.constantFrom('fileDone', 'fileAccept'), id }),
  fc.record({ type: fc.constantFrom('fileFailed', 'fileCancel', 'fileDecline'), id, reason }),
  fc.record({ type: fc.constant('hand'), raised: fc.boolean(), stamp: fc.integer({ min: 1, max: MAX_HAND_STAMP }) }),
  fc.record({ type: fc.constant('reaction'), reaction: fc.constantFrom(...REACTIONS) }),
);

/** A valid message is one that parses back to itself. */
const expectDataMessage = (msg: DataMessage | undefined) => {
  if (msg !== undefined) expect(parseDataMessage(encodeDataMessage(msg))).toEqual(msg);
};

const viewMessage: fc.Arbitrary<ViewMessage> = fc.record({
  type: fc.constant('view'),
  camera: viewSize,
  screen: viewSize,
  dropped: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('parseDataMessage', () => {
  it('never throws on any text, and gives undefined or a valid message', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        expectDataMessage(parseDataMessage(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a frame with a known type, a valid id and fields of any JSON type', () => {
    const frame = fc.tuple(frameLike(TAGS, FIELDS), id).map(([f, messageId]) => ({ ...f, id: messageId }));
    fc.assert(
      fc.property(frame, (f) => {
        expectDataMessage(parseDataMessage(JSON.stringify(f)));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid message exactly as it was encoded', () => {
    fc.assert(
      fc.property(dataMessage, (msg) => {
        expect(parseDataMessage(encodeDataMessage(msg))).toEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('cleans what a peer names and explains: a file name, a type, a reason', () => {
    fc.assert(
      fc.property(
        id,
        fc.oneof(hostileString(), jsonValue),
        fc.oneof(hostileString({ maxLength: 20 }), jsonValue),
        (messageId, text, type) => {
          const offer = parseDataMessage(JSON.stringify({ type: 'fileOffer', id: messageId, name: text, size: 1, mime: type }));
          expect(offer).toEqual({ type: 'fileOffer', id: messageId, name: cleanFileName(text), size: 1, mime: cleanMime(type) });
          const cancel = parseDataMessage(JSON.stringify({ type: 'fileCancel', id: messageId, reason: text }));
          expect(cancel).toEqual({ type: 'fileCancel', id: messageId, reason: cleanReason(text) || 'cancelled' });
          const decline = parseDataMessage(JSON.stringify({ type: 'fileDecline', id: messageId, reason: text }));
          expect(decline).toEqual({ type: 'fileDecline', id: messageId, reason: cleanReason(text) || 'declined' });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid message mutated in one place, drops fields it does not know, and refuses an unknown type', () => {
    const mutation = dataMessage.chain((msg) =>
      mutated(msg as unknown as Json, { otherTags: TAGS, known: FIELDS }).map((m) => ({ msg, ...m })),
    ); // a message is plain JSON
    fc.assert(
      fc.property(mutation, ({ msg, kind, value }) => {
        const parsed = parseDataMessage(JSON.stringify(value));
        expectDataMessage(parsed);
        if (kind === 'extra') expect(parsed).toEqual(msg);
        const tag = (value as { type?: unknown }).type; // every mutated message is still an object
        if (kind === 'tag' && !TAGS.includes(tag as string)) expect(parsed).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses any frame longer than ${MAX_TEXT_FRAME_CHARS} characters, valid JSON or not`, () => {
    fc.assert(
      fc.property(dataMessage, fc.integer({ min: 1, max: 1000 }), (msg, over) => {
        const frame = encodeDataMessage(msg);
        const padded = frame + ' '.repeat(Math.max(0, MAX_TEXT_FRAME_CHARS - frame.length) + over);
        expect(parseDataMessage(padded)).toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});

describe('parseDataMessage for gestures', () => {
  it(`takes a hand only with a yes-or-no and a whole stamp from 1 to ${MAX_HAND_STAMP}`, () => {
    const stamp = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.integer({ min: MAX_HAND_STAMP - 3, max: MAX_HAND_STAMP + 3 }),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, Number.NaN, Number.POSITIVE_INFINITY),
      jsonValue,
    );
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), jsonValue), stamp, (raised, s) => {
        const parsed = parseDataMessage(JSON.stringify({ type: 'hand', raised, stamp: s }));
        const valid = typeof raised === 'boolean' && Number.isInteger(s) && (s as number) >= 1 && (s as number) <= MAX_HAND_STAMP;
        expect(parsed).toEqual(valid ? { type: 'hand', raised, stamp: s } : undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('takes a reaction only from the offered list, whatever else a peer names', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...REACTIONS), hostileString({ maxLength: 20 }), jsonValue), (reaction) => {
        const parsed = parseDataMessage(JSON.stringify({ type: 'reaction', reaction }));
        expect(parsed).toEqual((REACTIONS as readonly unknown[]).includes(reaction) ? { type: 'reaction', reaction } : undefined);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseViewMessage', () => {
  it('never throws on any text, and gives undefined or a valid view', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyFrame,
          frameLike(['view'], VIEW_FIELDS).map((f) => JSON.stringify(f)),
        ),
        (raw) => {
          const view = parseViewMessage(raw);
          if (view !== undefined) expect(parseViewMessage(encodeViewMessage(view))).toEqual(view);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid view exactly as it was encoded, and no data message takes it', () => {
    fc.assert(
      fc.property(viewMessage, (msg) => {
        expect(parseViewMessage(encodeViewMessage(msg))).toEqual(msg);
        expect(parseDataMessage(encodeViewMessage(msg))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('takes no data message for a view', () => {
    fc.assert(
      fc.property(dataMessage, (msg) => {
        expect(parseViewMessage(encodeDataMessage(msg))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid view mutated in one place, drops fields it does not know, and refuses another type', () => {
    const mutation = viewMessage.chain((msg) =>
      mutated(msg as unknown as Json, { otherTags: TAGS, known: VIEW_FIELDS }).map((m) => ({ msg, ...m })),
    ); // a view is plain JSON
    fc.assert(
      fc.property(mutation, ({ msg, kind, value }) => {
        const frame = JSON.stringify(value);
        const parsed = parseViewMessage(frame);
        if (parsed !== undefined) expect(parseViewMessage(encodeViewMessage(parsed))).toEqual(parsed);
        // A field it does not know is dropped, unless it makes the frame longer than any view is taken.
        if (kind === 'extra') expect(parsed).toEqual(frame.length <= MAX_VIEW_FRAME_CHARS ? msg : undefined);
        if (kind === 'tag' && (value as { type?: unknown }).type !== 'view') expect(parsed).toBeUndefined(); // still an object
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses any frame longer than ${MAX_VIEW_FRAME_CHARS} characters`, () => {
    fc.assert(
      fc.property(viewMessage, fc.integer({ min: 1, max: 100 }), (msg, over) => {
        const frame = encodeViewMessage(msg);
        expect(parseViewMessage(frame + ' '.repeat(MAX_VIEW_FRAME_CHARS - frame.length + over))).toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});

describe('parseViewSize', () => {
  it('takes whole pixels up to MAX_VIEW_PX, reads any zero side as not shown, and refuses everything else', () => {
    const side = fc.oneof(fc.integer({ min: -10, max: MAX_VIEW_PX + 10 }), fc.double(), jsonValue);
    fc.assert(
      fc.property(fc.oneof(fc.record({ width: side, height: side }), jsonValue), (v) => {
        const size = parseViewSize(v);
        const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_VIEW_PX; // a number once safe
        const rec = v as { width?: unknown; height?: unknown } | null; // read only where it is an object
        const valid = typeof v === 'object' && v !== null && !Array.isArray(v) && ok(rec?.width) && ok(rec?.height);
        if (!valid) expect(size).toBeUndefined();
        else if (rec?.width === 0 || rec?.height === 0) expect(size).toEqual(NOT_SHOWN);
        else expect(size).toEqual({ width: rec?.width, height: rec?.height });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a view whose dropped share is not within 0..1', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 1, minExcluded: true }),
          fc.double({ max: 0, maxExcluded: true }).filter((d) => d < 0),
          fc.constant(Number.NaN),
        ),
        (dropped) => {
          const frame = JSON.stringify({ type: 'view', camera: { width: 1, height: 1 }, screen: NOT_SHOWN, dropped });
          expect(parseViewMessage(frame)).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('isChatText', () => {
  it(`takes exactly the texts that are not blank and fit in ${MAX_CHAT_TEXT_BYTES} bytes of UTF-8, around the limit too`, () => {
    const nearLimit = fc
      .tuple(fc.constantFrom('a', 'é', '東', '😀', ' ', '\ud800'), fc.integer({ min: -4, max: 4 }), hostileString({ maxLength: 3 }))
      .map(([unit, delta, tail]) => unit.repeat(Math.max(0, Math.floor(MAX_CHAT_TEXT_BYTES / utf8Bytes(unit)) + delta)) + tail);
    fc.assert(
      fc.property(fc.oneof(hostileString(), nearLimit), (text) => {
        expect(isChatText(text)).toBe(/\S/.test(text) && Buffer.byteLength(text, 'utf8') <= MAX_CHAT_TEXT_BYTES);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('cleanMime', () => {
  it('gives an empty type or a plain lower-case type/subtype, and changes nothing the second time', () => {
    const typeLike = fc
      .tuple(fc.string({ maxLength: 12 }), fc.constantFrom('/', '', '//'), fc.string({ maxLength: 12 }))
      .map(([a, sep, b]) => a + sep + b);
    fc.assert(
      fc.property(
        fc.oneof(
          typeLike,
          mime,
          mime.map((m) => m.toUpperCase()),
          jsonValue,
        ),
        (v) => {
          const clean = cleanMime(v);
          expect(clean).toMatch(/^$|^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/);
          expect(cleanMime(clean)).toBe(clean);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('file channel labels', () => {
  it('give back every transfer id, and take no label that does not carry one', () => {
    fc.assert(
      fc.property(id, fc.oneof(hostileString(), id.map(fileChannelLabel)), (transfer, label) => {
        expect(transferIdOfLabel(fileChannelLabel(transfer))).toBe(transfer);
        const taken = transferIdOfLabel(label);
        if (taken !== undefined) {
          expect(isMessageId(taken)).toBe(true);
          expect(fileChannelLabel(taken)).toBe(label);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
