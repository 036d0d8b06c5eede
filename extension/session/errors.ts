// Every failure the call page can explain to a person. The words live in
// call/error-text.ts, keyed by these codes, so a missing message is a type error.
export type ZingErrorCode =
  | 'BAD_LINK'
  | 'CAMERA_DENIED'
  | 'CAMERA_UNAVAILABLE'
  /** The camera in use stopped by itself (unplugged); the message is its label, maybe empty. */
  | 'CAMERA_LOST'
  /** The screen could not be shared: the browser or the system refused (not the person cancelling the picker). */
  | 'SCREEN_UNAVAILABLE'
  /** The microphone in use stopped by itself; the message is its label, maybe empty. */
  | 'MICROPHONE_LOST'
  /** The remembered camera or microphone is not plugged in; the default stands in. The message is its label. */
  | 'DEVICE_MISSING'
  | 'RELAY_UNREACHABLE'
  | 'RELAY_REJECTED'
  | 'ROOM_FULL'
  | 'PEER_FAILED'
  | 'TAMPERING'
  | 'CRYPTO_UNAVAILABLE';

export class ZingError extends Error {
  override name = 'ZingError';
  readonly code: ZingErrorCode;

  constructor(code: ZingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static badLink(reason: string): ZingError {
    return new ZingError('BAD_LINK', reason);
  }

  /** Maps a getUserMedia rejection to what a person can act on. */
  static fromMediaError(cause: unknown): ZingError {
    const name = cause instanceof DOMException ? cause.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return new ZingError('CAMERA_DENIED', 'camera or microphone permission denied', { cause });
    }
    return new ZingError('CAMERA_UNAVAILABLE', `no usable camera or microphone (${name || 'unknown'})`, { cause });
  }
}
