// Properties of the cleaners every peer-chosen text goes through: whatever a
// peer sends, what comes out is safe to show, within its cap, and cleaning it
// again changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanChatText,
  cleanFileName,
  cleanName,
  cleanReason,
  MAX_FILE_NAME_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  utf8Bytes,
} from '../../../protocol/text.ts';
import { hostileString, RUNS } from '../../support/arbitraries.ts';

/** Control characters (C0, DEL, C1). */
const CONTROL = /\p{Cc}/u;
/** Characters that change the direction of the text around them: marks, embeddings, overrides, isolates. */
const BIDI = /\p{Bidi_Control}/u;
/** A break that starts a new line: the controls above, plus the Unicode line and paragraph separators. */
const LINE_BREAK = /[\p{Cc}\u2028\u2029]/u;
/** Half of a surrogate pair on its own: a character cut in two. */
const LONE_SURROGATE = /\p{Cs}/u;

const codePoints = (s: string): number => Array.from(s).length;

/** Text as people type it, plus everything a hostile peer could send instead. */
const anyText = fc.oneof(hostileString({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }));
/** Text long enough to reach every cap, cut where a cap falls. */
const longText = fc
  .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 300 }), hostileString({ maxLength: 4 }))
  .map(([piece, times, tail]) => piece.repeat(times) + tail);
const text = fc.oneof(anyText, longText);
/** Text without any half of a surrogate pair, so a lone one in the output was made by the cleaner. */
const wellFormedText = text.filter((s) => !LONE_SURROGATE.test(s));

const property = (arb: fc.Arbitrary<string>, check: (s: string) => void) =>
  fc.assert(
    fc.property(arb, (s) => {
      check(s);
    }),
    { numRuns: RUNS },
  );

describe('cleanName, for any text', () => {
  it('never yields a control or bidi character, or white space at either end or twice in a row', () => {
    property(text, (s) => {
      const name = cleanName(s);
      expect(name).not.toMatch(CONTROL);
      expect(name).not.toMatch(BIDI);
      expect(name).toBe(name.trim());
      expect(name).not.toMatch(/\s\s/);
    });
  });

  it(`never yields more than ${MAX_NAME_LENGTH} code points, nor half a character`, () => {
    property(wellFormedText, (s) => {
      const name = cleanName(s);
      expect(codePoints(name)).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      expect(name).not.toMatch(LONE_SURROGATE);
    });
  });

  it('changes nothing the second time', () => {
    property(text, (s) => expect(cleanName(cleanName(s))).toBe(cleanName(s)));
  });

  it('keeps a name that was clean already', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcxyzÀéñßøДжλ東京😀'), minLength: 1, maxLength: 10 });
    const name = fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => words.join(' '));
    property(
      name.filter((n) => codePoints(n) <= MAX_NAME_LENGTH),
      (n) => expect(cleanName(n)).toBe(n),
    );
  });

  it('turns anything that is not a string into an empty name', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== 'string'),
        (v) => {
          expect(cleanName(v)).toBe('');
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('cleanFileName, for any text', () => {
  it('never yields a path separator, a control or bidi character, or an empty, "." or ".." name', () => {
    property(text, (s) => {
      const name = cleanFileName(s);
      expect(name).not.toMatch(/[/\\]/);
      expect(name).not.toMatch(CONTROL);
      expect(name).not.toMatch(BIDI);
      expect(['', '.', '..']).not.toContain(name);
    });
  });

  it(`never yields more than ${MAX_FILE_NAME_LENGTH} code points, nor half a character`, () => {
    property(wellFormedText, (s) => {
      const name = cleanFileName(s);
      expect(codePoints(name)).toBeLessThanOrEqual(MAX_FILE_NAME_LENGTH);
      expect(name).not.toMatch(LONE_SURROGATE);
    });
  });

  it('changes nothing the second time', () => {
    property(text, (s) => expect(cleanFileName(cleanFileName(s))).toBe(cleanFileName(s)));
  });

  it('keeps only the last part of a path', () => {
    const part = fc.string({ unit: fc.constantFrom(...'abc-_ .é😀'), minLength: 1, maxLength: 12 });
    property(
      fc
        .tuple(fc.array(part, { maxLength: 4 }), fc.constantFrom('/', '\\'), part)
        .filter(([, , last]) => last.trim() !== '' && last.trim() !== '.' && last.trim() !== '..')
        .map(([dirs, sep, last]) => [...dirs, last].join(sep)),
      (path) => expect(cleanFileName(path)).toBe(cleanFileName(path.split(/[/\\]/).at(-1))),
    );
  });
});

describe('cleanReason, for any text', () => {
  it(`yields one line of at most ${MAX_REASON_LENGTH} code points, without bidi characters or half a character`, () => {
    property(wellFormedText, (s) => {
      const reason = cleanReason(s);
      expect(reason).not.toMatch(LINE_BREAK);
      expect(reason).not.toMatch(BIDI);
      expect(codePoints(reason)).toBeLessThanOrEqual(MAX_REASON_LENGTH);
      expect(reason).not.toMatch(LONE_SURROGATE);
    });
  });

  it('changes nothing the second time', () => {
    property(text, (s) => expect(cleanReason(cleanReason(s))).toBe(cleanReason(s)));
  });
});

describe('cleanChatText, for any text', () => {
  it('never yields a bidi character, or a control character other than a tab or a line feed', () => {
    property(text, (s) => {
      const chat = cleanChatText(s);
      expect(chat).not.toMatch(BIDI);
      expect(chat.replace(/[\t\n]/g, '')).not.toMatch(CONTROL);
      expect(cleanChatText(chat)).toBe(chat); // and cleaning it again changes nothing
    });
  });
});

describe('utf8Bytes', () => {
  it("counts what Node's own encoder counts, lone surrogates as the 3 bytes of U+FFFD", () => {
    property(text, (s) => expect(utf8Bytes(s)).toBe(Buffer.byteLength(s, 'utf8')));
  });
});
