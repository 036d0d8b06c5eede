import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_CHAT_TEXT_BYTES,
  MAX_HAND_STAMP,
  REACTIONS,
  encodeDataMessage,
  fileChannelLabel,
  parseDataMessage,
  transferIdOfLabel,
} from '../../../protocol/data.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseDataMessage for chat', () => {
  it('round-trips a chat message', () => {
    const msg = { type: 'chat', id: crypto.randomUUID(), text: 'hi', sentAt: 1_700_000_000_000 } as const;
    expect(parseDataMessage(encodeDataMessage(msg))).toEqual(msg);
  });

  it('drops extra fields a peer adds', () => {
    const id = crypto.randomUUID();
    expect(parseDataMessage(JSON.stringify({ type: 'chat', id, text: 'hi', sentAt: 1, html: '<b>' }))).toEqual({
      type: 'chat',
      id,
      text: 'hi',
      sentAt: 1,
    });
  });

  it('removes bidi controls from the text, so a link cannot be shown backwards', () => {
    const id = crypto.randomUUID();
    const text = 'pay here: \u202ehttps://evil.example/moc.knab.www//:sptth\u2066\u200f';
    expect(parseDataMessage(JSON.stringify({ type: 'chat', id, text, sentAt: 1 }))).toEqual({
      type: 'chat',
      id,
      text: 'pay here: https://evil.example/moc.knab.www//:sptth',
      sentAt: 1,
    });
  });

  it('keeps Arabic text and line breaks, and drops only the bidi marks among them', () => {
    const id = crypto.randomUUID();
    const text = '\u200fمرحبا\u200f\nاقرأ \u2067https://example.com/ثم\u2069';
    expect(parseDataMessage(JSON.stringify({ type: 'chat', id, text, sentAt: 1 }))).toEqual({
      type: 'chat',
      id,
      text: 'مرحبا\nاقرأ https://example.com/ثم',
      sentAt: 1,
    });
  });

  it('refuses text that is nothing but bidi marks', () => {
    expect(parseDataMessage(JSON.stringify({ type: 'chat', id: crypto.randomUUID(), text: '\u200e\u202e', sentAt: 1 }))).toBeUndefined();
  });

  it('refuses an oversized frame before parsing it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    expect(parseDataMessage(' '.repeat(10 * MAX_CHAT_TEXT_BYTES))).toBeUndefined();
    expect(parse).not.toHaveBeenCalled();
  });
});

describe('file channel labels', () => {
  it('round-trip a transfer id', () => {
    const id = crypto.randomUUID();
    expect(transferIdOfLabel(fileChannelLabel(id))).toBe(id);
  });

  it.each(['chat', 'file:', 'file:x', `FILE:${'0'.repeat(36)}`])('do not take %j as a transfer', (label) => {
    expect(transferIdOfLabel(label)).toBeUndefined();
  });
});

describe('parseDataMessage for file control frames', () => {
  const id = crypto.randomUUID();

  it.each([
    { type: 'fileOffer', id, name: 'a.txt', size: 3, mime: 'text/plain' },
    { type: 'fileAccept', id },
    { type: 'fileDecline', id, reason: 'declined' },
    { type: 'fileEnd', id, blockSha256: 'a'.repeat(64) },
    { type: 'fileDone', id },
    { type: 'fileFailed', id, reason: 'nope' },
    { type: 'fileCancel', id, reason: 'cancelled' },
  ] as const)('round-trips a $type', (msg) => {
    expect(parseDataMessage(encodeDataMessage(msg))).toEqual(msg);
  });

  it.each([
    ['a negative size', { type: 'fileOffer', id, name: 'a', size: -1, mime: '' }],
    ['a fractional size', { type: 'fileOffer', id, name: 'a', size: 1.5, mime: '' }],
    ['a short hash', { type: 'fileEnd', id, blockSha256: 'abc' }],
    ['an uppercase hash', { type: 'fileEnd', id, blockSha256: 'A'.repeat(64) }],
    ['a missing id', { type: 'fileDone' }],
  ])('rejects %s', (_name, msg) => {
    expect(parseDataMessage(JSON.stringify(msg))).toBeUndefined();
  });

  it('drops a mime type that is not a plain type/subtype', () => {
    const msg = parseDataMessage(JSON.stringify({ type: 'fileOffer', id, name: 'a', size: 1, mime: 'text/html; charset=utf-7' }));
    expect(msg?.type === 'fileOffer' && msg.mime).toBe('');
  });
});

describe('parseDataMessage for gestures', () => {
  it('round-trips a hand going up and coming down', () => {
    for (const hand of [
      { type: 'hand', raised: true, stamp: 1 },
      { type: 'hand', raised: false, stamp: MAX_HAND_STAMP },
    ] as const) {
      expect(parseDataMessage(encodeDataMessage(hand))).toEqual(hand);
    }
  });

  it('round-trips every offered reaction and drops an id a peer adds', () => {
    for (const reaction of REACTIONS) {
      expect(parseDataMessage(JSON.stringify({ type: 'reaction', reaction, id: 'x' }))).toEqual({ type: 'reaction', reaction });
    }
  });

  it('refuses a hand stamped zero or past the cap, and a reaction it does not offer', () => {
    expect(parseDataMessage('{"type":"hand","raised":true,"stamp":0}')).toBeUndefined();
    expect(parseDataMessage(`{"type":"hand","raised":true,"stamp":${MAX_HAND_STAMP + 1}}`)).toBeUndefined();
    expect(parseDataMessage('{"type":"hand","raised":"yes","stamp":3}')).toBeUndefined();
    expect(parseDataMessage('{"type":"reaction","reaction":"toString"}')).toBeUndefined();
    expect(parseDataMessage('{"type":"reaction","reaction":"<img src=x onerror=alert(1)>"}')).toBeUndefined();
  });
});
