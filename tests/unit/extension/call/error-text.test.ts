import { describe, expect, it } from 'vitest';
import { codeAlertText, errorText } from '../../../../extension/call/error-text.ts';
import { ZingError, type ZingErrorCode } from '../../../../extension/session/errors.ts';

// Every code, at run time. The check below makes a new code missing here a type error.
const CODES = [
  'BAD_LINK',
  'CAMERA_DENIED',
  'CAMERA_UNAVAILABLE',
  'RELAY_UNREACHABLE',
  'RELAY_REJECTED',
  'ROOM_FULL',
  'PEER_FAILED',
  'TAMPERING',
  'CRYPTO_UNAVAILABLE',
] as const satisfies readonly ZingErrorCode[];
type Unlisted = Exclude<ZingErrorCode, (typeof CODES)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;

describe('errorText', () => {
  it('lists every error code in this test', () => {
    expect(allListed).toBe(true);
  });

  it.each(CODES)('explains %s in words', (code) => {
    const text = errorText(new ZingError(code, 'detail'));
    expect(text.trim().length).toBeGreaterThan(20);
    expect(text).not.toContain('undefined');
    expect(text).not.toContain(code);
  });

  it('gives each code its own words', () => {
    const texts = CODES.map((code) => errorText(new ZingError(code, 'same detail')));
    expect(new Set(texts).size).toBe(CODES.length);
  });

  it('includes why a link was refused', () => {
    const text = errorText(ZingError.badLink('Its path should start with /r/.'));
    expect(text).toContain('not valid');
    expect(text).toContain('Its path should start with /r/.');
  });

  it('names the relay that cannot be reached and says Zing keeps trying', () => {
    const text = errorText(new ZingError('RELAY_UNREACHABLE', 'https://relay.example'));
    expect(text).toContain('https://relay.example');
    expect(text).toContain('keeps trying');
  });

  it('tells someone without a camera that they still see and hear the others', () => {
    for (const code of ['CAMERA_DENIED', 'CAMERA_UNAVAILABLE'] as const) {
      expect(errorText(new ZingError(code, 'x'))).toMatch(/you can still see and hear/i);
    }
  });
});

describe('codeAlertText', () => {
  it('names the person whose code changed and asks to compare again', () => {
    const text = codeAlertText({ name: 'Ben', blocked: false });
    expect(text).toContain('Ben');
    expect(text).toMatch(/compare/i);
  });

  it('tells a blocked person’s peer that no media flows until they decide', () => {
    const text = codeAlertText({ name: 'Ben', blocked: true });
    expect(text).toContain('Ben');
    expect(text).toMatch(/neither see nor hear/);
    expect(text).not.toBe(codeAlertText({ name: 'Ben', blocked: false }));
  });
});
