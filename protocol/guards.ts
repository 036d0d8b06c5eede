// The shape checks every parser in protocol/ starts from, written once.
// Parsers return a typed result for bad input; nothing here throws.

/** A plain JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export type JsonObject = { ok: true; fields: Record<string, unknown> } | { ok: false; reason: 'not JSON' | 'not an object' };

/** The first step of every text-frame parser: the frame must be one JSON object. */
export function parseJsonObject(raw: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  return isRecord(v) ? { ok: true, fields: v } : { ok: false, reason: 'not an object' };
}

/** A whole, non-negative number that JSON and JavaScript both carry exactly. */
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A finite, non-negative number (times in ms, sizes in px). */
export const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
