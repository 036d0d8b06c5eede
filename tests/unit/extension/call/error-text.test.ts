import { describe, expect, it } from 'vitest';
import { codeAlertText } from '../../../../extension/call/code-alert-text.ts';
import { browserFamily, errorText } from '../../../../extension/call/error-text.ts';
import { ZingError, type ZingErrorCode } from '../../../../extension/session/errors.ts';

// Every code, at run time. The check below makes a new code missing here a type error.
const CODES = [
  'BAD_LINK',
  'CAMERA_DENIED',
  'CAMERA_UNAVAILABLE',
  'CAMERA_LOST',
  'MICROPHONE_LOST',
  'SCREEN_UNAVAILABLE',
  'DEVICE_MISSING',
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

describe('a denied camera or microphone', () => {
  const denied = new ZingError('CAMERA_DENIED', 'x');

  it('points at the address bar’s camera icon and Site settings in Chromium', () => {
    const text = errorText(denied, 'chromium');
    expect(text).toContain('camera icon at the right end of the address bar');
    expect(text).toContain('Site settings');
  });

  it('points at the permission icons left of the address bar in Firefox', () => {
    expect(errorText(denied, 'firefox')).toContain('icon at the left of the address bar');
  });

  it('says something useful in any other browser', () => {
    expect(errorText(denied, 'other')).toContain('site settings');
  });

  it('tells the browsers apart by their user agent', () => {
    expect(browserFamily('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36')).toBe(
      'chromium',
    );
    expect(browserFamily('Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0')).toBe('firefox');
    expect(browserFamily('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15')).toBe('other');
  });
});

describe('a camera or microphone that went away', () => {
  it('names the device that stopped and says the default took over', () => {
    const text = errorText(new ZingError('CAMERA_LOST', 'USB camera'));
    expect(text).toContain('Your camera (USB camera) stopped');
    expect(text).toContain('switched to the default camera');
  });

  it('reads well without a label', () => {
    expect(errorText(new ZingError('MICROPHONE_LOST', ''))).toMatch(/^Your microphone stopped/);
  });

  it('names a remembered device that is not plugged in', () => {
    expect(errorText(new ZingError('DEVICE_MISSING', 'USB camera'))).toMatch(/^USB camera is not plugged in/);
  });
});
