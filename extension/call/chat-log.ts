// The chat panel's log, kept to what a call tab can hold. Pure: the panel keeps
// the state, and each new line gives a new log.
//
// chat-rate.ts lets a peer send 5 messages and 64 Ki characters a second for as
// long as the call lasts: in an hour that is 18,000 messages and over 200 million
// characters, each copied into the log and the page. Without a cap a hostile peer
// (or a long, busy call) runs the call tab out of memory.

/**
 * Lines kept: more than anyone scrolls back through during a call, and few
 * enough that copying the log for each new line stays cheap.
 */
export const MAX_LOG_LINES = 500;
/**
 * Characters kept (UTF-16 units, about 4 MB as strings, the page's copy aside):
 * a bound whatever the size of each message. 500 messages of the largest size
 * (16 KiB) would be 8 million; this keeps about 120 of them, or 500 of any
 * size people type.
 */
export const MAX_LOG_CHARS = 2_000_000;

export interface LogLimits {
  lines: number;
  chars: number;
}

export const LOG_LIMITS: LogLimits = { lines: MAX_LOG_LINES, chars: MAX_LOG_CHARS };

export interface ChatLog<T> {
  /** Oldest first. */
  readonly lines: readonly T[];
  /** The characters in `lines`, as the caller's `size` counts them. */
  readonly chars: number;
  /** Whether older lines were ever removed to keep within the limits: the panel says so. */
  readonly trimmed: boolean;
}

export const emptyChatLog = <T>(): ChatLog<T> => ({ lines: [], chars: 0, trimmed: false });

/**
 * `log` with `line` added at the end and the oldest lines removed until at most
 * `limits.lines` lines of at most `limits.chars` characters are left. The new
 * line always stays, even alone over the budget (one message is far below it).
 */
export function appendToLog<T>(log: ChatLog<T>, line: T, size: (line: T) => number, limits: LogLimits = LOG_LIMITS): ChatLog<T> {
  const lines = [...log.lines, line];
  let chars = log.chars + size(line);
  let drop = 0;
  while (drop < lines.length - 1 && (lines.length - drop > limits.lines || chars > limits.chars)) {
    chars -= size(lines[drop]!); // drop < lines.length by the loop condition
    drop++;
  }
  return { lines: drop === 0 ? lines : lines.slice(drop), chars, trimmed: log.trimmed || drop > 0 };
}
