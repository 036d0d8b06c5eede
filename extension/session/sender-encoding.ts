// A link's one video encoding, set on its RTCRtpSender (the governor's caps,
// quality.ts) without asking the sender for what this page already knows.
import type { VideoEncoding } from './bandwidth.ts';

/** The part of RTCRtpSender this needs (a test hands in its own). */
export type EncodedSender = Pick<RTCRtpSender, 'getParameters' | 'setParameters'>;

/** Whether an encoding (as the sender holds it, or as last set) is `want` already. */
const holds = (enc: RTCRtpEncodingParameters | VideoEncoding, want: VideoEncoding): boolean =>
  enc.active === want.active &&
  enc.maxBitrate === want.maxBitrate &&
  enc.scaleResolutionDownBy === want.scaleResolutionDownBy &&
  enc.maxFramerate === want.maxFramerate;

/**
 * What this page last set on each sender and saw take effect. The governor sizes
 * every link every second and most seconds nothing changes; getParameters is a
 * synchronous hop to the WebRTC thread, and with four people sending it held
 * the call page's main thread about 11 ms a second (CDP profile of a 4-person
 * call at 240 lines), often behind an encode. Forgotten when a setParameters
 * fails and after each negotiation, so the sender is read again then.
 */
const applied = new WeakMap<EncodedSender, VideoEncoding>();
/** setParameters calls under way per sender. */
const inFlight = new WeakMap<EncodedSender, number>();

/**
 * Applies `want` to a sender's only encoding, and `preference` (what the
 * encoder gives up first when it must) to the sender, unless both are there
 * already; a sender keeps its preference through later sets, since each one
 * writes back the parameters it read. Before negotiation a sender may have no
 * encodings yet; the caller applies it again after.
 */
export async function applyEncoding(
  sender: EncodedSender,
  want: VideoEncoding | undefined,
  preference?: RTCDegradationPreference,
): Promise<void> {
  if (!want) return;
  const known = applied.get(sender);
  if (known && holds(known, want)) return;
  const params = sender.getParameters();
  const [enc, ...extra] = params.encodings;
  if (!enc) return;
  const wanted = { ...want };
  const preferred = preference === undefined || params.degradationPreference === preference;
  // Zing sends one encoding per link; a remote description that asked for simulcast is refused
  // (sdp-session.ts declaresSimulcast), and should layers come all the same, none goes unsized.
  const oneLayer = extra.every((layer) => layer.active === false);
  if (holds(enc, want) && preferred && oneLayer) {
    applied.set(sender, wanted);
    return;
  }
  if (preference !== undefined) params.degradationPreference = preference;
  enc.active = want.active;
  enc.maxBitrate = want.maxBitrate;
  enc.scaleResolutionDownBy = want.scaleResolutionDownBy;
  enc.maxFramerate = want.maxFramerate;
  for (const layer of extra) layer.active = false;
  applied.delete(sender);
  inFlight.set(sender, (inFlight.get(sender) ?? 0) + 1);
  let settled = false;
  try {
    await sender.setParameters(params);
    settled = true;
  } finally {
    const left = (inFlight.get(sender) ?? 1) - 1;
    inFlight.set(sender, left);
    // With another setParameters still under way the sender may end up holding that one's: not known until it settles.
    if (settled && left === 0) applied.set(sender, wanted);
    else applied.delete(sender);
  }
}

/** Reads the sender afresh next time (after a negotiation, where its encodings may have changed). */
export function forgetEncoding(sender: EncodedSender): void {
  applied.delete(sender);
}
