// Properties of the relay frame parsers: whatever arrives, a typed result and
// never a throw; every valid frame comes back as it was sent; extra fields stay behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientMessage,
  ERROR_CODES,
  encodeMessage,
  type Parsed,
  parseClientMessage,
  parseServerMessage,
  type ServerMessage,
  type TurnServer,
} from '../../../protocol/relay.ts';
import { anyFrame, frameLike, hostileString, type Json, mutated, RUNS } from '../../support/arbitraries.ts';

const peerId = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);
const roomId = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant('join'), room: roomId }),
  fc.record({ type: fc.constant('signal'), to: peerId, data: hostileString() }),
  fc.record({ type: fc.constant('signal'), data: hostileString() }),
  fc.constant({ type: 'leave' }),
);

const turnServer: fc.Arbitrary<TurnServer> = fc.record({
  urls: fc.array(
    fc.tuple(fc.constantFrom('turn:', 'turns:'), fc.string()).map(([scheme, rest]) => scheme + rest),
    { minLength: 1, maxLength: 3 },
  ),
  username: fc.string(),
  credential: fc.string(),
});

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant('joined'),
      room: roomId,
      self: peerId,
      peers: fc.array(peerId, { maxLength: 8 }),
      iceServers: fc.array(turnServer),
    },
    { requiredKeys: ['type', 'room', 'self', 'peers'] },
  ),
  fc.record({ type: fc.constant('iceServers'), iceServers: fc.array(turnServer) }),
  fc.record({ type: fc.constantFrom('peerJoined', 'peerLeft'), peer: peerId }),
  fc.record({ type: fc.constant('signal'), from: peerId, data: hostileString() }),
  fc.record({ type: fc.constant('error'), code: fc.constantFrom(...ERROR_CODES), detail: hostileString() }),
);

const CLIENT_TAGS = ['join', 'signal', 'leave'] as const;
const SERVER_TAGS = ['joined', 'iceServers', 'peerJoined', 'peerLeft', 'signal', 'error'] as const;
const CLIENT_FIELDS = ['room', 'to', 'data'];
const SERVER_FIELDS = ['room', 'self', 'peers', 'iceServers', 'urls', 'username', 'credential', 'peer', 'from', 'data', 'code', 'detail'];

/**
 * A result is typed: a failure is exactly `{ ok, code, detail }` with a known
 * code, and a success is a message that parses back to itself.
 */
function expectTyped<T>(result: Parsed<T>, parse: (raw: string) => Parsed<T>): void {
  if (result.ok) {
    expect(parse(JSON.stringify(result.msg))).toEqual(result);
  } else {
    expect(Object.keys(result).sort()).toEqual(['code', 'detail', 'ok']);
    expect(ERROR_CODES).toContain(result.code);
    expect(typeof result.detail).toBe('string');
  }
}

const notJson = (raw: string): boolean => {
  try {
    JSON.parse(raw);
    return false;
  } catch {
    return true;
  }
};

describe.each([
  {
    name: 'parseClientMessage',
    parse: parseClientMessage,
    valid: clientMessage as fc.Arbitrary<ClientMessage | ServerMessage>,
    tags: CLIENT_TAGS as readonly string[],
    fields: CLIENT_FIELDS,
  },
  {
    name: 'parseServerMessage',
    parse: parseServerMessage,
    valid: serverMessage as fc.Arbitrary<ClientMessage | ServerMessage>,
    tags: SERVER_TAGS as readonly string[],
    fields: SERVER_FIELDS,
  },
] as const)('$name, for any input', ({ parse, valid, tags, fields }) => {
  const parseAny = parse as (raw: string) => Parsed<ClientMessage | ServerMessage>; // both return Parsed of their own message

  it('never throws on any text, and answers BAD_JSON exactly when it is not JSON', () => {
    fc.assert(
      fc.property(anyFrame, (raw) => {
        const result = parseAny(raw);
        expectTyped(result, parseAny);
        expect(!result.ok && result.code === 'BAD_JSON').toBe(notJson(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a frame with a known type and fields of any JSON type', () => {
    fc.assert(
      fc.property(frameLike(tags, fields), (frame) => expectTyped(parseAny(JSON.stringify(frame)), parseAny)),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid message exactly as it was encoded', () => {
    fc.assert(
      fc.property(valid, (msg) => {
        expect(parseAny(encodeMessage(msg))).toEqual({ ok: true, msg });
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid message mutated in one place, drops fields it does not know, and refuses an unknown type', () => {
    const mutation = valid.chain(
      (msg) => mutated(msg as unknown as Json, { otherTags: tags, known: fields }).map((m) => ({ msg, ...m })), // a message is plain JSON
    );
    fc.assert(
      fc.property(mutation, ({ msg, kind, value }) => {
        const result = parseAny(JSON.stringify(value));
        expectTyped(result, parseAny);
        if (kind === 'extra') expect(result).toEqual({ ok: true, msg });
        const tag = (value as { type?: unknown }).type; // every mutated message is still an object
        if (kind === 'tag' && !tags.includes(tag as string)) expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid frame cut short anywhere', () => {
    fc.assert(
      fc.property(valid, fc.nat(), (msg, cut) => {
        const raw = encodeMessage(msg);
        const short = raw.slice(0, cut % raw.length);
        expectTyped(parseAny(short), parseAny);
      }),
      { numRuns: RUNS },
    );
  });
});
