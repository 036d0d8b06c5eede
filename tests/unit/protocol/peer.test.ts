import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../../protocol/text.ts';
import { encodePeerMessage, parsePeerMessage, type PeerMessage } from '../../../protocol/peer.ts';

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
    ['an unknown type', raw({ type: 'hello' })],
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
