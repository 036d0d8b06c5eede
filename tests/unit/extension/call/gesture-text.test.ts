import { describe, expect, it } from 'vitest';
import { REACTIONS } from '../../../../protocol/data.ts';
import { REACTION_LABELS, ordinal, placeText } from '../../../../extension/call/gesture-text.ts';

describe('ordinal', () => {
  it('says 1st, 2nd, 3rd, then th, with the teens all th', () => {
    expect([1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });

  it('puts a place in line into words', () => {
    expect(placeText(2)).toBe('2nd in line');
  });
});

describe('REACTION_LABELS', () => {
  it('names every reaction exactly as the contract does, in the order offered', () => {
    expect(REACTIONS.map((r) => REACTION_LABELS[r].name)).toEqual(['Thumbs up', 'Clap', 'Laugh', 'Heart', 'Surprised']);
  });
});
