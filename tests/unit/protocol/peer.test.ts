import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../../protocol/text.ts';
import {
  ANYONE,
  carriesKey,
  encodePeerMessage,
  encodeSealedPayload,
  envelopeHeader,
  joinSigned,
  MAX_PADDED_BYTES,
  mustBeBound,
  PAD_MIN_BYTES,
  pad,
  paddedSize,
  parsePeerMessage,
  parseSealedPayload,
  type PeerMessage,
  type SealedPayload,
  signedText,
  splitSigned,
  unpad,
} from '../../../protocol/peer.ts';

const raw = (v: unknown) => JSON.stringify(v);

describe('parsePeerMessage', () => {
  describe('accepts every valid shape', () => {
    it.each<[string, PeerMessage]>([
      ['a presence', { type: 'presence', name: 'Ada', micMuted: true, cameraOff: false, screenSharing: false }],
      ['a presence while sharing a screen', { type: 'presence', name: 'Ada', micMuted: false, cameraOff: true, screenSharing: true }],
      ['an offer', { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } }],
      ['an answer', { type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } }],
      ['a bare candidate', { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' } }],
      [
        'a full candidate',
        { type: 'candidate', candidate: { candidate: 'candidate:x', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'uf' } },
      ],
      ['an end-of-candidates marker (empty candidate)', { type: 'candidate', candidate: { candidate: '' } }],
      ['a hello', { type: 'hello', name: 'Ada', micMuted: false, cameraOff: true, screenSharing: false }],
      [
        'a welcome',
        { type: 'welcome', commit: 'c'.repeat(43), fresh: false, name: 'Ada', micMuted: true, cameraOff: false, screenSharing: true },
      ],
      [
        'a fresh welcome',
        { type: 'welcome', commit: 'c'.repeat(43), fresh: true, name: 'Ada', micMuted: false, cameraOff: false, screenSharing: false },
      ],
      ['a reveal', { type: 'reveal', salt: 's'.repeat(43) }],
    ])('%s', (_name, msg) => {
      expect(parsePeerMessage(encodePeerMessage(msg))).toEqual(msg);
    });
  });

  describe('presence names', () => {
    it('cleans the name a peer claims', () => {
      expect(parsePeerMessage(raw({ type: 'presence', name: '  Ada \n Lovelace ', micMuted: false, cameraOff: false }))).toEqual({
        type: 'presence',
        name: 'Ada Lovelace',
        micMuted: false,
        cameraOff: false,
        screenSharing: false,
      });
    });

    it(`caps a flood of a name at ${MAX_NAME_LENGTH} characters`, () => {
      const msg = parsePeerMessage(raw({ type: 'presence', name: 'z'.repeat(10_000), micMuted: false, cameraOff: false }));
      expect(msg?.type === 'presence' && msg.name).toBe('z'.repeat(MAX_NAME_LENGTH));
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['only white space', ' \n\t '],
      ['not a string', 42],
    ])('calls a peer whose name is %s "Guest"', (_what, name) => {
      const msg = parsePeerMessage(raw({ type: 'presence', name, micMuted: false, cameraOff: true }));
      expect(msg).toEqual({ type: 'presence', name: 'Guest', micMuted: false, cameraOff: true, screenSharing: false });
    });
  });

  describe('presence screen sharing', () => {
    it('treats a presence without screenSharing (an older peer) as not sharing', () => {
      const msg = parsePeerMessage(raw({ type: 'presence', name: 'Ada', micMuted: false, cameraOff: false }));
      expect(msg?.type === 'presence' && msg.screenSharing).toBe(false);
    });

    it.each(['true', 1, null, {}])('treats screenSharing %j as not sharing', (v) => {
      const msg = parsePeerMessage(raw({ type: 'presence', name: 'Ada', micMuted: false, cameraOff: false, screenSharing: v }));
      expect(msg?.type === 'presence' && msg.screenSharing).toBe(false);
    });
  });

  describe('a fresh welcome', () => {
    const welcome = (fields: Record<string, unknown>) =>
      parsePeerMessage(raw({ type: 'welcome', commit: 'c'.repeat(43), name: 'Ada', micMuted: false, cameraOff: false, ...fields }));

    it('takes a welcome without `fresh` (an older peer) as kept, and only `true` as fresh', () => {
      expect(welcome({})).toMatchObject({ type: 'welcome', fresh: false });
      expect(welcome({ fresh: true })).toMatchObject({ type: 'welcome', fresh: true });
    });

    it.each(['true', 1, null, {}])('takes fresh %j as kept', (v) => {
      expect(welcome({ fresh: v })).toMatchObject({ type: 'welcome', fresh: false });
    });
  });

  it('drops fields it does not know, so nothing unvalidated reaches the UI', () => {
    const msg = parsePeerMessage(raw({ type: 'presence', name: 'Ada', micMuted: false, cameraOff: false, html: '<img>' }));
    expect(msg).toEqual({ type: 'presence', name: 'Ada', micMuted: false, cameraOff: false, screenSharing: false });
    const cand = parsePeerMessage(raw({ type: 'candidate', candidate: { candidate: 'c', sdpMid: 5, sdpMLineIndex: '0', evil: 1 } }));
    expect(cand).toEqual({ type: 'candidate', candidate: { candidate: 'c' } });
    const desc = parsePeerMessage(raw({ type: 'description', description: { type: 'offer', sdp: 's', extra: 1 } }));
    expect(desc).toEqual({ type: 'description', description: { type: 'offer', sdp: 's' } });
  });

  it.each([
    ['text that is not JSON', '{"type":"presence"'],
    ['an empty payload', ''],
    ['JSON null', 'null'],
    ['a JSON array', raw([{ type: 'presence' }])],
    ['a JSON string', raw('presence')],
    ['no t', raw({ name: 'Ada', micMuted: false, cameraOff: false })],
    ['an unknown type', raw({ type: 'bogus' })],
    ['a hello without presence', raw({ type: 'hello' })],
    ['a welcome without a commitment', raw({ type: 'welcome', name: 'Ada', micMuted: false, cameraOff: false })],
    ['a welcome with a short commitment', raw({ type: 'welcome', commit: 'abc', name: 'Ada', micMuted: false, cameraOff: false })],
    ['a reveal without a salt', raw({ type: 'reveal' })],
    ['a reveal with a salt that is not base64url', raw({ type: 'reveal', salt: `${'s'.repeat(42)}=` })],
    ['a relay-level type instead of t', raw({ type: 'signal', data: 'x' })],
    ['a presence without micMuted', raw({ type: 'presence', name: 'Ada', cameraOff: false })],
    ['a presence with a string micMuted', raw({ type: 'presence', name: 'Ada', micMuted: 'false', cameraOff: false })],
    ['a presence with a number cameraOff', raw({ type: 'presence', name: 'Ada', micMuted: false, cameraOff: 0 })],
    ['a description without one', raw({ type: 'description' })],
    ['a description that is an array', raw({ type: 'description', description: ['offer', 'v=0'] })],
    ['a description of type pranswer', raw({ type: 'description', description: { type: 'pranswer', sdp: 'v=0' } })],
    ['a description of type rollback', raw({ type: 'description', description: { type: 'rollback', sdp: '' } })],
    ['a description without sdp', raw({ type: 'description', description: { type: 'offer' } })],
    ['a description whose sdp is not a string', raw({ type: 'description', description: { type: 'offer', sdp: 1 } })],
    ['a candidate without one', raw({ type: 'candidate' })],
    ['a candidate that is a string', raw({ type: 'candidate', candidate: 'candidate:1' })],
    ['a candidate whose candidate is not a string', raw({ type: 'candidate', candidate: { candidate: null } })],
  ])('ignores %s', (_what, text) => {
    expect(parsePeerMessage(text)).toBeUndefined();
  });
});

const ANN = 'ann-participant-0000000000000000000000000000';
const BEN = 'ben-participant-0000000000000000000000000000';
const SESSION_A = 'a'.repeat(22);
const SESSION_B = 'b'.repeat(22);
const KEY = 'k'.repeat(59);
const hello: PeerMessage = { type: 'hello', name: 'Ann', micMuted: false, cameraOff: false, screenSharing: false };
const payload = (over: Partial<SealedPayload> = {}): SealedPayload => ({
  from: ANN,
  session: SESSION_A,
  to: ANYONE,
  toSession: ANYONE,
  seq: 1,
  key: KEY,
  msg: hello,
  ...over,
});

describe('parseSealedPayload', () => {
  it.each<[string, SealedPayload]>([
    ['a hello to anyone, with its key', payload()],
    [
      'a candidate bound to one participant and session, without a key',
      payload({ to: BEN, toSession: SESSION_B, key: undefined, msg: { type: 'candidate', candidate: { candidate: 'c' } } }),
    ],
  ])('reads back %s as it was written', (_what, p) => {
    const { key, ...rest } = p;
    expect(parseSealedPayload(encodeSealedPayload(p))).toEqual(key === undefined ? rest : p);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a participant but no session', { to: BEN, toSession: ANYONE }],
    ['a session but no participant', { to: ANYONE, toSession: SESSION_B }],
    ['a session of the wrong length', { to: BEN, toSession: 'short' }],
    ['a sender without a session', { session: undefined }],
    ['a sender session that is not base64url', { session: `${'a'.repeat(21)}=` }],
    ['a sequence number of 0', { seq: 0 }],
    ['a negative sequence number', { seq: -1 }],
    ['a key that is not base64url', { key: 'not a key!' }],
    ['a key far too long', { key: 'k'.repeat(500) }],
    ['a message of an unknown type', { msg: { type: 'bogus' } }],
  ])('refuses %s', (_what, over) => {
    expect(parseSealedPayload(JSON.stringify({ ...payload(), ...over }))).toBeUndefined();
  });

  it('refuses text that is not a JSON object', () => {
    for (const text of ['', 'null', '[]', '"x"', '{']) expect(parseSealedPayload(text)).toBeUndefined();
  });
});

describe('which messages must be bound and which carry a key', () => {
  it('lets only hellos and presence changes go to anyone', () => {
    expect(
      ['hello', 'presence', 'welcome', 'reveal', 'description', 'candidate'].filter((t) => !mustBeBound(t as PeerMessage['type'])),
    ).toEqual(['hello', 'presence']);
  });

  it('puts the key in everything that introduces or announces a person', () => {
    expect(
      ['hello', 'presence', 'welcome', 'reveal', 'description', 'candidate'].filter((t) => carriesKey(t as PeerMessage['type'])),
    ).toEqual(['hello', 'presence', 'welcome']);
  });
});

describe('signed plaintext', () => {
  it('splits what joinSigned joined', () => {
    const sig = 'S'.repeat(86);
    expect(splitSigned(joinSigned(sig, '{"a":1}'))).toEqual({ signature: sig, body: '{"a":1}' });
  });

  it('refuses a plaintext without an 86-character signature and a dot', () => {
    for (const text of ['', '{"a":1}', `${'S'.repeat(85)}.{}`, `${'S'.repeat(86)}{}`, `${'S'.repeat(85)}!.{}`]) {
      expect(splitSigned(text)).toBeUndefined();
    }
  });

  it('signs the relay header and the body on separate lines, the header naming everyone as *', () => {
    expect(signedText(envelopeHeader('room', 'from', undefined), '{}')).toBe('zing/v2|room|from|*\n{}');
    expect(envelopeHeader('room', 'from', 'to')).toBe('zing/v2|room|from|to');
  });
});

describe('padding', () => {
  it(`puts everything below ${PAD_MIN_BYTES} bytes in one bucket, then doubles`, () => {
    expect(paddedSize(0)).toBe(PAD_MIN_BYTES);
    expect(paddedSize(PAD_MIN_BYTES - 1)).toBe(PAD_MIN_BYTES);
    expect(paddedSize(PAD_MIN_BYTES)).toBe(2 * PAD_MIN_BYTES);
    expect(paddedSize(5_000)).toBe(8_192);
    expect(paddedSize(32 * 1024 - 1)).toBe(32 * 1024);
    expect(paddedSize(32 * 1024)).toBe(40 * 1024);
    expect(paddedSize(MAX_PADDED_BYTES - 1)).toBe(MAX_PADDED_BYTES);
    expect(paddedSize(MAX_PADDED_BYTES)).toBeUndefined();
  });

  it('strips exactly what it added, whatever the bytes end in', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0, 0, 0]), new Uint8Array([0x80]), new Uint8Array([1, 0x80, 0])]) {
      const padded = pad(bytes);
      expect(padded?.length).toBe(PAD_MIN_BYTES);
      expect(unpad(padded!)).toEqual(bytes);
    }
  });

  it('refuses padding without its end marker', () => {
    expect(unpad(new Uint8Array(16))).toBeUndefined();
    expect(unpad(new Uint8Array([1, 2, 0]))).toBeUndefined();
    expect(unpad(new Uint8Array(0))).toBeUndefined();
  });

  it(`fits the largest possible hello, welcome, presence and a long candidate in the first bucket (${PAD_MIN_BYTES} bytes)`, () => {
    // The worst name: 64 code points that JSON writes as six-byte escapes (lone surrogates).
    const name = '\ud800'.repeat(MAX_NAME_LENGTH);
    const presence = { name, micMuted: false, cameraOff: false, screenSharing: false };
    const messages: PeerMessage[] = [
      { type: 'hello', ...presence },
      { type: 'presence', ...presence },
      { type: 'welcome', commit: 'c'.repeat(43), fresh: true, ...presence },
      {
        type: 'candidate',
        candidate: {
          candidate:
            'candidate:4234997325 1 udp 2043278322 fd00:1234:5678:9abc:def0:1234:5678:9abc 61234 typ srflx raddr fd00:1234:5678:9abc:def0:1234:5678:9abd rport 61235 generation 0 ufrag abcd network-id 3 network-cost 50',
          sdpMid: '12',
          sdpMLineIndex: 12,
          usernameFragment: 'abcd',
        },
      },
    ];
    for (const msg of messages) {
      const body = encodeSealedPayload(payload({ to: BEN, toSession: SESSION_B, seq: Number.MAX_SAFE_INTEGER, msg }));
      const plaintext = new TextEncoder().encode(joinSigned('S'.repeat(86), body));
      expect(paddedSize(plaintext.length)).toBe(PAD_MIN_BYTES);
    }
  });
});
