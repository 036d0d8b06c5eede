import { describe, expect, it } from 'vitest';
import { ended, fraction, progressed, rowKey, started, type TransferRow } from '../../../../extension/call/transfer-list.ts';
import type { TransferInfo } from '../../../../extension/session/file-transfer.ts';

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
    expect(rows.map((r) => r.state)).toEqual(['running', 'failed']);
  });
});
