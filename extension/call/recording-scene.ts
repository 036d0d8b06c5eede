// Reads the stage as the person sees it, for the recorder: each tile's place
// (whatever dragging, resizing and pinning did), its <video>, its name. Read
// from the page itself, so the recording follows the layout without knowing it.
import type { Scene, SceneTile } from '../session/recorder.ts';

export function stageScene(stage: HTMLElement | undefined): Scene {
  if (!stage?.isConnected) return { aspect: 16 / 9, tiles: [] };
  const box = stage.getBoundingClientRect();
  if (box.width < 1 || box.height < 1) return { aspect: 16 / 9, tiles: [] };
  const tiles: { tile: SceneTile; z: number; order: number }[] = [];
  for (const [order, el] of [...stage.querySelectorAll<HTMLElement>('.tile')].entries()) {
    const r = el.getBoundingClientRect();
    const screen = el.classList.contains('screen');
    tiles.push({
      tile: {
        video: el.querySelector('video'),
        x: (r.left - box.left) / box.width,
        y: (r.top - box.top) / box.height,
        w: r.width / box.width,
        h: r.height / box.height,
        name: el.getAttribute('aria-label') ?? '',
        mirrored: el.classList.contains('self') && !screen,
        fit: screen ? 'contain' : 'cover',
        blank: el.classList.contains('camera-off'),
      },
      z: Number(el.style.zIndex) || 0,
      order,
    });
  }
  tiles.sort((a, b) => a.z - b.z || a.order - b.order);
  return { aspect: box.width / box.height, tiles: tiles.map((t) => t.tile) };
}
