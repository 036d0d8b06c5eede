// One JSON line per event an operator cares about: join, leave, error (a limit
// hit is an error with its code), the bus's state. Never a payload. Written by pino (fast, structured);
// call sites only see `log(event, fields)`, and /metrics counts the same events
// (metrics.ts), so a log line and a counter never disagree. Error lines are
// rate-limited (ErrorLines below); the counters still count every one.
import { pino } from 'pino';

export type LogEvent = 'listening' | 'join' | 'leave' | 'error' | 'bus' | 'swept' | 'shutdown' | 'suppressed';

export type Logger = (event: LogEvent, fields?: Record<string, string | number>) => void;

export interface ErrorLineLimits {
  /** Error lines written per second at most, over all connections; the rest are counted in a `suppressed` line. */
  perSecond: number;
  /** One line per connection and code per spell: errors of that kind closer together than this continue the spell. */
  spellMs: number;
}

/**
 * Decides which error lines get written. Someone who sends bad frames without
 * end must not be able to fill the disk or drown other lines: each peer and
 * code gets one line per spell (its errors less than `spellMs` apart), a refused
 * upgrade, which has no peer yet, one per code and spell, and at most
 * `perSecond` lines go out in any second. The rest are counted, and `flush`
 * hands over the count for one `suppressed` line. Plain arithmetic on a clock
 * the caller passes, like limits.ts.
 */
export class ErrorLines {
  readonly #limits: ErrorLineLimits;
  /** When each spell last saw an error, by `<peer or ->/<code>`; ended spells are swept once per spellMs. */
  readonly #spells = new Map<string, number>();
  #sweptAt = 0;
  #second = Number.NEGATIVE_INFINITY;
  #written = 0;
  #suppressed = 0;

  constructor(limits: ErrorLineLimits) {
    this.#limits = limits;
  }

  /** Whether to write this error line now; if not, it is counted as suppressed. */
  admit(fields: Record<string, string | number> | undefined, now: number): boolean {
    if (now - this.#sweptAt >= this.#limits.spellMs) this.#sweep(now);
    const key = `${fields?.peer ?? '-'}/${fields?.code ?? ''}`;
    const last = this.#spells.get(key);
    this.#spells.set(key, now);
    if (last !== undefined && now - last < this.#limits.spellMs) {
      this.#suppressed++;
      return false;
    }
    if (now - this.#second >= 1000) {
      this.#second = now;
      this.#written = 0;
    }
    if (this.#written >= this.#limits.perSecond) {
      this.#suppressed++;
      return false;
    }
    this.#written++;
    return true;
  }

  /** Lines suppressed since the last flush (0 if none), and starts counting afresh. */
  flush(): number {
    const n = this.#suppressed;
    this.#suppressed = 0;
    return n;
  }

  /** Spells tracked: bounded by the peers and codes seen within the last spellMs or two. */
  get size(): number {
    return this.#spells.size;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, last] of this.#spells) if (now - last >= this.#limits.spellMs) this.#spells.delete(key);
  }
}

/**
 * Writes error lines through `limits`: a suppressed line is counted, and one
 * `suppressed` line with the count follows within a second of the first.
 */
export function limitErrorLines(log: Logger, limits: ErrorLineLimits, now: () => number = () => performance.now()): Logger {
  const lines = new ErrorLines(limits);
  let flushing: NodeJS.Timeout | undefined;
  const flush = () => {
    flushing = undefined;
    const n = lines.flush();
    if (n > 0) log('suppressed', { lines: n, note: 'error lines left out (the /metrics counters have them all)' });
  };
  return (event, fields) => {
    if (event === 'shutdown') {
      clearTimeout(flushing);
      flush(); // the count goes out before the last line, not lost at exit
    }
    // A bus error comes per failed command: a Redis outage under load would write one per signal.
    const isError = event === 'error' || (event === 'bus' && fields?.state === 'error');
    if (!isError) return log(event, fields);
    if (lines.admit(fields, now())) return log(event, fields);
    if (!flushing) {
      flushing = setTimeout(flush, 1000);
      flushing.unref();
    }
  };
}

export function createLogger(level: 'info' | 'silent', limits?: ErrorLineLimits): Logger {
  if (level === 'silent') return () => undefined; // silent: log nothing
  const logger = pino(
    {
      base: null, // no pid/hostname on every line: the orchestrator adds its own labels
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous: the last line before process.exit (`shutdown`) must not be lost.
    pino.destination({ dest: 1, sync: true }),
  );
  // A client's bad frame or a limit it hit is worth a look, not an alarm: warn. Losing Redis is an alarm.
  const write: Logger = (event, fields) => {
    if (event === 'error' || event === 'suppressed') logger.warn({ event, ...fields });
    else if (event === 'bus' && (fields?.state === 'error' || fields?.state === 'down')) logger.error({ event, ...fields });
    else logger.info({ event, ...fields });
  };
  return limits ? limitErrorLines(write, limits) : write;
}
