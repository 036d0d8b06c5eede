import { describe, expect, it } from 'vitest';
import { presenceNews, type Seen } from '../../../../extension/call/presence-news.ts';

const me: Seen = { id: 'self', self: true, kind: 'camera', name: 'Ann', recording: false };
const ben: Seen = { id: 'b', self: false, kind: 'camera', name: 'Ben', recording: false };
const cai: Seen = { id: 'c', self: false, kind: 'camera', name: 'Cai', recording: false };

describe('presenceNews', () => {
  it('says who joined and who left', () => {
    expect(presenceNews([me], [me, ben])).toEqual(['Ben joined']);
    expect(presenceNews([me, ben, cai], [me, cai])).toEqual(['Ben left']);
    expect(presenceNews([me, ben], [me, cai])).toEqual(['Cai joined', 'Ben left']);
  });

  it('says when someone starts and stops recording, and shares and stops sharing their screen', () => {
    expect(presenceNews([me, ben], [me, { ...ben, recording: true }])).toEqual(['Ben started recording the call']);
    expect(presenceNews([me, { ...ben, recording: true }], [me, ben])).toEqual(['Ben stopped recording']);
    const screen: Seen = { id: 'b:screen', self: false, kind: 'screen', name: 'Ben', recording: false };
    expect(presenceNews([me, ben], [me, ben, screen])).toEqual(['Ben is sharing their screen']);
    expect(presenceNews([me, ben, screen], [me, ben])).toEqual(['Ben stopped sharing their screen']);
    // Someone who joins while recording: both are news.
    expect(presenceNews([me], [me, { ...ben, recording: true }])).toEqual(['Ben joined', 'Ben started recording the call']);
  });

  it('says nothing of this person, of a rename or a mute, or when nothing changed', () => {
    expect(presenceNews([me, ben], [{ ...me, recording: true }, ben])).toEqual([]);
    expect(presenceNews([me, ben], [me, { ...ben, name: 'Benjamin' }])).toEqual([]);
    expect(presenceNews([me, ben], [me, ben])).toEqual([]);
    expect(presenceNews([me], [me, { id: 'self:screen', self: true, kind: 'screen', name: 'Ann', recording: false }])).toEqual([]);
  });
});
