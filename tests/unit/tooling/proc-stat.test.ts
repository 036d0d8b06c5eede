// bench:call reads each Chromium thread's /proc stat line (bench/lib/call-cpu.ts): its name, parent,
// CPU time, and whether it is scheduled real-time (Chromium's audio threads, where the system lets it).
import { describe, expect, it } from 'vitest';
import { parseStat } from '../../../bench/lib/call-cpu.ts';

/** A stat line as Linux writes it, fields 3 to 52, with utime, stime, rt_priority and policy set. */
function statLine(name: string, { utime = 0, stime = 0, rtPriority = 0, policy = 0 } = {}): string {
  const fields = Array.from({ length: 50 }, () => '0'); // fields 3..52
  fields[0] = 'S';
  fields[1] = '4242'; // ppid, field 4
  fields[11] = String(utime); // field 14
  fields[12] = String(stime); // field 15
  fields[37] = String(rtPriority); // field 40
  fields[38] = String(policy); // field 41
  return `4243 (${name}) ${fields.join(' ')}\n`;
}

describe('parseStat', () => {
  it('reads a normal thread: name, parent and CPU seconds (100 ticks a second)', () => {
    expect(parseStat(statLine('VizCompositorTh', { utime: 150, stime: 50 }))).toEqual({
      name: 'VizCompositorTh',
      ppid: 4242,
      cpu: 2,
      realtime: false,
    });
  });

  it('tells a real-time thread (SCHED_RR, SCHED_FIFO) from a batch or idle one', () => {
    expect(parseStat(statLine('AudioOutputDevi', { rtPriority: 8, policy: 2 })).realtime).toBe(true);
    expect(parseStat(statLine('AudioOutputDevi', { rtPriority: 8, policy: 1 })).realtime).toBe(true);
    expect(parseStat(statLine('ThreadPoolBackg', { policy: 3 })).realtime).toBe(false);
    expect(parseStat(statLine('ThreadPoolBackg', { policy: 5 })).realtime).toBe(false);
  });

  it('keeps a name with spaces and parentheses whole', () => {
    expect(parseStat(statLine('Realtime AudioW', { policy: 2 }))).toMatchObject({ name: 'Realtime AudioW', realtime: true });
    expect(parseStat(statLine('a) (b', { utime: 100 }))).toMatchObject({ name: 'a) (b', ppid: 4242, cpu: 1 });
  });
});
