import { describe, expect, it } from 'vitest';
import {
  MAX_FILE_NAME_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  cleanChatText,
  cleanFileName,
  cleanName,
  cleanReason,
} from '../../../protocol/text.ts';

describe('cleanName', () => {
  it('trims and collapses runs of white space, line breaks included, into one space', () => {
    expect(cleanName('  Ada \n\t  Lovelace  ')).toBe('Ada Lovelace');
  });

  it(`caps a name at ${MAX_NAME_LENGTH} characters`, () => {
    expect(cleanName('x'.repeat(200))).toHaveLength(MAX_NAME_LENGTH);
  });

  it('caps after collapsing, so white space does not eat the allowance', () => {
    const name = cleanName(`${' '.repeat(100)}${'y'.repeat(MAX_NAME_LENGTH)}`);
    expect(name).toBe('y'.repeat(MAX_NAME_LENGTH));
  });

  it.each([undefined, null, 42, true, {}, ['Ada']])('turns the non-string %j into an empty name', (v) => {
    expect(cleanName(v)).toBe('');
  });
});

describe('cleanName against disguise', () => {
  it('turns control and bidi-override characters into spaces, so a name cannot reorder what follows it', () => {
    expect(cleanName('Ada\u202eecilA')).toBe('Ada ecilA');
    expect(cleanName('Bob\u0000\u0007')).toBe('Bob');
  });

  it('turns C1 controls (NEL, CSI) into spaces too', () => {
    expect(cleanName('Ada\u0085Lovelace\u009b')).toBe('Ada Lovelace');
  });

  it('leaves nothing of a name made only of invisible bidi marks, so it shows as Guest, not as a blank tile', () => {
    expect(cleanName('\u200e')).toBe('');
    expect(cleanName('\u200f\u061c')).toBe('');
  });
});

describe('cleanFileName', () => {
  it('drops bidi marks, so "..", followed by an invisible mark, is not taken for a name', () => {
    expect(cleanFileName('..\u200e')).toBe('file');
    expect(cleanFileName('\u200fcod.exe')).toBe('cod.exe');
  });

  it(`cuts at ${MAX_FILE_NAME_LENGTH} code points, never through an emoji, and leaves no space at the end`, () => {
    const name = cleanFileName('😀'.repeat(300));
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith('😀')).toBe(true);
    expect(cleanFileName(`${'a'.repeat(MAX_FILE_NAME_LENGTH - 1)} b`)).toBe('a'.repeat(MAX_FILE_NAME_LENGTH - 1));
  });
});

describe('cleanReason', () => {
  it('keeps a reason on one line: line and paragraph separators become spaces', () => {
    expect(cleanReason('disk\u2028full\u2029now\u0085')).toBe('disk full now ');
  });

  it('drops the bidi override that would reverse what follows it', () => {
    expect(cleanReason('ok \u202edeliaf')).toBe('ok  deliaf');
  });

  it(`cuts at ${MAX_REASON_LENGTH} code points, never through an emoji`, () => {
    const reason = cleanReason('😀'.repeat(300));
    expect(Array.from(reason)).toHaveLength(MAX_REASON_LENGTH);
    expect(reason.endsWith('😀')).toBe(true);
  });
});

describe('cleanName at the length limit', () => {
  it('never leaves half of an emoji behind', () => {
    const name = cleanName(`${'a'.repeat(63)}😀😀`);
    expect(Array.from(name)).toHaveLength(64);
    expect(name.endsWith('😀')).toBe(true);
    expect(/[\ud800-\udbff]$/.test(name)).toBe(false);
  });
});

describe('cleanChatText', () => {
  it('removes every bidi control, so an override cannot show a link backwards', () => {
    const bidi = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    expect(cleanChatText(`pay here: \u202ehttps://evil.example/moc.knab.www//:sptth${bidi}`)).toBe(
      'pay here: https://evil.example/moc.knab.www//:sptth',
    );
  });

  it('keeps Arabic and Hebrew letters, line breaks and tabs, and drops only the marks among them', () => {
    expect(cleanChatText('\u200fمرحبا بالعالم\u200f\nשלום\u202b\tworld\u202c')).toBe('مرحبا بالعالم\nשלום\tworld');
  });

  it('turns a carriage return into a line feed and drops other control characters', () => {
    expect(cleanChatText('a\r\nb\rc\u0000d\u0085e\u001b')).toBe('a\nb\ncde');
  });
});
