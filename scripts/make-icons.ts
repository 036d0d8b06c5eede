// Renders extension/icons/zing.svg to the PNG sizes the manifests name, with
// headless Chromium (browsers do not take SVG toolbar icons). Run it after
// changing the SVG: `npx tsx scripts/make-icons.ts`; the PNGs are committed.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('extension/icons/zing.svg', 'utf8');
const browser = await chromium.launch({ executablePath: process.env.ZING_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const size of [16, 32, 48, 128]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{width:${size}px;height:${size}px;display:block}</style>${svg}`,
    );
    await page.screenshot({ path: `extension/icons/zing-${size}.png`, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
