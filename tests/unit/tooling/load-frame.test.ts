// bench:relay's load generator reads the relay's signal frames as bytes (bench/lib/load.ts):
// it must read exactly what JSON.parse would, and refuse every frame it cannot read exactly.
import { describe, expect, it } from 'vitest';
import { readSignalFrame } from '../../../bench/lib/load.ts';

const FILLER = 'v=0\\r\\no=- 46117 2 IN IP4 127.0.0.1\\r\\n';
const frame = (from: string, header: string, filler = FILLER) =>
  Buffer.from(JSON.stringify({ type: 'signal', from, data: `${header} ${JSON.parse(`"${filler}"`)}` }));
const id = Buffer.from('p1a');

describe('readSignalFrame', () => {
  it('reads the header JSON.parse would, fraction included', () => {
    const h = readSignalFrame(frame('p1a', '42 7 6 123456.789'), id, FILLER.length);
    expect(h).toEqual({ seq: 42, from: 7, to: 6, sentAt: 123456.789 });
    expect(h?.sentAt).toBe(Number('123456.789'));
  });

  it('reads a time without a fraction', () => {
    expect(readSignalFrame(frame('p1a', '0 0 1 5'), id, FILLER.length)).toEqual({ seq: 0, from: 0, to: 1, sentAt: 5 });
  });

  it('refuses a frame from another peer, or of another shape', () => {
    expect(readSignalFrame(frame('p1b', '1 2 3 4.5'), id, FILLER.length)).toBeUndefined();
    expect(readSignalFrame(frame('p1', '1 2 3 4.5'), id, FILLER.length)).toBeUndefined();
    const reordered = Buffer.from(JSON.stringify({ from: 'p1a', type: 'signal', data: `1 2 3 4.5 x` }));
    expect(readSignalFrame(reordered, id, 1)).toBeUndefined();
    const extra = Buffer.from(JSON.stringify({ type: 'signal', from: 'p1a', data: '1 2 3 4.5 x', seq: 9 }));
    expect(readSignalFrame(extra, id, 1)).toBeUndefined();
  });

  it('refuses a header that is not four plain numbers', () => {
    for (const header of ['1 2 3', '1 2 x 4', '1 2 3 4.5.6', '-1 2 3 4', '1 2 3 4e3', '1  2 3 4']) {
      expect(readSignalFrame(frame('p1a', header), id, FILLER.length), header).toBeUndefined();
    }
  });

  it('refuses a frame whose filler was cut or grown', () => {
    expect(readSignalFrame(frame('p1a', '1 2 3 4.5', FILLER.slice(0, -2)), id, FILLER.length)).toBeUndefined();
    expect(readSignalFrame(frame('p1a', '1 2 3 4.5', `${FILLER}ab`), id, FILLER.length)).toBeUndefined();
    const f = frame('p1a', '1 2 3 4.5');
    expect(readSignalFrame(f.subarray(0, f.length - 1), id, FILLER.length - 1)).toBeUndefined();
  });
});
