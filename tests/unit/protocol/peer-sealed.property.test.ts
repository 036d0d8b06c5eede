// Properties of the addressing, signing and padding layer of
// protocol/peer.ts (the payload parser's round trips are in
// peer.property.test.ts): a receiver is named whole or not at all; the
// signature splits off cleanly; padding hides lengths within a bucket and
// strips exactly what it added.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANYONE,
  joinSigned,
  PAD_MIN_BYTES,
  pad,
  paddedSize,
  parseSealedPayload,
  type PeerMessage,
  type SealedPayload,
  splitSigned,
  unpad,
} from '../../../protocol/peer.ts';
import { cleanName } from '../../../protocol/text.ts';

const RUNS = 300;

const b64url = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
const participantId = b64url(16, 64);
const sessionId = b64url(22, 22);
const digest = b64url(43, 43);
const name = fc.string({ maxLength: 80 }).map((n) => cleanName(n) || 'Guest');
const presence = { name, micMuted: fc.boolean(), cameraOff: fc.boolean(), screenSharing: fc.boolean() };

const message: fc.Arbitrary<PeerMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), ...presence }),
  fc.record({ type: fc.constant('presence' as const), ...presence }),
  fc.record({ type: fc.constant('welcome' as const), commit: digest, fresh: fc.boolean(), ...presence }),
  fc.record({ type: fc.constant('reveal' as const), salt: digest }),
  fc.record({
    type: fc.constant('description' as const),
    description: fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), sdp: fc.string() }),
  }),
  fc.record({ type: fc.constant('candidate' as const), candidate: fc.record({ candidate: fc.string() }) }),
);

const payload: fc.Arbitrary<SealedPayload> = fc
  .record(
    {
      from: participantId,
      session: sessionId,
      bound: fc.option(fc.record({ to: participantId, toSession: sessionId }), { nil: undefined }),
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      key: b64url(40, 200),
      msg: message,
    },
    { requiredKeys: ['from', 'session', 'bound', 'seq', 'msg'] },
  )
  .map(({ bound, ...rest }) => ({ ...rest, to: bound?.to ?? ANYONE, toSession: bound?.toSession ?? ANYONE }));

/** Any JSON-ish object with the payload's field names, each holding anything. */
const payloadLike = fc.record(
  {
    from: fc.oneof(participantId, fc.anything()),
    session: fc.oneof(sessionId, fc.anything()),
    to: fc.oneof(participantId, fc.constant(ANYONE), fc.anything()),
    toSession: fc.oneof(sessionId, fc.constant(ANYONE), fc.anything()),
    seq: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    key: fc.oneof(b64url(40, 200), fc.anything()),
    msg: fc.oneof(message, fc.anything()),
  },
  { requiredKeys: [] },
);

describe('parseSealedPayload', () => {
  it('names a receiver fully (participant and session) or not at all', () => {
    fc.assert(
      fc.property(payloadLike, (v) => {
        const parsed = parseSealedPayload(JSON.stringify(v));
        if (parsed) expect(parsed.to === ANYONE).toBe(parsed.toSession === ANYONE);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('accepts a receiver only in the shapes of a participant id and a page session', () => {
    fc.assert(
      fc.property(payload, fc.string(), (p, junk) => {
        fc.pre(p.to !== ANYONE && !/^[A-Za-z0-9_-]{22}$/.test(junk) && junk !== ANYONE);
        expect(parseSealedPayload(JSON.stringify({ ...p, toSession: junk }))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('splitSigned', () => {
  it('never throws, and splits what joinSigned joined', () => {
    fc.assert(
      fc.property(b64url(86, 86), fc.string(), fc.string(), (signature, body, junk) => {
        expect(splitSigned(joinSigned(signature, body))).toEqual({ signature, body });
        splitSigned(junk);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('padding', () => {
  it('strips exactly what pad added, to a bucket no smaller than the first and never shorter than needed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6_000 }), (bytes) => {
        const padded = pad(bytes);
        expect(padded).toBeDefined();
        expect(padded!.length).toBe(paddedSize(bytes.length));
        expect(padded!.length).toBeGreaterThanOrEqual(Math.max(PAD_MIN_BYTES, bytes.length + 1));
        expect(unpad(padded!)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives lengths that differ by less than a bucket the same padded size, and never a smaller one for more', () => {
    fc.assert(
      fc.property(fc.nat(30_000), fc.nat(30_000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(paddedSize(lo)!).toBeLessThanOrEqual(paddedSize(hi)!);
        if (hi < PAD_MIN_BYTES) expect(paddedSize(lo)).toBe(paddedSize(hi));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws unpadding any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        const out = unpad(bytes);
        if (out) expect(out.length).toBeLessThan(bytes.length);
      }),
      { numRuns: RUNS },
    );
  });
});
