import { describe, expect, it } from 'vitest';
import {
  MAX_ENDED_ROWS,
  accepted,
  asked,
  dismissed,
  endText,
  endedAs,
  ended,
  fraction,
  progressed,
  rowKey,
  saved,
  started,
  waitingFor,
  type TransferRow,
} from '../../../../extension/call/transfer-list.ts';
import type { TransferInfo } from '../../../../extension/session/file-transfer.ts';
import { DECLINED } from '../../../../extension/session/file-consent.ts';

const info = (direction: TransferInfo['direction'], peer: string, id = 't1', size = 1_000): TransferInfo => ({
  id,
  peer,
  direction,
  name: `${id}.bin`,
  size,
  mime: 'application/octet-stream',
});

/** A file sent to each of `peers`, as FileTransfers reports it: one transferStarted per receiver. */
const sending = (peers: string[], id = 't1', size = 1_000): TransferRow[] =>
  peers.reduce<TransferRow[]>((rows, p) => started(rows, info('send', p, id, size)), []);

const only = (rows: TransferRow[]): TransferRow => {
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe('rows', () => {
  it('makes one row for a file sent to several peers', () => {
    const row = only(sending(['ann', 'ben', 'cat']));
    expect(row).toMatchObject({ key: 'send:t1', id: 't1', direction: 'send', name: 't1.bin', size: 1_000, state: 'running' });
    expect(row.progress).toEqual({ ann: 0, ben: 0, cat: 0 });
  });

  it('makes one row per sender for received files, even with the same id', () => {
    let rows = started([], info('receive', 'ann'));
    rows = started(rows, info('receive', 'ben'));
    expect(rows.map((r) => r.key)).toEqual(['receive:t1:ann', 'receive:t1:ben']);
  });

  it('keeps a sent and a received file with the same id apart', () => {
    const rows = started(sending(['ann']), info('receive', 'ann'));
    expect(rows.map((r) => r.key)).toEqual(['send:t1', 'receive:t1:ann']);
  });

  it('keys rows as the list does', () => {
    expect(rowKey(info('send', 'x', 'abc'))).toBe('send:abc');
    expect(rowKey(info('receive', 'x', 'abc'))).toBe('receive:abc:x');
  });

  it('adds rows in the order transfers start', () => {
    const rows = started(sending(['ann'], 'first'), info('send', 'ann', 'second'));
    expect(rows.map((r) => r.id)).toEqual(['first', 'second']);
  });
});

describe('progress', () => {
  it('aggregates over every receiver of a sent file', () => {
    let rows = sending(['ann', 'ben']);
    rows = progressed(rows, info('send', 'ann'), 500);
    expect(fraction(only(rows))).toBeCloseTo(0.25, 9);
    rows = progressed(rows, info('send', 'ben'), 1_000);
    expect(fraction(only(rows))).toBeCloseTo(0.75, 9);
  });

  it('never counts a receiver past the file size', () => {
    const rows = progressed(sending(['ann']), info('send', 'ann'), 5_000);
    expect(fraction(only(rows))).toBe(1);
  });

  it('changes only the row it belongs to', () => {
    const rows = started(sending(['ann'], 'a'), info('send', 'ann', 'b'));
    const after = progressed(rows, info('send', 'ann', 'b'), 700);
    expect(after[0]).toBe(rows[0]);
    expect(after[1]!.progress).toEqual({ ann: 700 });
  });

  it('ignores progress for a transfer it has no row for', () => {
    const rows = sending(['ann']);
    expect(progressed(rows, info('send', 'ann', 'other'), 10)).toEqual(rows);
  });

  it('shows an empty file as 0 while running and 1 once done', () => {
    const rows = sending(['ann'], 't1', 0);
    expect(fraction(only(rows))).toBe(0);
    expect(fraction(only(ended(rows, info('send', 'ann', 't1', 0), 'done')))).toBe(1);
  });

  it('shows a row with no receivers yet as 0', () => {
    const row: TransferRow = { ...only(sending(['ann'])), progress: {} };
    expect(fraction(row)).toBe(0);
  });
});

describe('ended', () => {
  it('keeps a sent file running until every receiver has ended', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'done');
    expect(only(rows).state).toBe('running');
    expect(only(rows).ended).toEqual({ ann: 'done' });
    rows = ended(rows, info('send', 'ben'), 'done');
    expect(only(rows).state).toBe('done');
    expect(fraction(only(rows))).toBe(1);
  });

  it('counts a receiver that finished as all its bytes, whatever progress said last', () => {
    let rows = progressed(sending(['ann', 'ben']), info('send', 'ann'), 100);
    rows = ended(rows, info('send', 'ann'), 'done');
    expect(only(rows).progress.ann).toBe(1_000);
  });

  it('fails a sent file if any receiver failed', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'failed', { reason: 'SHA-256 mismatch' });
    rows = ended(rows, info('send', 'ben'), 'done');
    expect(only(rows).state).toBe('failed');
    expect(only(rows).reason).toBe('SHA-256 mismatch');
  });

  it('says cancelled only when every receiver was cancelled', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'cancelled');
    rows = ended(rows, info('send', 'ben'), 'cancelled');
    expect(only(rows).state).toBe('cancelled');
  });

  it('says done when some received it and the others cancelled', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'cancelled');
    rows = ended(rows, info('send', 'ben'), 'done');
    expect(only(rows).state).toBe('done');
  });

  it('keeps a cancelled receiver’s progress where it stopped', () => {
    let rows = progressed(sending(['ann', 'ben']), info('send', 'ann'), 300);
    rows = ended(rows, info('send', 'ann'), 'cancelled');
    expect(only(rows).progress.ann).toBe(300);
  });

  it('ends a received file with its one sender and keeps where to save it', () => {
    let rows = started([], info('receive', 'ann'));
    rows = ended(rows, info('receive', 'ann'), 'done', { url: 'blob:chrome-extension://x/1' });
    expect(only(rows)).toMatchObject({ state: 'done', url: 'blob:chrome-extension://x/1', reason: undefined });
  });

  it('ends one received file without touching another sender’s copy', () => {
    let rows = started(started([], info('receive', 'ann')), info('receive', 'ben'));
    rows = ended(rows, info('receive', 'ben'), 'failed', { reason: 'the peer left the call' });
    expect(rows.map((r) => r.state)).toEqual(['offered', 'failed']);
  });
});

describe('consent', () => {
  it('shows a received file as offered, asking while its person decides, and running once accepted', () => {
    let rows = started([], info('receive', 'ann'));
    expect(only(rows)).toMatchObject({ state: 'offered', from: 'ann' });
    rows = asked(rows, info('receive', 'ann'), 'size');
    expect(only(rows)).toMatchObject({ state: 'asking', why: 'size' });
    rows = accepted(rows, info('receive', 'ann'));
    expect(only(rows)).toMatchObject({ state: 'running', why: undefined });
  });

  it('lists the receivers a sent file still waits for, until each accepts or ends', () => {
    let rows = sending(['ann', 'ben', 'cat']);
    expect(waitingFor(only(rows))).toEqual(['ann', 'ben', 'cat']);
    rows = accepted(rows, info('send', 'ann'));
    rows = ended(rows, info('send', 'ben'), 'declined', { reason: 'declined' });
    expect(waitingFor(only(rows))).toEqual(['cat']);
    expect(only(rows).state).toBe('running');
  });

  it('says declined when every receiver declined, and done with the decliners named when someone received it', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'declined');
    rows = ended(rows, info('send', 'ben'), 'cancelled');
    expect(only(rows).state).toBe('declined');
    rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'declined');
    rows = ended(rows, info('send', 'ben'), 'done');
    expect(only(rows).state).toBe('done');
    expect(endedAs(only(rows), 'declined')).toEqual(['ann']);
  });

  it('ends an asking offer the person declined with no Save and no progress', () => {
    let rows = asked(started([], info('receive', 'ann')), info('receive', 'ann'), 'burst');
    rows = ended(rows, info('receive', 'ann'), 'declined', { reason: 'declined' });
    expect(only(rows)).toMatchObject({ state: 'declined', url: undefined, why: undefined });
    expect(fraction(only(rows))).toBe(0);
  });
});

describe('saving and dismissing', () => {
  it('turns a saved file’s row to saved and forgets its URL', () => {
    let rows = ended(started([], info('receive', 'ann')), info('receive', 'ann'), 'done', { url: 'blob:1' });
    rows = saved(rows, 'receive:t1:ann');
    expect(only(rows)).toMatchObject({ state: 'saved', url: undefined });
  });

  it('removes a dismissed row and no other', () => {
    const rows = started(started([], info('receive', 'ann')), info('receive', 'ben'));
    expect(dismissed(rows, 'receive:t1:ann').map((r) => r.key)).toEqual(['receive:t1:ben']);
  });

  it(`keeps at most ${MAX_ENDED_ROWS} ended rows, dropping the oldest, but never one that can still be saved or is running`, () => {
    let rows = started([], info('receive', 'keep', 'saveable'));
    rows = ended(rows, info('receive', 'keep', 'saveable'), 'done', { url: 'blob:keep' });
    rows = started(rows, info('send', 'ann', 'running'));
    for (let i = 0; i < MAX_ENDED_ROWS + 5; i++) {
      const t = info('receive', 'mallory', `offer${i}`);
      rows = ended(started(rows, t), t, 'declined', { reason: 'no room' });
    }
    const ids = rows.map((r) => r.id);
    expect(ids.slice(0, 2)).toEqual(['saveable', 'running']);
    expect(ids.slice(2)).toEqual(Array.from({ length: MAX_ENDED_ROWS }, (_, i) => `offer${i + 5}`));
  });
});

describe('endText', () => {
  const nameOf = (p: string | undefined) => ({ ann: 'Ann', ben: 'Ben' })[p ?? ''] ?? 'Someone who left';
  const receiving = (id = 't1') => started([], info('receive', 'ann', id));

  it('says a cancelled file was cancelled once, not "cancelled (cancelled)"', () => {
    const [row] = ended(receiving(), info('receive', 'ann'), 'cancelled', { reason: 'cancelled' });
    expect(endText(row!, nameOf)).toBe('t1.bin from Ann: cancelled');
  });

  it('keeps a reason that says more than how the row ended', () => {
    const [left] = ended(receiving(), info('receive', 'ann'), 'cancelled', { reason: 'the call ended' });
    expect(endText(left!, nameOf)).toBe('t1.bin from Ann: cancelled (the call ended)');
    const [broken] = ended(receiving(), info('receive', 'ann'), 'failed', { reason: 'received 10 of 1000 bytes' });
    expect(endText(broken!, nameOf)).toBe('t1.bin from Ann: not received intact (received 10 of 1000 bytes)');
  });

  it('names who declined a file sent to several, without repeating the plain decline', () => {
    let rows = sending(['ann', 'ben']);
    rows = ended(rows, info('send', 'ann'), 'declined', { reason: DECLINED });
    rows = ended(rows, info('send', 'ben'), 'declined', { reason: DECLINED });
    expect(endText(rows[0]!, nameOf)).toBe('t1.bin: declined by Ann, Ben');
    const [mine] = ended(receiving(), info('receive', 'ann'), 'declined', { reason: DECLINED });
    expect(endText(mine!, nameOf)).toBe('t1.bin from Ann: declined');
  });
});
