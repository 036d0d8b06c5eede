import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, cleanName } from '../../../protocol/text.ts';

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
});

describe('cleanName at the length limit', () => {
  it('never leaves half of an emoji behind', () => {
    const name = cleanName(`${'a'.repeat(63)}😀😀`);
    expect(Array.from(name)).toHaveLength(64);
    expect(name.endsWith('😀')).toBe(true);
    expect(/[\ud800-\udbff]$/.test(name)).toBe(false);
  });
});
