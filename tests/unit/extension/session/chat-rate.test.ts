import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS, type ChatLimits, admitChat, fullChatBucket } from '../../../../extension/session/chat-rate.ts';

const limits: ChatLimits = { messages: { perSecond: 2, burst: 3 }, chars: { perSecond: 100, burst: 1_000 }, spellQuietMs: 10_000 };

describe('admitChat', () => {
  it('takes a burst of messages at once and drops the next, announcing only the first drop', () => {
    const bucket = fullChatBucket(limits, 0);
    expect([1, 2, 3].map(() => admitChat(bucket, limits, 10, 0))).toEqual(['ok', 'ok', 'ok']);
    expect(admitChat(bucket, limits, 10, 0)).toBe('droppedFirst');
    expect(admitChat(bucket, limits, 10, 100)).toBe('dropped');
  });

  it('takes a message again as soon as the rate has earned one, and a drop costs nothing', () => {
    const bucket = fullChatBucket(limits, 0);
    for (let i = 0; i < 3; i++) admitChat(bucket, limits, 10, 0);
    for (let t = 0; t < 499; t += 50) expect(admitChat(bucket, limits, 10, t)).not.toBe('ok');
    expect(admitChat(bucket, limits, 10, 500)).toBe('ok'); // 2 a second: one every 500 ms
  });

  it('counts characters too: a few long messages use up what many short ones would', () => {
    const bucket = fullChatBucket(limits, 0);
    expect(admitChat(bucket, limits, 600, 0)).toBe('ok');
    expect(admitChat(bucket, limits, 600, 0)).toBe('droppedFirst');
    expect(admitChat(bucket, limits, 400, 0)).toBe('ok');
  });

  it('announces a new spell only after a quiet stretch without drops', () => {
    const bucket = fullChatBucket(limits, 0);
    for (let i = 0; i < 3; i++) admitChat(bucket, limits, 10, 0);
    expect(admitChat(bucket, limits, 10, 0)).toBe('droppedFirst');
    // Flooding on: each drop keeps the spell going, however long it lasts.
    let t = 0;
    for (; t < 30_000; t += 100) if (admitChat(bucket, limits, 10, t) === 'droppedFirst') throw new Error(`announced again at ${t}`);
    // Quiet for the spell's length, then a new burst past the limit: a new spell.
    t += 10_000;
    for (let i = 0; i < 3; i++) expect(admitChat(bucket, limits, 10, t)).toBe('ok');
    expect(admitChat(bucket, limits, 10, t)).toBe('droppedFirst');
  });

  it('earns nothing from a clock that steps back, and refills again from the new reading', () => {
    const bucket = fullChatBucket(limits, 10_000);
    for (let i = 0; i < 3; i++) admitChat(bucket, limits, 10, 10_000);
    expect(admitChat(bucket, limits, 10, 0)).toBe('droppedFirst');
    expect(admitChat(bucket, limits, 10, 500)).toBe('ok');
  });

  it('lets the e2e burst of 100 short messages through whole under the product’s limits', () => {
    const bucket = fullChatBucket(CHAT_LIMITS, 0);
    const verdicts = Array.from({ length: 100 }, () => admitChat(bucket, CHAT_LIMITS, 100, 0));
    expect(verdicts.every((v) => v === 'ok')).toBe(true);
  });
});
