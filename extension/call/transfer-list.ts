// What the files list shows: one row per file sent (all its receivers
// together) or received. Pure, so the UI stays a thin view of it.
import { DECLINED, type ConsentWhy } from '../session/file-consent.ts';
import type { TransferDirection, TransferInfo } from '../session/file-transfer.ts';

/**
 * `offered`: a received file announced, its answer not given yet; `asking`: it
 * waits for this person's Accept or Decline; `saved`: a received file saved.
 */
export type RowState = 'offered' | 'asking' | 'running' | 'done' | 'saved' | 'failed' | 'cancelled' | 'declined';

/** How one receiver's part of a transfer ended. */
export type EndState = 'done' | 'failed' | 'cancelled' | 'declined';

/**
 * Rows that have ended and hold nothing to save are kept up to this many, the
 * oldest dropped first: a peer that offers file after file (each declined) must
 * not grow the list without end.
 */
export const MAX_ENDED_ROWS = 20;

export interface TransferRow {
  key: string;
  id: string;
  direction: TransferDirection;
  name: string;
  size: number;
  /** Receiving: the participant who sends it. */
  from: string | undefined;
  /** Per peer: bytes moved so far. */
  progress: Readonly<Record<string, number>>;
  /** Per peer: took the offer, so its bytes flow. */
  accepted: Readonly<Record<string, true>>;
  /** Per peer: finished one way or another. */
  ended: Readonly<Record<string, EndState>>;
  state: RowState;
  /** Receiving, while asking: why this file waits for the person. */
  why: ConsentWhy | undefined;
  /** Where a received file can be saved from (an object URL). */
  url: string | undefined;
  reason: string | undefined;
}

export const rowKey = (t: Pick<TransferInfo, 'id' | 'peer' | 'direction'>): string =>
  t.direction === 'send' ? `send:${t.id}` : `receive:${t.id}:${t.peer}`;

/** Share done, 0..1, over every receiver. */
export function fraction(row: TransferRow): number {
  const peers = Object.keys(row.progress);
  if (peers.length === 0 || row.size === 0) return row.state === 'done' ? 1 : 0;
  const moved = peers.reduce((sum, p) => sum + Math.min(row.size, row.progress[p] ?? 0), 0);
  return moved / (row.size * peers.length);
}

/** Receivers of a sent file that have not taken it yet and have not ended either. */
export const waitingFor = (row: TransferRow): string[] =>
  Object.keys(row.progress).filter((p) => !row.accepted[p] && row.ended[p] === undefined);

/** Receivers of a sent file whose part ended in `state`. */
export const endedAs = (row: TransferRow, state: EndState): string[] => Object.keys(row.ended).filter((p) => row.ended[p] === state);

export function started(rows: readonly TransferRow[], t: TransferInfo): TransferRow[] {
  const key = rowKey(t);
  const existing = rows.find((r) => r.key === key);
  if (existing) return update(rows, key, (r) => ({ ...r, progress: { ...r.progress, [t.peer]: 0 } }));
  const row: TransferRow = {
    key,
    id: t.id,
    direction: t.direction,
    name: t.name,
    size: t.size,
    from: t.direction === 'receive' ? t.peer : undefined,
    progress: { [t.peer]: 0 },
    accepted: {},
    ended: {},
    state: t.direction === 'send' ? 'running' : 'offered',
    why: undefined,
    url: undefined,
    reason: undefined,
  };
  return [...rows, row];
}

/** A received file waits for this person's answer. */
export function asked(rows: readonly TransferRow[], t: TransferInfo, why: ConsentWhy): TransferRow[] {
  return update(rows, rowKey(t), (r) => (r.state === 'offered' ? { ...r, state: 'asking', why } : r));
}

/** A receiver took the file: its bytes flow. */
export function accepted(rows: readonly TransferRow[], t: TransferInfo): TransferRow[] {
  return update(rows, rowKey(t), (r) => ({
    ...r,
    accepted: { ...r.accepted, [t.peer]: true },
    state: r.state === 'offered' || r.state === 'asking' ? 'running' : r.state,
    why: undefined,
  }));
}

export function progressed(rows: readonly TransferRow[], t: TransferInfo, transferred: number): TransferRow[] {
  return update(rows, rowKey(t), (r) => ({ ...r, progress: { ...r.progress, [t.peer]: transferred } }));
}

/**
 * One receiver (or the sender) finished. A sent file is done when every
 * receiver has ended and at least one received it, failed if any failed; a
 * received one ends with its peer.
 */
export function ended(
  rows: readonly TransferRow[],
  t: TransferInfo,
  state: EndState,
  extra: { url?: string; reason?: string } = {},
): TransferRow[] {
  const after = update(rows, rowKey(t), (r) => {
    const endedNow = { ...r.ended, [t.peer]: state };
    const progress = state === 'done' ? { ...r.progress, [t.peer]: r.size } : r.progress;
    const all = Object.keys(r.progress).every((p) => endedNow[p] !== undefined);
    const states = Object.values(endedNow);
    const overall: RowState = !all
      ? r.state
      : states.includes('failed')
        ? 'failed'
        : states.includes('done')
          ? 'done'
          : states.includes('declined')
            ? 'declined'
            : 'cancelled';
    return { ...r, ended: endedNow, progress, state: overall, why: undefined, url: extra.url ?? r.url, reason: extra.reason ?? r.reason };
  });
  return trim(after);
}

/** The person saved a received file: its URL goes away (FileTransfers revokes it). */
export function saved(rows: readonly TransferRow[], key: string): TransferRow[] {
  return trim(update(rows, key, (r) => (r.state === 'done' ? { ...r, state: 'saved', url: undefined } : r)));
}

/** The person is done with a row. */
export const dismissed = (rows: readonly TransferRow[], key: string): TransferRow[] => rows.filter((r) => r.key !== key);

/** Whether a row is over: nothing will change in it any more, except a save. */
export const isOver = (row: TransferRow): boolean => !['offered', 'asking', 'running'].includes(row.state);

// Drops the oldest ended rows past MAX_ENDED_ROWS; a received file that can still be saved is never dropped.
function trim(rows: TransferRow[]): TransferRow[] {
  const droppable = rows.filter((r) => isOver(r) && r.url === undefined);
  const excess = droppable.length - MAX_ENDED_ROWS;
  if (excess <= 0) return rows;
  const drop = new Set(droppable.slice(0, excess));
  return rows.filter((r) => !drop.has(r));
}

function update(rows: readonly TransferRow[], key: string, fn: (r: TransferRow) => TransferRow): TransferRow[] {
  return rows.map((r) => (r.key === key ? fn(r) : r));
}

/**
 * What an ended row says, `nameOf` naming a participant. A reason that only
 * repeats how the row ended (a plain cancel or decline) is left out, so a
 * cancelled file reads "x.pdf: cancelled", not "cancelled (cancelled)".
 */
export function endText(row: TransferRow, nameOf: (participant: string | undefined) => string): string {
  const said = row.state === 'failed' ? 'not received intact' : row.state;
  const reason = row.reason && row.reason !== DECLINED && row.reason !== said ? ` (${row.reason})` : '';
  const from = row.direction === 'receive' ? ` from ${nameOf(row.from)}` : '';
  if (row.state === 'failed' || row.state === 'cancelled' || row.direction === 'receive') return `${row.name}${from}: ${said}${reason}`;
  return `${row.name}: declined by ${endedAs(row, 'declined').map(nameOf).join(', ')}${reason}`;
}
