// Properties of the parsers for what participants say to each other inside
// sealed envelopes: whatever a peer sends, undefined or a clean message, never
// a throw; every valid message comes back as it was sent; extra fields stay behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANYONE,
  encodePeerMessage,
  encodeSealedPayload,
  type IceCandidate,
  type PeerMessage,
  parsePeerMessage,
  parseSealedPayload,
  type SealedPayload,
} from '../../../protocol/peer.ts';
import { cleanName } from '../../../protocol/text.ts';
import { anyFrame, frameLike, hostileString, type Json, jsonValue, mutated, RUNS } from '../../support/arbitraries.ts';

const TAGS = ['hello', 'welcome', 'presence', 'reveal', 'description', 'candidate'];
const FIELDS = [
  'commit',
  'salt',
  'name',
  'micMuted',
  'cameraOff',
  'screenSharing',
  'description',
  'sdp',
  'candidate',
  'sdpMid',
  'sdpMLineIndex',
  'usernameFragment',
];
const SEALED_FIELDS = ['from', 'session', 'to', 'toSession', 'seq', 'key', 'msg', ...FIELDS];

/** A name as the parser leaves it: cleaned, never empty. */
const name = fc.oneof(hostileString({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 })).map((n) => cleanName(n) || 'Guest');

const candidate: fc.Arbitrary<IceCandidate> = fc.record(
  {
    candidate: hostileString(),
    sdpMid: hostileString({ maxLength: 8 }),
    sdpMLineIndex: fc.maxSafeNat(),
    usernameFragment: hostileString({ maxLength: 8 }),
  },
  { requiredKeys: ['candidate'] },
);

const digest = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const presence = { name, micMuted: fc.boolean(), cameraOff: fc.boolean(), screenSharing: fc.boolean() };
const peerMessage: fc.Arbitrary<PeerMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello'), ...presence }),
  fc.record({ type: fc.constant('welcome'), commit: digest, fresh: fc.boolean(), ...presence }),
  fc.record({ type: fc.constant('presence'), ...presence }),
  fc.record({ type: fc.constant('reveal'), salt: digest }),
  fc.record({
    type: fc.constant('description'),
    description: fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: hostileString() }),
  }),
  fc.record({ type: fc.constant('candidate'), candidate }),
);

const participantId = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const sessionId = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
const sealedPayload: fc.Arbitrary<SealedPayload> = fc
  .record(
    {
      from: participantId,
      session: sessionId,
      receiver: fc.option(fc.record({ to: participantId, toSession: sessionId }), { nil: undefined }),
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      key: fc.stringMatching(/^[A-Za-z0-9_-]{40,200}$/),
      msg: peerMessage,
    },
    { requiredKeys: ['from', 'session', 'receiver', 'seq', 'msg'] },
  )
  .map(({ receiver, ...rest }) => ({ ...rest, to: receiver?.to ?? ANYONE, toSession: receiver?.toSession ?? ANYONE }));

/** A valid message is one that parses back to itself. */
const expectPeerMessage = (msg: PeerMessage | undefined) => {
  if (msg !== undefined) expect(parsePeerMessage(encodePeerMessage(msg))).toEqual(msg);
};
const expectSealedPayload = (payload: SealedPayload | undefined) => {
  if (payload !== undefined) expect(parseSealedPayload(encodeSealedPayload(payload))).toEqual(payload);
};

/** A candidate-like or description-like object with fields of any type: reaches the nested checks. */
const nestedLike = fc.dictionary(fc.constantFrom('type', 'sdp', 'candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'), jsonValue);
const frame = fc.oneof(
  frameLike(TAGS, FIELDS),
  fc
    .tuple(fc.constantFrom('description', 'candidate'), nestedLike)
    .map(([type, inner]) => ({ type, [type]: inner }) as Record<string, Json>),
);

describe('parsePeerMessage', () => {
  it('never throws on any text, and gives undefined or a valid message', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        expectPeerMessage(parsePeerMessage(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a frame with a known type and fields of any JSON type, nested ones included', () => {
    fc.assert(
      fc.property(frame, (f) => {
        expectPeerMessage(parsePeerMessage(JSON.stringify(f)));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid message exactly as it was encoded', () => {
    fc.assert(
      fc.property(peerMessage, (msg) => {
        expect(parsePeerMessage(encodePeerMessage(msg))).toEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('shows any name a peer sends as the cleaned name, or Guest', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(), jsonValue), fc.boolean(), (sent, muted) => {
        const msg = parsePeerMessage(JSON.stringify({ type: 'presence', name: sent, micMuted: muted, cameraOff: muted }));
        expect(msg?.type === 'presence' && msg.name).toBe(cleanName(sent) || 'Guest');
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid message mutated in one place, drops fields it does not know, and refuses an unknown type', () => {
    const mutation = peerMessage.chain((msg) =>
      mutated(msg as unknown as Json, { otherTags: TAGS, known: FIELDS }).map((m) => ({ msg, ...m })),
    ); // a message is plain JSON
    fc.assert(
      fc.property(mutation, ({ msg, kind, value }) => {
        const parsed = parsePeerMessage(JSON.stringify(value));
        expectPeerMessage(parsed);
        if (kind === 'extra') expect(parsed).toEqual(msg);
        const tag = (value as { type?: unknown }).type; // every mutated message is still an object
        if (kind === 'tag' && !TAGS.includes(tag as string)) expect(parsed).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseSealedPayload', () => {
  it('never throws on any text, and gives undefined or a valid payload', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        expectSealedPayload(parseSealedPayload(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a payload whose fields have any JSON type', () => {
    const payload = fc.record({
      from: fc.oneof(participantId, jsonValue),
      session: fc.oneof(sessionId, jsonValue),
      to: fc.oneof(participantId, fc.constant(ANYONE), jsonValue),
      toSession: fc.oneof(sessionId, fc.constant(ANYONE), jsonValue),
      seq: fc.oneof(fc.double(), jsonValue),
      key: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{40,200}$/), jsonValue),
      msg: fc.oneof(frame, jsonValue),
    });
    fc.assert(
      fc.property(payload, (p) => {
        expectSealedPayload(parseSealedPayload(JSON.stringify(p)));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid payload exactly as it was encoded', () => {
    fc.assert(
      fc.property(sealedPayload, (p) => {
        expect(parseSealedPayload(encodeSealedPayload(p))).toEqual(p);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every sequence number that is not a whole number from 1 to 2^53 - 1', () => {
    const badSeq = fc.oneof(fc.double(), fc.integer({ max: 0 }), fc.constantFrom(2 ** 53, 2 ** 60), fc.string(), fc.constant(null));
    fc.assert(
      fc.property(
        sealedPayload,
        badSeq.filter((s) => !(Number.isSafeInteger(s) && (s as number) >= 1)), // a number once isSafeInteger holds
        (p, seq) => {
          expect(parseSealedPayload(JSON.stringify({ ...p, seq }))).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid payload mutated in one place, drops fields it does not know, and refuses an unknown type', () => {
    const mutation = sealedPayload.chain(
      (p) => mutated(p as unknown as Json, { otherTags: TAGS, known: SEALED_FIELDS, typePath: ['msg', 'type'] }).map((m) => ({ p, ...m })), // a payload is plain JSON
    );
    fc.assert(
      fc.property(mutation, ({ p, kind, value }) => {
        const parsed = parseSealedPayload(JSON.stringify(value));
        expectSealedPayload(parsed);
        if (kind === 'extra') expect(parsed).toEqual(p);
        if (kind === 'tag') {
          const tag = (value as { msg: { type?: unknown } }).msg.type; // a tag mutation changes only msg.type
          if (!TAGS.includes(tag as string)) expect(parsed).toBeUndefined();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
