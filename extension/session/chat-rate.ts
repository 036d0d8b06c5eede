// How fast one peer's chat messages are taken: a bucket of messages and a
// bucket of bytes, like the relay's own (relay/limits.ts; the extension cannot
// import the relay). Pure: the caller keeps the state and passes the clock.
//
// Issue 13, hole 7: without it a peer in the call could fill everyone's chat log
// as fast as its data channel carries text. A person types well below these
// rates; a pasted list sent line by line fits in the burst.

export interface Rate {
  /** Refilled per second. */
  perSecond: number;
  /** Taken at once after a quiet spell. */
  burst: number;
}

export interface ChatLimits {
  messages: Rate;
  /** In UTF-16 code units of the frame: a few long messages cost what many short ones do. */
  chars: Rate;
  /** A spell of drops ends after this long without one; the next drop starts a new spell (and a new notice). */
  spellQuietMs: number;
}

/**
 * 120 messages at once, then 5 a second: Zing's own e2e test sends 100 in a
 * burst, and nobody types five messages a second for long. 512 Ki characters at
 * once, then 64 Ki a second: 32 messages of the largest size (16 KiB of text,
 * more as JSON), then four a second.
 */
export const CHAT_LIMITS: ChatLimits = {
  messages: { perSecond: 5, burst: 120 },
  chars: { perSecond: 64 * 1024, burst: 512 * 1024 },
  spellQuietMs: 10_000,
};

const TOLERANCE = 1e-6;

export interface ChatBucket {
  messages: number;
  chars: number;
  /** When the buckets were last brought up to date (ms, the caller's clock). */
  at: number;
  /** When the last message was dropped, if one was. */
  droppedAt: number | undefined;
}

export const fullChatBucket = (limits: ChatLimits, now: number): ChatBucket => ({
  messages: limits.messages.burst,
  chars: limits.chars.burst,
  at: now,
  droppedAt: undefined,
});

/**
 * `ok`: take the message. `dropped`: drop it, quietly. `droppedFirst`: drop it,
 * and it starts a spell of drops, so say so once. A drop costs no tokens, so a
 * peer that slows down gets through at once. A clock that steps back earns nothing.
 */
export type ChatVerdict = 'ok' | 'dropped' | 'droppedFirst';

export function admitChat(bucket: ChatBucket, limits: ChatLimits, chars: number, now: number): ChatVerdict {
  const elapsedMs = now - bucket.at;
  if (elapsedMs > 0) {
    bucket.messages = Math.min(limits.messages.burst, bucket.messages + (elapsedMs * limits.messages.perSecond) / 1000);
    bucket.chars = Math.min(limits.chars.burst, bucket.chars + (elapsedMs * limits.chars.perSecond) / 1000);
  }
  // Always: after a step back, refilling resumes from the new reading instead of waiting for the old one.
  bucket.at = now;
  // The tolerance: a second's worth refilled in many small steps adds up to a hair under 1.
  if (bucket.messages >= 1 - TOLERANCE && bucket.chars >= chars - TOLERANCE) {
    bucket.messages -= 1;
    bucket.chars -= chars;
    return 'ok';
  }
  const first = bucket.droppedAt === undefined || now - bucket.droppedAt >= limits.spellQuietMs;
  bucket.droppedAt = now;
  return first ? 'droppedFirst' : 'dropped';
}
