// The camera figures the quality governor reads from one link's getStats():
// how our encoder is doing on it (outbound-rtp) and how our decoder is doing
// with their camera (inbound-rtp). Pure: a report is an iterable of records.
import type { Limitation } from './pressure.ts';

type StatsRecord = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export interface SentVideo {
  limitation: Limitation;
  frameHeight: number | undefined;
  framesEncoded: number;
  /** The link's bandwidth estimate (the selected candidate pair's), bits/s; undefined where the report has none. */
  availableOutgoingBps: number | undefined;
  /** Payload bytes sent so far, retransmissions included, and of them retransmissions (outbound-rtp). */
  bytesSent: number;
  retransmittedBytesSent: number;
}

export interface ReceivedVideo {
  framesReceived: number;
  framesDecoded: number;
  framesDropped: number;
  /** Seconds spent decoding, all frames. */
  totalDecodeTime: number;
}

const LIMITATIONS: readonly string[] = ['none', 'cpu', 'bandwidth', 'other'];

/**
 * The bandwidth estimate of the candidate pair the transport uses: the one it
 * names, or else the nominated pair that succeeded (a sender's report carries
 * its transport and candidate pairs along with its outbound-rtp).
 */
function availableOutgoing(records: readonly StatsRecord[]): number | undefined {
  const selected = records.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')?.selectedCandidatePairId;
  const pair =
    records.find((s) => s.type === 'candidate-pair' && selected !== undefined && s.id === selected) ??
    records.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  return num(pair?.availableOutgoingBitrate);
}

/** Our camera on this link (the video sender's own report), or undefined before it has sent anything. */
export function sentVideo(report: Iterable<StatsRecord>): SentVideo | undefined {
  const records = [...report];
  for (const s of records) {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') continue;
    const reason =
      typeof s.qualityLimitationReason === 'string' && LIMITATIONS.includes(s.qualityLimitationReason) ? s.qualityLimitationReason : 'none';
    return {
      limitation: reason as Limitation, // one of LIMITATIONS, checked just above
      frameHeight: num(s.frameHeight),
      framesEncoded: num(s.framesEncoded) ?? 0,
      availableOutgoingBps: availableOutgoing(records),
      bytesSent: num(s.bytesSent) ?? 0,
      retransmittedBytesSent: num(s.retransmittedBytesSent) ?? 0,
    };
  }
  return undefined;
}

/** Below this many bytes between two reports, a share of them says nothing. */
const MIN_SENT_BYTES = 2_000;

/**
 * Share of what our camera sent between two reports that was sent again
 * (retransmissions the receiver asked for, 0..1); undefined over an interval
 * with too little sent, or when the counters went back (a new stream).
 */
export function resentBetween(before: SentVideo | undefined, after: SentVideo): number | undefined {
  if (!before) return undefined;
  const sent = after.bytesSent - before.bytesSent;
  const resent = after.retransmittedBytesSent - before.retransmittedBytesSent;
  if (!(sent >= MIN_SENT_BYTES) || resent < 0) return undefined;
  return Math.min(1, resent / sent);
}

/** A video sender's report read against the previous reading (`last`): what it says now, and the share resent since. */
export function readSent(
  report: Iterable<StatsRecord> | undefined,
  last: SentVideo | undefined,
): { sent: SentVideo | undefined; resent: number | undefined } {
  const sent = report ? sentVideo(report) : undefined;
  return { sent, resent: sent ? resentBetween(last, sent) : undefined };
}

/** Their camera on this link (the video receiver's own report), or undefined before anything arrived. */
export function receivedVideo(report: Iterable<StatsRecord>): ReceivedVideo | undefined {
  for (const s of report) {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue;
    return {
      framesReceived: num(s.framesReceived) ?? 0,
      framesDecoded: num(s.framesDecoded) ?? 0,
      framesDropped: num(s.framesDropped) ?? 0,
      totalDecodeTime: num(s.totalDecodeTime) ?? 0,
    };
  }
  return undefined;
}

export interface DecodeFigures {
  /** Frames that arrived over the interval. */
  received: number;
  decoded: number;
  /** Share of the frames that arrived which were dropped before display (0..1); 0 with nothing received. */
  droppedShare: number;
  /** Decode time per decoded frame over the interval, ms; undefined with nothing decoded. */
  decodeMsPerFrame: number | undefined;
}

/** What the decoder did between two reports of the same stream. */
export function decodeBetween(before: ReceivedVideo | undefined, after: ReceivedVideo): DecodeFigures {
  const b = before ?? { framesReceived: 0, framesDecoded: 0, framesDropped: 0, totalDecodeTime: 0 };
  const received = Math.max(0, after.framesReceived - b.framesReceived);
  const decoded = Math.max(0, after.framesDecoded - b.framesDecoded);
  const dropped = Math.max(0, after.framesDropped - b.framesDropped);
  const decodeSeconds = Math.max(0, after.totalDecodeTime - b.totalDecodeTime);
  return {
    received,
    decoded,
    droppedShare: received > 0 ? Math.min(1, dropped / received) : 0,
    decodeMsPerFrame: decoded > 0 ? (1000 * decodeSeconds) / decoded : undefined,
  };
}
