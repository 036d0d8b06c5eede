// Requests per key within a token bucket, where one past the limit is held,
// not refused: the latest held request per key goes ahead once its bucket has
// a token again. For things a person may ask for often but that must happen in
// the end, such as building a link anew (call-session.ts, LINK_REBUILDS): a
// flood costs one request per token, and the last word is never lost. Pure:
// the clock is an argument.
import { type BucketLimits, TokenBuckets } from './token-bucket.ts';

export class HeldRequests<K, V> {
  readonly #buckets: TokenBuckets<K>;
  /** Held requests, each with the payload of the latest one that brought one. */
  readonly #held = new Map<K, V | undefined>();

  constructor(limits: BucketLimits) {
    this.#buckets = new TokenBuckets(limits);
  }

  /**
   * Asks for `key` at `now`. Within the limit, and with nothing of `key`'s
   * held (that one goes first), gives `{ payload }` to act on now; else holds
   * it, keeping an earlier held payload if this request brings none, and gives undefined.
   */
  request(key: K, payload: V | undefined, now: number): { payload: V | undefined } | undefined {
    if (!this.#held.has(key) && this.#buckets.take(key, now)) return { payload };
    this.#held.set(key, payload ?? this.#held.get(key));
    return undefined;
  }

  /** The held requests a token now allows, taken off the list. */
  release(now: number): { key: K; payload: V | undefined }[] {
    const out: { key: K; payload: V | undefined }[] = [];
    for (const [key, payload] of this.#held) {
      if (!this.#buckets.take(key, now)) continue;
      this.#held.delete(key);
      out.push({ key, payload });
    }
    return out;
  }

  /** Drops what `key` has held (they left); their bucket stays, so leaving and coming back refills nothing. */
  drop(key: K): void {
    this.#held.delete(key);
  }
}
