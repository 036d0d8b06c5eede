// What the call page shows and says for hands and reactions. Pure.
import type { Reaction } from '../../protocol/data.ts';

/** Each reaction's accessible name (the contract's) and the emoji shown for it. */
export const REACTION_LABELS: Record<Reaction, { readonly name: string; readonly emoji: string }> = {
  thumbsUp: { name: 'Thumbs up', emoji: '👍' },
  clap: { name: 'Clap', emoji: '👏' },
  laugh: { name: 'Laugh', emoji: '😂' },
  heart: { name: 'Heart', emoji: '❤️' },
  surprised: { name: 'Surprised', emoji: '😮' },
};

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** Where a raised hand is in line, in words. */
export const placeText = (place: number): string => `${ordinal(place)} in line`;
