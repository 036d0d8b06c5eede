// Chat, screen sharing and file drop among three people, all peer to peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { HIGH_WATER_BYTES } from '../../extension/session/file-transfer.ts';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { seriousViolations } from '../support/axe.ts';
import { patternBytes } from '../support/bytes.ts';
import {
  callLinkOf,
  launchPerson,
  linkCells,
  openCallPage,
  startCall,
  updateSettings,
  videoFrames,
  type Person,
} from '../support/browser.ts';

const SMALL = { maxVideoHeight: 240 };
/**
 * Twice the sender's high-water mark (file-transfer.ts), so each channel fills and drains
 * more than once, in 128 chunks and 8 reads. (20 MiB took 20-43 s here for no more cover:
 * how fast files go is bench:transfer's job.)
 */
const FILE_MIB = (2 * HIGH_WATER_BYTES) / (1024 * 1024);

describe('sharing in a call of three', () => {
  let relay: Relay;
  const people: Person[] = [];
  let ann: Page;
  let ben: Page;
  let cat: Page;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    people.push(...(await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => launchPerson({ name, relayUrl: relay.url, settings: SMALL })))));
    ann = await startCall(people[0]!);
    const link = await callLinkOf(ann);
    [ben, cat] = await Promise.all([openCallPage(people[1]!, link), openCallPage(people[2]!, link)]);
    await Promise.all([videoFrames(ann, 'Ben'), videoFrames(ben, 'Cat'), videoFrames(cat, 'Ann')]);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await relay?.close();
  });

  it('delivers a burst of 100 chat messages to both others complete, once each, in order', async () => {
    // Typed and sent by the page's own input and Enter events, all 100 in one task: a real burst
    // (200 driver round trips took ~20 s here and spread the messages over as long). The keyboard's
    // own Enter is the next tests' path.
    const box = ann.getByRole('textbox', { name: 'Message', exact: true });
    await box.evaluate((el) => {
      const area = el as HTMLTextAreaElement;
      const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
      for (let i = 0; i < 100; i++) {
        setValue?.call(area, `burst ${i}`);
        area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText' }));
        area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      }
    });
    const expected = Array.from({ length: 100 }, (_, i) => `burst ${i}`);
    for (const page of [ben, cat]) {
      const texts = page.getByRole('log', { name: 'Chat', exact: true }).locator('.text');
      await expect.poll(() => texts.count(), { timeout: 10_000 }).toBe(100);
      expect(await texts.allTextContents()).toEqual(expected);
      const who = await page.getByRole('log', { name: 'Chat', exact: true }).locator('.who').allTextContents();
      expect(new Set(who)).toEqual(new Set(['Ann']));
    }
    expect(await seriousViolations(ben, 'aside.side')).toEqual([]);
    expect(await box.inputValue()).toBe('');
  });

  it('shows markup in a message as text and runs nothing; links become safe links', async () => {
    const box = ben.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('<img src=x onerror="window.__pwned = 1"> look at https://example.com/page?a=1.');
    await ben.getByRole('button', { name: 'Send', exact: true }).click();
    const log = cat.getByRole('log', { name: 'Chat', exact: true });
    await log.getByText('<img src=x onerror="window.__pwned = 1">', { exact: false }).waitFor({ timeout: 5_000 });
    expect(await log.locator('img').count()).toBe(0);
    expect(await cat.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const link = log.getByRole('link', { name: 'https://example.com/page?a=1', exact: true });
    expect(await link.getAttribute('href')).toBe('https://example.com/page?a=1');
    expect(await link.getAttribute('rel')).toContain('noopener');
  });

  it('shows a link as where it goes: a right-to-left override in a message cannot dress it as another address', async () => {
    const box = ben.getByRole('textbox', { name: 'Message', exact: true });
    // Shown with the override, this reads as the address of a bank; it goes to evil.example.
    await box.fill('pay here: \u202Ehttps://evil.example/moc.knab.www//:sptth');
    await box.press('Enter');
    const log = cat.getByRole('log', { name: 'Chat', exact: true });
    const link = log.getByRole('link', { name: 'https://evil.example/moc.knab.www//:sptth', exact: true });
    await link.waitFor({ timeout: 5_000 });
    const texts = await log.locator('.text').allTextContents();
    expect(texts.at(-1)).toBe('pay here: https://evil.example/moc.knab.www//:sptth');
  });

  it('counts unread messages while the chat is collapsed', async () => {
    const toggle = cat.getByRole('button', { name: 'Chat', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await ann.getByRole('textbox', { name: 'Message', exact: true }).fill('are you there?');
    await ann.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await expect.poll(() => toggle.textContent(), { timeout: 5_000 }).toContain('1');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Chat');
  });

  it(`sends a ${FILE_MIB} MiB file to both others, who get it whole with a matching SHA-256`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zing-file-'));
    try {
      const bytes = patternBytes(FILE_MIB * 1024 * 1024);
      const path = join(dir, 'big.bin');
      writeFileSync(path, bytes);
      const want = createHash('sha256').update(bytes).digest('hex');

      await ann.locator('input[type="file"]').setInputFiles(path);
      await ann.getByRole('progressbar', { name: 'big.bin', exact: true }).waitFor({ timeout: 5_000 });
      for (const page of [ben, cat]) {
        const save = page.getByRole('link', { name: 'Save big.bin', exact: true });
        await save.waitFor({ timeout: 60_000 });
        const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
        expect(download.suggestedFilename()).toBe('big.bin');
        const saved = join(dir, `${await page.title()}-${Math.random()}.bin`);
        await download.saveAs(saved);
        expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(want);
        expect(await page.getByRole('progressbar', { name: 'big.bin', exact: true }).count()).toBe(0);
      }
      await ann.getByText('Sent big.bin', { exact: true }).waitFor({ timeout: 10_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a screen share at both others as its own decoding tile, and removes it when stopped', async () => {
    const share = ann.getByRole('button', { name: 'Share screen', exact: true });
    await share.click();
    await expect.poll(() => share.getAttribute('aria-pressed')).toBe('true');
    const [atBen, atCat] = await Promise.all([videoFrames(ben, "Ann's screen"), videoFrames(cat, "Ann's screen")]);
    expect(atBen.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(atCat.framesAdvanced).toBeGreaterThanOrEqual(5);
    // Large by default: the screen takes the spotlight.
    const screenBox = (await ben.getByRole('group', { name: "Ann's screen", exact: true }).boundingBox())!;
    const cameraBox = (await ben.getByRole('group', { name: 'Ann', exact: true }).boundingBox())!;
    expect(screenBox.width).toBeGreaterThan(cameraBox.width * 2);
    // Camera and screen at once: Ann's camera still decodes.
    expect((await videoFrames(cat, 'Ann')).framesAdvanced).toBeGreaterThanOrEqual(5);
    // The Stats panels tell the two apart, at Ann (sending) and at Ben (receiving): the camera, then the screen.
    const cameraThenScreen = /^\d+ kbps · \d+×\d+ · screen \d+×\d+$/;
    for (const page of [ann, ben]) await page.getByRole('button', { name: 'Stats', exact: true }).click();
    await expect.poll(async () => (await linkCells(ann, 'Ben')).sending, { timeout: 5_000 }).toMatch(cameraThenScreen);
    await expect.poll(async () => (await linkCells(ben, 'Ann')).receiving, { timeout: 5_000 }).toMatch(cameraThenScreen);
    // The panel at its fullest (a camera and a screen on a link), for the rule every dialog is held to.
    expect(await seriousViolations(ann, '#stats-panel')).toEqual([]);

    await share.click();
    await Promise.all([
      ben.getByRole('group', { name: "Ann's screen", exact: true }).waitFor({ state: 'detached', timeout: 2_000 }),
      cat.getByRole('group', { name: "Ann's screen", exact: true }).waitFor({ state: 'detached', timeout: 2_000 }),
    ]);
    expect(await share.getAttribute('aria-pressed')).toBe('false');
    // Stopped, the screen leaves the panels, and the size shown is the camera's Ben decodes (the stopped
    // share's stats stay in the report, with its last frame size: that is not what flows).
    const annAtBen = ben.getByRole('group', { name: 'Ann', exact: true }).locator('video');
    const decoded = () => annAtBen.evaluate((v) => `${(v as HTMLVideoElement).videoWidth}×${(v as HTMLVideoElement).videoHeight}`);
    const shown = async (cell: 'sending' | 'receiving', page: Page, name: string) =>
      (await linkCells(page, name))[cell].replace(/^\d+ kbps · /, '') === (await decoded());
    await expect.poll(() => shown('receiving', ben, 'Ann'), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => shown('sending', ann, 'Ben'), { timeout: 5_000 }).toBe(true);
    for (const page of [ann, ben]) await page.getByRole('button', { name: 'Stats', exact: true }).click();
  });

  it('gives someone who joins during a share the screen too', async () => {
    await ben.getByRole('button', { name: 'Share screen', exact: true }).click();
    await videoFrames(ann, "Ben's screen");
    // Cat leaves and comes back while Ben shares.
    await cat.close();
    await ann.getByRole('group', { name: 'Cat', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    cat = await openCallPage(people[2]!, await callLinkOf(ann));
    expect((await videoFrames(cat, "Ben's screen")).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await videoFrames(cat, 'Ben')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await ben.getByRole('button', { name: 'Share screen', exact: true }).click();
    await cat.getByRole('group', { name: "Ben's screen", exact: true }).waitFor({ state: 'detached', timeout: 2_000 });
  });

  it('holds a file above the receiver’s ask size until they accept: nothing flows before, declining frees both sides', async () => {
    // A new call of two, where Cat asks about any file above 1 MiB (her setting); the others' pages are done with.
    await Promise.all([ann.close(), ben.close(), cat.close()]);
    await updateSettings(people[2]!, { askForFilesAboveBytes: 1024 * 1024 });
    ann = await startCall(people[0]!);
    cat = await openCallPage(people[2]!, await callLinkOf(ann));
    await Promise.all([videoFrames(ann, 'Cat'), videoFrames(cat, 'Ann')]);
    const dir = mkdtempSync(join(tmpdir(), 'zing-ask-'));
    try {
      const bytes = patternBytes(3 * 1024 * 1024, 2246822519);
      const path = join(dir, 'ask.bin');
      writeFileSync(path, bytes);
      const want = createHash('sha256').update(bytes).digest('hex');
      const sending = ann.getByRole('progressbar', { name: 'ask.bin', exact: true });
      const accept = cat.getByRole('button', { name: 'Accept ask.bin', exact: true });
      const decline = cat.getByRole('button', { name: 'Decline ask.bin', exact: true });

      // Offered: Cat sees who offers what and how large, and nothing arrives until she answers.
      await ann.locator('input[type="file"]').setInputFiles(path);
      await accept.waitFor({ timeout: 5_000 });
      await expect.poll(() => cat.getByText('Ann offers ask.bin (3 MiB)', { exact: true }).count()).toBe(1);
      await ann.getByText('Sending ask.bin, waiting for Cat to accept', { exact: true }).waitFor({ timeout: 2_000 });
      await ann.waitForTimeout(1_000); // long enough for a 3 MiB file to cross on loopback had it been sent
      expect(await sending.getAttribute('value')).toBe('0');
      expect(await cat.getByRole('progressbar', { name: 'ask.bin', exact: true }).count()).toBe(0);

      // Declined: the sender's row ends saying so, and neither side holds the transfer any more.
      await decline.click();
      await ann.getByText('ask.bin: declined by Cat', { exact: true }).waitFor({ timeout: 3_000 });
      expect(await sending.count()).toBe(0);
      await cat.getByText('ask.bin from Ann: declined', { exact: true }).waitFor({ timeout: 1_000 });
      expect(await accept.count()).toBe(0);
      await cat.getByRole('button', { name: 'Dismiss ask.bin', exact: true }).click();
      expect(await cat.getByText('ask.bin from Ann: declined', { exact: true }).count()).toBe(0);

      // Offered again and accepted: it arrives whole.
      await ann.locator('input[type="file"]').setInputFiles(path);
      await accept.click({ timeout: 5_000 });
      const save = cat.getByRole('link', { name: 'Save ask.bin', exact: true });
      await save.waitFor({ timeout: 20_000 });
      const [download] = await Promise.all([cat.waitForEvent('download'), save.click()]);
      expect(download.suggestedFilename()).toBe('ask.bin');
      const saved = join(dir, 'saved.bin');
      await download.saveAs(saved);
      expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(want);
      await cat.getByText('Saved ask.bin', { exact: true }).waitFor({ timeout: 2_000 });
      await ann.getByText('Sent ask.bin', { exact: true }).waitFor({ timeout: 10_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
