import { describe, expect, it } from 'vitest';
import { isPeerId, isRoomId } from '../../../protocol/ids.ts';

describe('id checks', () => {
  it('isRoomId accepts 16 to 64 base64url characters and nothing else', () => {
    expect(isRoomId('A-_z09'.padEnd(16, 'x'))).toBe(true);
    expect(isRoomId('x'.repeat(15))).toBe(false);
    expect(isRoomId('x'.repeat(65))).toBe(false);
    expect(isRoomId(`${'x'.repeat(15)}=`)).toBe(false);
    expect(isRoomId(undefined)).toBe(false);
  });

  it('isPeerId accepts 1 to 32 base64url characters and nothing else', () => {
    expect(isPeerId('a')).toBe(true);
    expect(isPeerId('x'.repeat(32))).toBe(true);
    expect(isPeerId('x'.repeat(33))).toBe(false);
    expect(isPeerId('a.b')).toBe(false);
    expect(isPeerId(12)).toBe(false);
  });
});
