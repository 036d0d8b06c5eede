import { describe, expect, it } from 'vitest';
import { ZingError } from '../../../../extension/session/errors.ts';

describe('ZingError', () => {
  it('carries its code, message and cause, and is an Error', () => {
    const cause = new Error('low level');
    const err = new ZingError('PEER_FAILED', 'ice failed', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ZingError');
    expect(err.code).toBe('PEER_FAILED');
    expect(err.message).toBe('ice failed');
    expect(err.cause).toBe(cause);
  });

  it('makes a BAD_LINK error whose message is the reason', () => {
    const err = ZingError.badLink('The call link is damaged.');
    expect(err.code).toBe('BAD_LINK');
    expect(err.message).toBe('The call link is damaged.');
  });

  describe('fromMediaError', () => {
    it.each(['NotAllowedError', 'SecurityError'])('calls a %s a denied camera, keeping the cause', (name) => {
      const cause = new DOMException('no', name);
      const err = ZingError.fromMediaError(cause);
      expect(err.code).toBe('CAMERA_DENIED');
      expect(err.cause).toBe(cause);
    });

    it.each(['NotFoundError', 'NotReadableError', 'OverconstrainedError', 'AbortError'])(
      'calls a %s an unavailable camera and names it',
      (name) => {
        const err = ZingError.fromMediaError(new DOMException('no', name));
        expect(err.code).toBe('CAMERA_UNAVAILABLE');
        expect(err.message).toContain(name);
      },
    );

    it('calls anything that is not a DOMException an unavailable camera of unknown kind', () => {
      for (const cause of [new Error('NotAllowedError'), 'NotAllowedError', undefined]) {
        const err = ZingError.fromMediaError(cause);
        expect(err.code).toBe('CAMERA_UNAVAILABLE');
        expect(err.message).toContain('unknown');
      }
    });
  });
});
