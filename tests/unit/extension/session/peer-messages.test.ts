import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../../../extension/session/settings.ts';
import { encodePeerMessage, parsePeerMessage, type PeerMessage } from '../../../../extension/session/peer-messages.ts';

const raw = (v: unknown) => JSON.stringify(v);

describe('parsePeerMessage', () => {
  describe('accepts every valid shape', () => {
    it.each<[string, PeerMessage]>([
      ['a presence', { t: 'presence', name: 'Ada', micMuted: true, cameraOff: false, screenSharing: false }],
      ['a presence while sharing a screen', { t: 'presence', name: 'Ada', micMuted: false, cameraOff: true, screenSharing: true }],
      ['an offer', { t: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } }],
      ['an answer', { t: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } }],
      ['a bare candidate', { t: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' } }],
      [
        'a full candidate',
        { t: 'candidate', candidate: { candidate: 'candidate:x', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'uf' } },
      ],
      ['an end-of-candidates marker (empty candidate)', { t: 'candidate', candidate: { candidate: '' } }],
    ])('%s', (_name, msg) => {
      expect(parsePeerMessage(encodePeerMessage(msg))).toEqual(msg);
    });
  });

  describe('presence names', () => {
    it('cleans the name a peer claims', () => {
      expect(parsePeerMessage(raw({ t: 'presence', name: '  Ada \n Lovelace ', micMuted: false, cameraOff: false }))).toEqual({
        t: 'presence',
        name: 'Ada Lovelace',
        micMuted: false,
        cameraOff: false,
        screenSharing: false,
      });
    });

    it(`caps a flood of a name at ${MAX_NAME_LENGTH} characters`, () => {
      const msg = parsePeerMessage(raw({ t: 'presence', name: 'z'.repeat(10_000), micMuted: false, cameraOff: false }));
      expect(msg?.t === 'presence' && msg.name).toBe('z'.repeat(MAX_NAME_LENGTH));
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['only white space', ' \n\t '],
      ['not a string', 42],
    ])('calls a peer whose name is %s "Guest"', (_what, name) => {
      const msg = parsePeerMessage(raw({ t: 'presence', name, micMuted: false, cameraOff: true }));
      expect(msg).toEqual({ t: 'presence', name: 'Guest', micMuted: false, cameraOff: true, screenSharing: false });
    });
  });

  describe('presence screen sharing', () => {
    it('treats a presence without screenSharing (an older peer) as not sharing', () => {
      const msg = parsePeerMessage(raw({ t: 'presence', name: 'Ada', micMuted: false, cameraOff: false }));
      expect(msg?.t === 'presence' && msg.screenSharing).toBe(false);
    });

    it.each(['true', 1, null, {}])('treats screenSharing %j as not sharing', (v) => {
      const msg = parsePeerMessage(raw({ t: 'presence', name: 'Ada', micMuted: false, cameraOff: false, screenSharing: v }));
      expect(msg?.t === 'presence' && msg.screenSharing).toBe(false);
    });
  });

  it('drops fields it does not know, so nothing unvalidated reaches the UI', () => {
    const msg = parsePeerMessage(raw({ t: 'presence', name: 'Ada', micMuted: false, cameraOff: false, html: '<img>' }));
    expect(msg).toEqual({ t: 'presence', name: 'Ada', micMuted: false, cameraOff: false, screenSharing: false });
    const cand = parsePeerMessage(raw({ t: 'candidate', candidate: { candidate: 'c', sdpMid: 5, sdpMLineIndex: '0', evil: 1 } }));
    expect(cand).toEqual({ t: 'candidate', candidate: { candidate: 'c' } });
    const desc = parsePeerMessage(raw({ t: 'description', description: { type: 'offer', sdp: 's', extra: 1 } }));
    expect(desc).toEqual({ t: 'description', description: { type: 'offer', sdp: 's' } });
  });

  it.each([
    ['text that is not JSON', '{"t":"presence"'],
    ['an empty payload', ''],
    ['JSON null', 'null'],
    ['a JSON array', raw([{ t: 'presence' }])],
    ['a JSON string', raw('presence')],
    ['no t', raw({ name: 'Ada', micMuted: false, cameraOff: false })],
    ['an unknown t', raw({ t: 'hello' })],
    ['a relay-level type instead of t', raw({ type: 'signal', data: 'x' })],
    ['a presence without micMuted', raw({ t: 'presence', name: 'Ada', cameraOff: false })],
    ['a presence with a string micMuted', raw({ t: 'presence', name: 'Ada', micMuted: 'false', cameraOff: false })],
    ['a presence with a number cameraOff', raw({ t: 'presence', name: 'Ada', micMuted: false, cameraOff: 0 })],
    ['a description without one', raw({ t: 'description' })],
    ['a description that is an array', raw({ t: 'description', description: ['offer', 'v=0'] })],
    ['a description of type pranswer', raw({ t: 'description', description: { type: 'pranswer', sdp: 'v=0' } })],
    ['a description of type rollback', raw({ t: 'description', description: { type: 'rollback', sdp: '' } })],
    ['a description without sdp', raw({ t: 'description', description: { type: 'offer' } })],
    ['a description whose sdp is not a string', raw({ t: 'description', description: { type: 'offer', sdp: 1 } })],
    ['a candidate without one', raw({ t: 'candidate' })],
    ['a candidate that is a string', raw({ t: 'candidate', candidate: 'candidate:1' })],
    ['a candidate whose candidate is not a string', raw({ t: 'candidate', candidate: { candidate: null } })],
  ])('ignores %s', (_what, text) => {
    expect(parsePeerMessage(text)).toBeUndefined();
  });
});
