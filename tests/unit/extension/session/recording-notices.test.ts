import { describe, expect, it } from 'vitest';
import type { RecordingNotice } from '../../../../protocol/data.ts';
import { RecordingNotices } from '../../../../extension/session/recording-notices.ts';

function notices() {
  const sent: { msg: RecordingNotice; to: string | undefined }[] = [];
  let changes = 0;
  const n = new RecordingNotices({ send: (msg, to) => sent.push({ msg, to }), changed: () => changes++ });
  return { n, sent, changes: () => changes };
}

describe('RecordingNotices', () => {
  it('tells everyone when this page starts and stops recording, once each', () => {
    const { n, sent, changes } = notices();
    n.setSelf(true);
    n.setSelf(true);
    n.setSelf(false);
    expect(sent).toEqual([
      { msg: { type: 'recording', on: true }, to: undefined },
      { msg: { type: 'recording', on: false }, to: undefined },
    ]);
    expect(changes()).toBe(2);
    expect(n.self).toBe(false);
  });

  it('tells a newcomer while it records, and nobody otherwise', () => {
    const { n, sent } = notices();
    n.peerJoined('late');
    expect(sent).toEqual([]);
    n.setSelf(true);
    n.peerJoined('late');
    expect(sent.at(-1)).toEqual({ msg: { type: 'recording', on: true }, to: 'late' });
  });

  it('marks only the sender of a notice, until it says it stopped or leaves', () => {
    const { n, changes } = notices();
    n.receive('ada', { type: 'recording', on: true });
    expect(n.isRecording('ada')).toBe(true);
    expect(n.isRecording('bo')).toBe(false);
    n.receive('ada', { type: 'recording', on: true });
    expect(changes()).toBe(1);
    n.receive('ada', { type: 'recording', on: false });
    expect(n.isRecording('ada')).toBe(false);
    n.receive('ada', { type: 'recording', on: true });
    n.peerLeft('ada');
    expect(n.isRecording('ada')).toBe(false);
    expect(changes()).toBe(4);
  });

  it('does not count a stop from someone who never started', () => {
    const { n, changes } = notices();
    n.receive('bo', { type: 'recording', on: false });
    n.peerLeft('bo');
    expect(changes()).toBe(0);
  });
});
