import { describe, expect, it } from 'vitest';
import { NOT_SHOWN } from '../../../../protocol/data.ts';
import { DROP_BAD, DROP_CLEAR } from '../../../../extension/session/pressure.ts';
import {
  PAUSE_BELOW_HEIGHT_PX,
  VIEW_BURST,
  VIEW_DEBOUNCE_MS,
  VIEW_REFILL_MS,
  VIEW_MAX_DELAY_MS,
  ViewOutbox,
  fullViewBucket,
  quantizeDropped,
  takeViewToken,
  viewsOf,
  type TileReport,
  type Want,
} from '../../../../extension/session/view-wants.ts';

const tile = (participant: string, width: number, height: number, patch: Partial<TileReport> = {}): TileReport => ({
  participant,
  kind: 'camera',
  width,
  height,
  visible: true,
  ...patch,
});
const want = (width: number, height: number, dropped = 0): Want => ({
  camera: width ? { width, height } : NOT_SHOWN,
  screen: NOT_SHOWN,
  dropped,
});

describe('viewsOf', () => {
  it('takes the largest visible tile of each sender’s camera and screen', () => {
    const views = viewsOf(
      [
        tile('ada', 320, 180),
        tile('ada', 1280, 720, { visible: false }),
        tile('ada', 640, 360),
        tile('ada', 1920, 1080, { kind: 'screen' }),
        tile('bo', 200, 112),
      ],
      undefined,
    );
    expect(views.get('ada')).toEqual({ camera: { width: 640, height: 360 }, screen: { width: 1920, height: 1080 } });
    expect(views.get('bo')).toEqual({ camera: { width: 200, height: 112 }, screen: NOT_SHOWN });
  });

  it('says "not shown" for a sender whose every tile is hidden, and nothing for a sender with no tile', () => {
    const views = viewsOf([tile('ada', 640, 360, { visible: false })], undefined);
    expect(views.get('ada')).toEqual({ camera: NOT_SHOWN, screen: NOT_SHOWN });
    expect(views.has('bo')).toBe(false);
  });

  it(`turns off video in tiles shorter than ${PAUSE_BELOW_HEIGHT_PX} px while small video is paused, and only those`, () => {
    const views = viewsOf([tile('ada', 320, 180), tile('bo', 1280, 720)], PAUSE_BELOW_HEIGHT_PX);
    expect(views.get('ada')!.camera).toEqual(NOT_SHOWN);
    expect(views.get('bo')!.camera).toEqual({ width: 1280, height: 720 });
  });

  it('keeps video in the spotlight while small video is paused, however small the window makes it', () => {
    const views = viewsOf([tile('ada', 533, 300, { spotlit: true }), tile('bo', 160, 90)], PAUSE_BELOW_HEIGHT_PX);
    expect(views.get('ada')!.camera).toEqual({ width: 533, height: 300 });
    expect(views.get('bo')!.camera).toEqual(NOT_SHOWN);
  });
});

describe('quantizeDropped', () => {
  it('tells a sender only which side of its thresholds the share is on', () => {
    expect(quantizeDropped(0)).toBe(0);
    expect(quantizeDropped(Number.NaN)).toBe(0);
    expect(quantizeDropped(DROP_CLEAR - 0.001)).toBe(0);
    expect(quantizeDropped((DROP_CLEAR + DROP_BAD) / 2)).toBeGreaterThanOrEqual(DROP_CLEAR);
    expect(quantizeDropped((DROP_CLEAR + DROP_BAD) / 2)).toBeLessThan(DROP_BAD);
    expect(quantizeDropped(DROP_BAD)).toBeGreaterThanOrEqual(DROP_BAD);
    expect(quantizeDropped(1)).toBeGreaterThanOrEqual(DROP_BAD);
  });
});

describe('ViewOutbox', () => {
  it('sends the first view at once', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 1_000);
    expect(box.due(1_000)).toEqual([['ada', want(640, 360)]]);
    expect(box.nextDue()).toBeUndefined();
  });

  it('sends a tile disappearing (a hidden tab) at once, and its coming back too', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 0);
    box.due(0);
    box.set('ada', want(0, 0), 5_000);
    expect(box.due(5_000)).toEqual([['ada', want(0, 0)]]);
    box.set('ada', want(640, 360), 9_000);
    expect(box.due(9_000)).toEqual([['ada', want(640, 360)]]);
  });

  it('waits for a quiet spell before sending a new size, and sends only the last one', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 0);
    box.due(0);
    box.set('ada', want(600, 338), 1_000);
    box.set('ada', want(560, 315), 1_100);
    expect(box.due(1_100 + VIEW_DEBOUNCE_MS - 1)).toEqual([]);
    expect(box.nextDue()).toBe(1_100 + VIEW_DEBOUNCE_MS);
    expect(box.due(1_100 + VIEW_DEBOUNCE_MS)).toEqual([['ada', want(560, 315)]]);
  });

  it(`sends within ${VIEW_MAX_DELAY_MS} ms while the size keeps changing (a tile being dragged)`, () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 0);
    box.due(0);
    // Sixty changes a second for two seconds: what is due never waits past the limit from the first change.
    let first = 1_016;
    let sent = 0;
    for (let t = 1_016; t < 3_000; t += 16) {
      const due = box.nextDue();
      if (due !== undefined && due <= t) {
        expect(box.due(due)).toHaveLength(1);
        sent += 1;
        first = t;
      }
      box.set('ada', want(640 - (t - 1_000) / 16, 360), t);
      expect(box.nextDue()!).toBeLessThanOrEqual(first + VIEW_MAX_DELAY_MS);
    }
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2_000 / VIEW_MAX_DELAY_MS + 1);
  });

  it('sends nothing when the view goes back to what the sender already has', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 0);
    box.due(0);
    box.set('ada', want(600, 338), 1_000);
    box.set('ada', want(640, 360), 1_100);
    expect(box.due(10_000)).toEqual([]);
  });

  it('sends the current view again at once when asked (a channel reopened), and after forget() nothing', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360, DROP_BAD), 0);
    box.due(0);
    box.resend('ada', 50_000);
    expect(box.due(50_000)).toEqual([['ada', want(640, 360, DROP_BAD)]]);
    expect(box.sentTo('ada')).toEqual(want(640, 360, DROP_BAD));
    box.forget('ada');
    box.resend('ada', 60_000);
    expect(box.due(60_000)).toEqual([]);
    expect(box.sentTo('ada')).toBeUndefined();
  });

  it('keeps each sender apart', () => {
    const box = new ViewOutbox();
    box.set('ada', want(640, 360), 0);
    box.set('bo', want(320, 180), 0);
    expect(new Map(box.due(0))).toEqual(
      new Map([
        ['ada', want(640, 360)],
        ['bo', want(320, 180)],
      ]),
    );
  });
});

describe('takeViewToken', () => {
  it(`lets ${VIEW_BURST} views through at once, then one per ${VIEW_REFILL_MS} ms however many come`, () => {
    let bucket = fullViewBucket(0);
    for (let i = 0; i < VIEW_BURST; i++) {
      const r = takeViewToken(bucket, 0);
      expect(r.waitMs).toBe(0);
      bucket = r.bucket;
    }
    const refused = takeViewToken(bucket, 0);
    expect(refused.waitMs).toBe(VIEW_REFILL_MS);
    // Asking again and again does not take what is not there.
    expect(takeViewToken(refused.bucket, 50).waitMs).toBe(VIEW_REFILL_MS / 2);
    const later = takeViewToken(refused.bucket, VIEW_REFILL_MS);
    expect(later.waitMs).toBe(0);
    expect(takeViewToken(later.bucket, VIEW_REFILL_MS).waitMs).toBeGreaterThan(0);
  });

  it('refills to a burst and no further, and a clock going backwards takes nothing', () => {
    const idle = takeViewToken(fullViewBucket(0), 60_000).bucket;
    expect(idle.tokens).toBe(VIEW_BURST - 1);
    const back = takeViewToken({ tokens: 0.5, at: 1_000 }, 0);
    expect(back.waitMs).toBe(VIEW_REFILL_MS / 2);
  });

  it(`admits at most ${VIEW_BURST} + t / ${VIEW_REFILL_MS} views over any t ms of a flood`, () => {
    let bucket = fullViewBucket(0);
    let taken = 0;
    for (let now = 0; now <= 10_000; now += 1) {
      const r = takeViewToken(bucket, now);
      bucket = r.bucket;
      if (r.waitMs === 0) taken += 1;
    }
    expect(taken).toBeLessThanOrEqual(VIEW_BURST + 10_000 / VIEW_REFILL_MS);
    expect(taken).toBeGreaterThanOrEqual(10_000 / VIEW_REFILL_MS);
  });
});
