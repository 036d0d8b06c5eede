// How much detail a call page sees in a participant's picture, for tests of
// background blur: the blur turns a sharp room into an even one.
import type { Page } from 'playwright-core';

/**
 * The mean difference between neighbouring pixels in the left fifth of the
 * picture `page` shows for `from` (no person is there: it is all room), over
 * five presented frames.
 */
export async function roomDetail(page: Page, from: string): Promise<number> {
  const video = page.getByRole('group', { name: from, exact: true }).locator('video');
  return video.evaluate(async (el) => {
    const v = el as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    const values: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => v.requestVideoFrameCallback(() => resolve()));
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx || canvas.width === 0) continue;
      ctx.drawImage(v, 0, 0);
      const strip = Math.floor(canvas.width / 5);
      const { data } = ctx.getImageData(0, 0, strip, canvas.height);
      let sum = 0;
      for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < strip - 1; x++) {
          const i = (y * strip + x) * 4;
          sum += Math.abs((data[i] ?? 0) - (data[i + 4] ?? 0));
        }
      }
      values.push(sum / (canvas.height * (strip - 1)));
    }
    return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  });
}
