// Measures one tile as the person sees it and tells the session (quality.ts):
// its size in device pixels, and whether it is visible at all (its document
// hidden, i.e. a background tab or a minimised window; scrolled out of view;
// or covered by another tile). Only measuring happens here; what to send to
// whom, and when, is the session's business.
//
// The tile's own document and window are used, so a tile in the pop-out
// window reports that window's visibility and pixel ratio, not the tab's.
import type { ParticipantView } from '../session/call-session.ts';
import type { TileReport } from '../session/view-wants.ts';

export interface TileSink {
  reportTile(token: object, tile: string, report: TileReport): void;
  removeTile(token: object): void;
}

export interface TileIdentity {
  /** The participant view id (`<participant>` or `<participant>:screen`). */
  tile: string;
  /** Whose video it shows: a participant id, or `self`. */
  participant: string;
  kind: 'camera' | 'screen';
}

const SCREEN_SUFFIX = ':screen';

/** Whose video a participant view shows, and which of their videos. */
export function tileIdentity(view: Pick<ParticipantView, 'id' | 'self' | 'kind'>): TileIdentity {
  const participant = view.self
    ? 'self'
    : view.kind === 'screen' && view.id.endsWith(SCREEN_SUFFIX)
      ? view.id.slice(0, -SCREEN_SUFFIX.length)
      : view.id;
  return { tile: view.id, participant, kind: view.kind };
}

export interface TileWatch {
  /** Measure and report again (the tile's cover state changed). */
  update(): void;
  stop(): void;
}

/**
 * Starts reporting `el`; `covered` says whether another tile lies wholly over
 * it, `spotlit` whether it is the spotlight (call update() when either changes).
 *
 * Measuring starts once the element is in its document: Solid hands a ref the
 * element cloned from a template, whose document until it is inserted is the
 * template's inert one (no window, and always `hidden`).
 */
export function watchTile(el: HTMLElement, id: TileIdentity, covered: () => boolean, spotlit: () => boolean, sink: TileSink): TileWatch {
  const token = {};
  let width = 0;
  let height = 0;
  let onScreen = true;
  let stopped = false;
  let started: { doc: Document; disconnect: () => void } | undefined;
  const report = () => {
    if (stopped || !started) return;
    const ratio = started.doc.defaultView?.devicePixelRatio || 1;
    sink.reportTile(token, id.tile, {
      participant: id.participant,
      kind: id.kind,
      width: Math.round(width * ratio),
      height: Math.round(height * ratio),
      visible: started.doc.visibilityState === 'visible' && onScreen && !covered(),
      spotlit: spotlit(),
    });
  };
  const start = () => {
    if (stopped || started) return;
    if (!el.isConnected) {
      requestAnimationFrame(start);
      return;
    }
    const doc = el.ownerDocument;
    const view = doc.defaultView ?? window;
    width = el.clientWidth;
    height = el.clientHeight;
    const resize = new view.ResizeObserver((entries) => {
      const box = entries.at(-1)?.contentRect;
      if (!box) return;
      width = box.width;
      height = box.height;
      report();
    });
    const intersect = new view.IntersectionObserver((entries) => {
      const last = entries.at(-1);
      if (!last) return;
      onScreen = last.isIntersecting;
      report();
    });
    resize.observe(el);
    intersect.observe(el);
    // A hidden document renders nothing, so the observers above stay silent: this event is what says so.
    doc.addEventListener('visibilitychange', report);
    started = {
      doc,
      disconnect: () => {
        resize.disconnect();
        intersect.disconnect();
        doc.removeEventListener('visibilitychange', report);
      },
    };
    report();
  };
  queueMicrotask(start);
  return {
    update: report,
    stop: () => {
      if (stopped) return;
      stopped = true;
      started?.disconnect();
      sink.removeTile(token);
    },
  };
}
