// What the files list shows: one row per file sent (all its receivers
// together) or received. Pure, so the UI stays a thin view of it.
import type { TransferDirection, TransferInfo } from '../session/file-transfer.ts';

export type RowState = 'running' | 'done' | 'failed' | 'cancelled';

export interface TransferRow {
  key: string;
  id: string;
  direction: TransferDirection;
  name: string;
  size: number;
  /** Per peer: bytes moved so far. */
  progress: Readonly<Record<string, number>>;
  /** Per peer: finished one way or another. */
  ended: Readonly<Record<string, RowState>>;
  state: RowState;
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
    progress: { [t.peer]: 0 },
    ended: {},
    state: 'running',
    url: undefined,
    reason: undefined,
  };
  return [...rows, row];
}

export function progressed(rows: readonly TransferRow[], t: TransferInfo, transferred: number): TransferRow[] {
  return update(rows, rowKey(t), (r) => ({ ...r, progress: { ...r.progress, [t.peer]: transferred } }));
}

/**
 * One receiver (or the sender) finished. A sent file is done when every
 * receiver is, failed if any failed; a received one ends with its peer.
 */
export function ended(
  rows: readonly TransferRow[],
  t: TransferInfo,
  state: Exclude<RowState, 'running'>,
  extra: { url?: string; reason?: string } = {},
): TransferRow[] {
  return update(rows, rowKey(t), (r) => {
    const endedNow = { ...r.ended, [t.peer]: state };
    const progress = state === 'done' ? { ...r.progress, [t.peer]: r.size } : r.progress;
    const all = Object.keys(r.progress).every((p) => endedNow[p] !== undefined);
    const states = Object.values(endedNow);
    const overall: RowState = !all
      ? 'running'
      : states.includes('failed')
        ? 'failed'
        : states.every((s) => s === 'cancelled')
          ? 'cancelled'
          : 'done';
    return { ...r, ended: endedNow, progress, state: overall, url: extra.url ?? r.url, reason: extra.reason ?? r.reason };
  });
}

function update(rows: readonly TransferRow[], key: string, fn: (r: TransferRow) => TransferRow): TransferRow[] {
  return rows.map((r) => (r.key === key ? fn(r) : r));
}
