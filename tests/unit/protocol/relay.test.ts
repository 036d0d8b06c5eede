import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  encodeMessage,
  parseClientMessage,
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../../protocol/relay.ts';

const ROOM = 'AbCdEfGhIjKlMnOp'; // 16 base64url characters: the shortest valid room id
const PEER = 'peer_A-1';

const raw = (v: unknown) => JSON.stringify(v);

describe('parseClientMessage', () => {
  describe('accepts every valid shape', () => {
    it.each<[string, ClientMessage]>([
      ['a join with a 16-character room id', { type: 'join', room: ROOM }],
      ['a join with a 64-character room id', { type: 'join', room: 'a'.repeat(64) }],
      ['a signal to one peer', { type: 'signal', to: PEER, data: 'v=0 sdp' }],
      ['a signal to every other peer (no `to`)', { type: 'signal', data: '{"candidate":"x"}' }],
      ['a signal with empty data', { type: 'signal', to: PEER, data: '' }],
      ['a leave', { type: 'leave' }],
      ['a ping', { type: 'ping' }],
    ])('%s', (_name, msg) => {
      expect(parseClientMessage(raw(msg))).toEqual({ ok: true, msg });
    });

    it('round-trips what encodeMessage writes', () => {
      const msg: ClientMessage = { type: 'signal', to: PEER, data: 'line1\nline2 "quoted" ünïcode' };
      expect(parseClientMessage(encodeMessage(msg))).toEqual({ ok: true, msg });
    });
  });

  describe('rejects each class of malformed frame with a typed code', () => {
    it.each<[string, string, string]>([
      ['text that is not JSON', '{"type":"join"', 'BAD_JSON'],
      ['an empty frame', '', 'BAD_JSON'],
      ['a JSON string', raw('join'), 'BAD_MESSAGE'],
      ['a JSON number', '42', 'BAD_MESSAGE'],
      ['JSON null', 'null', 'BAD_MESSAGE'],
      ['a JSON array', raw([{ type: 'leave' }]), 'BAD_MESSAGE'],
      ['an object without a type', raw({ room: ROOM }), 'BAD_MESSAGE'],
      ['an object with an unknown type', raw({ type: 'hello' }), 'BAD_MESSAGE'],
      ['a server-only type sent by a client', raw({ type: 'joined', room: ROOM, self: PEER, peers: [] }), 'BAD_MESSAGE'],
      ['a type that is not a string', raw({ type: 1 }), 'BAD_MESSAGE'],
      ['a join without a room', raw({ type: 'join' }), 'BAD_MESSAGE'],
      ['a join whose room is a number', raw({ type: 'join', room: 1234567890123456 }), 'BAD_MESSAGE'],
      ['a join whose room is too short', raw({ type: 'join', room: 'a'.repeat(15) }), 'BAD_MESSAGE'],
      ['a join whose room is too long', raw({ type: 'join', room: 'a'.repeat(65) }), 'BAD_MESSAGE'],
      ['a join whose room has characters outside base64url', raw({ type: 'join', room: `${ROOM.slice(1)}/` }), 'BAD_MESSAGE'],
      ['a join whose room has a trailing newline', raw({ type: 'join', room: `${ROOM}\n` }), 'BAD_MESSAGE'],
      ['a signal without data', raw({ type: 'signal', to: PEER }), 'BAD_MESSAGE'],
      ['a signal whose data is an object', raw({ type: 'signal', to: PEER, data: { sdp: 'x' } }), 'BAD_MESSAGE'],
      ['a signal whose data is null', raw({ type: 'signal', data: null }), 'BAD_MESSAGE'],
      ['a signal whose `to` is a number', raw({ type: 'signal', to: 7, data: 'x' }), 'BAD_MESSAGE'],
      ['a signal whose `to` is null', raw({ type: 'signal', to: null, data: 'x' }), 'BAD_MESSAGE'],
      ['a signal whose `to` is an empty string', raw({ type: 'signal', to: '', data: 'x' }), 'BAD_MESSAGE'],
      ['a signal whose `to` is longer than 32 characters', raw({ type: 'signal', to: 'p'.repeat(33), data: 'x' }), 'BAD_MESSAGE'],
      ['a signal whose `to` has a space', raw({ type: 'signal', to: 'peer one', data: 'x' }), 'BAD_MESSAGE'],
    ])('%s', (_name, frame, code) => {
      const parsed = parseClientMessage(frame);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.code).toBe(code);
      expect(parsed.detail).not.toBe('');
    });

    it('names the unknown type in the detail but caps its length', () => {
      const parsed = parseClientMessage(raw({ type: `x${'y'.repeat(500)}` }));
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.detail).toContain('xyyy');
      expect(parsed.detail.length).toBeLessThan(80);
    });
  });

  describe('drops extra fields', () => {
    it('drops a spoofed `from` on a signal', () => {
      expect(parseClientMessage(raw({ type: 'signal', to: PEER, data: 'd', from: 'someoneElse' }))).toEqual({
        ok: true,
        msg: { type: 'signal', to: PEER, data: 'd' },
      });
    });

    it('drops unknown fields on a join and a leave', () => {
      expect(parseClientMessage(raw({ type: 'join', room: ROOM, self: PEER, admin: true }))).toEqual({
        ok: true,
        msg: { type: 'join', room: ROOM },
      });
      expect(parseClientMessage(raw({ type: 'leave', room: ROOM }))).toEqual({ ok: true, msg: { type: 'leave' } });
    });

    it('does not keep a `to` key on a broadcast signal', () => {
      const parsed = parseClientMessage(raw({ type: 'signal', data: 'd' }));
      expect(parsed.ok && Object.keys(parsed.msg)).toEqual(['type', 'data']);
    });
  });
});

describe('parseServerMessage', () => {
  describe('accepts every valid shape', () => {
    it.each<[string, ServerMessage]>([
      ['a joined into an empty room', { type: 'joined', room: ROOM, self: PEER, peers: [] }],
      ['a joined with peers already there', { type: 'joined', room: ROOM, self: PEER, peers: ['a', 'b_2'] }],
      [
        'a joined with TURN credentials',
        {
          type: 'joined',
          room: ROOM,
          self: PEER,
          peers: [],
          iceServers: [{ urls: ['turn:turn.example:3478', 'turns:turn.example:5349'], username: '1790000000:p', credential: 'c2VjcmV0' }],
        },
      ],
      ['a joined with an empty TURN list', { type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [] }],
      [
        'TURN credentials for a member that joined alone',
        { type: 'iceServers', iceServers: [{ urls: ['turn:turn.example:3478'], username: '1790000000:p', credential: 'c2VjcmV0' }] },
      ],
      ['a peerJoined', { type: 'peerJoined', peer: PEER }],
      ['a peerLeft', { type: 'peerLeft', peer: PEER }],
      ['a signal', { type: 'signal', from: PEER, data: 'v=0' }],
      ['a pong', { type: 'pong' }],
      ...ERROR_CODES.map((code): [string, ServerMessage] => [`an error ${code}`, { type: 'error', code, detail: 'why' }]),
    ])('%s', (_name, msg) => {
      expect(parseServerMessage(raw(msg))).toEqual({ ok: true, msg });
    });
  });

  describe('rejects each class of malformed frame', () => {
    it.each<[string, string, string]>([
      ['text that is not JSON', 'not json', 'BAD_JSON'],
      ['a JSON number', '1', 'BAD_MESSAGE'],
      ['JSON null', 'null', 'BAD_MESSAGE'],
      ['a JSON array', raw([]), 'BAD_MESSAGE'],
      ['an object without a type', raw({ peer: PEER }), 'BAD_MESSAGE'],
      ['an unknown type', raw({ type: 'welcome' }), 'BAD_MESSAGE'],
      ['a client-only type', raw({ type: 'join', room: ROOM }), 'BAD_MESSAGE'],
      ['a joined without self', raw({ type: 'joined', room: ROOM, peers: [] }), 'BAD_MESSAGE'],
      ['an iceServers without its list', raw({ type: 'iceServers' }), 'BAD_MESSAGE'],
      [
        'an iceServers with a STUN url',
        raw({ type: 'iceServers', iceServers: [{ urls: ['stun:x'], username: 'u', credential: 'c' }] }),
        'BAD_MESSAGE',
      ],
      ['a joined with a bad room id', raw({ type: 'joined', room: 'short', self: PEER, peers: [] }), 'BAD_MESSAGE'],
      ['a joined whose peers is not an array', raw({ type: 'joined', room: ROOM, self: PEER, peers: PEER }), 'BAD_MESSAGE'],
      ['a joined with a bad peer id in peers', raw({ type: 'joined', room: ROOM, self: PEER, peers: ['ok', 'not ok'] }), 'BAD_MESSAGE'],
      [
        'a joined whose iceServers is not an array',
        raw({ type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: {} }),
        'BAD_MESSAGE',
      ],
      [
        'a joined with a STUN url among the TURN servers',
        raw({ type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [{ urls: ['stun:x'], username: 'u', credential: 'c' }] }),
        'BAD_MESSAGE',
      ],
      [
        'a joined with a TURN server without urls',
        raw({ type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [{ urls: [], username: 'u', credential: 'c' }] }),
        'BAD_MESSAGE',
      ],
      [
        'a joined with a TURN server without a credential',
        raw({ type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [{ urls: ['turn:x'], username: 'u' }] }),
        'BAD_MESSAGE',
      ],
      ['a joined whose self is a bad peer id', raw({ type: 'joined', room: ROOM, self: '../x', peers: [] }), 'BAD_MESSAGE'],
      ['a peerJoined without peer', raw({ type: 'peerJoined' }), 'BAD_MESSAGE'],
      ['a peerLeft whose peer is a number', raw({ type: 'peerLeft', peer: 3 }), 'BAD_MESSAGE'],
      ['a signal without from', raw({ type: 'signal', data: 'x' }), 'BAD_MESSAGE'],
      ['a signal whose data is a number', raw({ type: 'signal', from: PEER, data: 1 }), 'BAD_MESSAGE'],
      ['an error with an unknown code', raw({ type: 'error', code: 'TEAPOT', detail: 'x' }), 'BAD_MESSAGE'],
      ['an error without detail', raw({ type: 'error', code: 'ROOM_FULL' }), 'BAD_MESSAGE'],
      ['an error whose code is not a string', raw({ type: 'error', code: 5, detail: 'x' }), 'BAD_MESSAGE'],
    ])('%s', (_name, frame, code) => {
      const parsed = parseServerMessage(frame);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.code).toBe(code);
    });
  });

  it('drops extra fields', () => {
    expect(parseServerMessage(raw({ type: 'signal', from: PEER, data: 'd', to: 'x', html: '<b>' }))).toEqual({
      ok: true,
      msg: { type: 'signal', from: PEER, data: 'd' },
    });
    const joined = parseServerMessage(raw({ type: 'joined', room: ROOM, self: PEER, peers: [], secret: 'x' }));
    expect(joined.ok && Object.keys(joined.msg)).toEqual(['type', 'room', 'self', 'peers']);
    expect(parseServerMessage(raw({ type: 'peerLeft', peer: PEER, reason: 'closed' }))).toEqual({
      ok: true,
      msg: { type: 'peerLeft', peer: PEER },
    });
  });

  it('drops extra fields inside each TURN server too, so nothing unchecked reaches RTCPeerConnection', () => {
    const turn = { urls: ['turn:turn.example:3478'], username: '1700000000:p', credential: 'c2VjcmV0' };
    const joined = parseServerMessage(
      raw({ type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [{ ...turn, credentialType: 'oauth', x: {} }] }),
    );
    expect(joined).toEqual({ ok: true, msg: { type: 'joined', room: ROOM, self: PEER, peers: [], iceServers: [turn] } });
  });
});
