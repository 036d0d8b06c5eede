import { describe, expect, it } from 'vitest';
import { type ChatLog, LOG_LIMITS, MAX_LOG_CHARS, MAX_LOG_LINES, appendToLog, emptyChatLog } from '../../../../extension/call/chat-log.ts';

const size = (line: string) => line.length;
const fill = (lines: string[], limits = LOG_LIMITS): ChatLog<string> =>
  lines.reduce((log, line) => appendToLog(log, line, size, limits), emptyChatLog<string>());

describe('appendToLog', () => {
  it(`keeps every line up to ${MAX_LOG_LINES}, then only the newest ${MAX_LOG_LINES}, and says it removed some`, () => {
    const all = Array.from({ length: MAX_LOG_LINES + 20 }, (_, i) => `m${i}`);
    const full = fill(all.slice(0, MAX_LOG_LINES));
    expect(full).toEqual({ lines: all.slice(0, MAX_LOG_LINES), chars: all.slice(0, MAX_LOG_LINES).join('').length, trimmed: false });
    const log = fill(all);
    expect(log.lines).toEqual(all.slice(20));
    expect(log.chars).toBe(all.slice(20).join('').length);
    expect(log.trimmed).toBe(true);
  });

  it(`keeps at most ${MAX_LOG_CHARS} characters, removing the oldest lines first`, () => {
    const big = 'x'.repeat(16 * 1024);
    const log = fill(Array.from({ length: 200 }, (_, i) => `${i} ${big}`));
    expect(log.chars).toBeLessThanOrEqual(MAX_LOG_CHARS);
    expect(log.chars).toBe(log.lines.join('').length);
    expect(log.lines.at(-1)).toBe(`199 ${big}`);
    expect(log.lines.length).toBeLessThan(200);
    expect(log.trimmed).toBe(true);
  });

  it('removes lines to fit a character budget under given limits, and keeps the new line even alone over it', () => {
    const limits = { lines: 10, chars: 5 };
    expect(fill(['ab', 'cd', 'ef'], limits)).toEqual({ lines: ['cd', 'ef'], chars: 4, trimmed: true });
    expect(fill(['ab', 'toolong'], limits)).toEqual({ lines: ['toolong'], chars: 7, trimmed: true });
  });

  it('stays trimmed once it has removed a line', () => {
    const limits = { lines: 2, chars: 100 };
    const log = appendToLog(fill(['a', 'b', 'c'], limits), 'd', size, limits);
    expect(log).toEqual({ lines: ['c', 'd'], chars: 2, trimmed: true });
  });
});
