// A call of three where people do things in any order, as people do: mute,
// turn the camera off and on, share a screen and stop, look at another tab,
// chat, pin, raise a hand, open the stats, leave and come back by the link,
// while the relay restarts under them and someone acts during the outage.
// Each test elsewhere walks one path; this one draws a path at random (seeded:
// a failure prints the seed and what happened, and ZING_ANY_ORDER_SEED replays
// it) and after every step checks what everyone sees against what everyone did.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callLinkOf, launchPerson, openCallPage, startCall, videoFrames, type Person } from '../support/browser.ts';
import { spawnRelay, type RelayProcess } from '../support/relay-process.ts';

// Seed 11's 30 steps include leaving and coming back muted and with the camera
// off, and the relay going down twice with someone acting meanwhile. It ran in
// about 50 s here. Checked it can fail: with the mute no longer saved for the
// next call, it failed at step 12 ("Ann shows Ben's microphone on").
const SEED = Number(process.env.ZING_ANY_ORDER_SEED ?? 11);
/** At least one of each kind of step. */
const STEPS = Number(process.env.ZING_ANY_ORDER_STEPS ?? 30);
/** How long what everyone sees may take to match what was done (a relay restart, a rejoin, a busy machine). */
const SETTLE_MS = 10_000;

const NAMES = ['Ann', 'Ben', 'Cat'] as const;
type Name = (typeof NAMES)[number];
const ACTIONS = ['mute', 'camera', 'share', 'hide', 'chat', 'stats', 'pin', 'hand', 'rejoin', 'relay'] as const;
type Action = (typeof ACTIONS)[number] | 'show';

/** What a person did, which is what the others must see. */
interface Did {
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
  /** The tab in front of the call while it is hidden. */
  hiddenBy: Page | undefined;
}

/** A small seeded generator (an LCG): the same seed draws the same path. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return s / 2 ** 32;
  };
}

const pickOf = <T>(items: readonly T[], draw: () => number): T => items[Math.floor(draw() * items.length)] as T;

/** Clicks a toggle button and waits for its aria-pressed to change; gives the new state. */
async function toggle(page: Page, name: string): Promise<boolean> {
  const button = page.getByRole('button', { name, exact: true });
  const before = await button.getAttribute('aria-pressed');
  await button.click();
  await expect.poll(() => button.getAttribute('aria-pressed'), { timeout: 5_000 }).not.toBe(before);
  return (await button.getAttribute('aria-pressed')) === 'true';
}

/** Whether the tile `group` presents `frames` new frames within 4 s (a still screen brings few). */
const decodes = (page: Page, group: string, frames: number): Promise<boolean> =>
  videoFrames(page, group, 4_000, frames).then(
    () => true,
    () => false,
  );

describe('a call of three, with people doing things in any order', () => {
  let relay: RelayProcess;
  let people: Record<Name, Person>;
  const pages = {} as Record<Name, Page>;
  const did = Object.fromEntries(NAMES.map((n) => [n, { muted: false, cameraOff: false, sharing: false, hiddenBy: undefined }])) as Record<
    Name,
    Did
  >;
  const history: string[] = [];

  beforeAll(async () => {
    relay = await spawnRelay();
    // Real tab visibility: a person looks at another tab, and the call page is hidden for real.
    const launched = await Promise.all(
      NAMES.map((name) => launchPerson({ name, relayUrl: relay.url, settings: { maxVideoHeight: 240 }, realVisibility: true })),
    );
    people = Object.fromEntries(NAMES.map((n, i) => [n, launched[i]])) as Record<Name, Person>;
  });

  afterAll(async () => {
    await Promise.all(Object.values(people ?? {}).map((p) => p.close()));
    await relay?.kill();
  });

  /** Every way what `viewer` sees of `other` differs from what `other` did. */
  async function mismatchesOf(viewer: Name, other: Name): Promise<string[]> {
    const page = pages[viewer];
    const found: string[] = [];
    const tile = page.getByRole('group', { name: other, exact: true });
    const count = await tile.count();
    if (count !== 1) return [`${viewer} has ${count} tiles of ${other}`];
    const cameraOff = (await tile.getByText('Camera off', { exact: true }).count()) > 0;
    if (cameraOff !== did[other].cameraOff) found.push(`${viewer} shows ${other}'s camera ${cameraOff ? 'off' : 'on'}`);
    const micOff = (await tile.getByText('Microphone off', { exact: true }).count()) > 0;
    if (micOff !== did[other].muted) found.push(`${viewer} shows ${other}'s microphone ${micOff ? 'off' : 'on'}`);
    if (!did[other].cameraOff && !(await decodes(page, other, 3))) found.push(`${viewer} does not decode ${other}'s camera`);
    const screens = await page.getByRole('group', { name: `${other}'s screen`, exact: true }).count();
    if (screens !== (did[other].sharing ? 1 : 0)) found.push(`${viewer} has ${screens} screen tiles of ${other}`);
    else if (screens === 1 && !(await decodes(page, `${other}'s screen`, 1))) found.push(`${viewer} does not decode ${other}'s screen`);
    return found;
  }

  /**
   * Every way what someone sees differs from what the others did; empty when all agree.
   * The six views are read at once: each waits for frames, and one after another they took most of a step.
   */
  async function mismatches(): Promise<string[]> {
    const views = NAMES.filter((viewer) => !did[viewer].hiddenBy) // a hidden tab is sent no video, by design (quality.e2e)
      .map(async (viewer) => {
        const alerts = (await pages[viewer].getByRole('alert').allTextContents()).filter((t) => t.trim());
        const seen = await Promise.all(NAMES.filter((other) => other !== viewer).map((other) => mismatchesOf(viewer, other)));
        return [...(alerts.length > 0 ? [`${viewer} reads an alert: ${alerts.join(' | ')}`] : []), ...seen.flat()];
      });
    return (await Promise.all(views)).flat();
  }

  async function expectAgreement(after: string): Promise<void> {
    await expect
      .poll(mismatches, {
        timeout: SETTLE_MS,
        interval: 250,
        message: `after ${after} (seed ${SEED}; so far: ${history.join(' ; ')})`,
      })
      .toEqual([]);
  }

  async function act(who: Name, action: Action, draw: () => number, step: number): Promise<void> {
    const page = pages[who];
    const me = did[who];
    switch (action) {
      case 'mute':
        me.muted = await toggle(page, 'Mute microphone');
        break;
      case 'camera':
        me.cameraOff = await toggle(page, 'Turn off camera');
        break;
      case 'share':
        me.sharing = await toggle(page, 'Share screen');
        break;
      case 'hide':
        me.hiddenBy = await people[who].context.newPage();
        await me.hiddenBy.goto('about:blank');
        await new Promise((r) => setTimeout(r, 500 + draw() * 2_000));
        break;
      case 'show':
        await me.hiddenBy?.close();
        me.hiddenBy = undefined;
        await page.bringToFront();
        break;
      case 'chat': {
        const text = `step ${step} from ${who}`;
        const box = page.getByRole('textbox', { name: 'Message', exact: true });
        await box.pressSequentially(text);
        await box.press('Enter');
        for (const other of NAMES.filter((n) => n !== who))
          await pages[other].getByText(text, { exact: true }).waitFor({ state: 'attached', timeout: 5_000 });
        break;
      }
      case 'stats':
        await page.getByRole('button', { name: 'Stats', exact: true }).click();
        break;
      case 'pin': {
        const pins = page.getByRole('button', { name: /^(Pin|Unpin)/ });
        const count = await pins.count();
        if (count > 0) await pins.nth(Math.floor(draw() * count)).click();
        break;
      }
      case 'hand':
        await toggle(page, 'Raise hand');
        break;
      case 'rejoin': {
        // Leave, then open the link again: mute and camera carry over (saved for the next call), a share does not.
        await page.getByRole('button', { name: 'Leave call', exact: true }).click();
        await page.close();
        pages[who] = await openCallPage(people[who], await callLinkOf(pages[NAMES.find((n) => n !== who) ?? 'Ann']));
        me.sharing = false;
        break;
      }
      case 'relay': {
        await relay.kill();
        // Someone acts while the relay is down: the others must hear of it once it is back.
        const other = pickOf(NAMES, draw);
        if (!did[other].hiddenBy) {
          const cameraToo = draw() < 0.5;
          history.push(`(relay down) ${other} ${cameraToo ? 'camera' : 'mute'}`);
          if (cameraToo) did[other].cameraOff = await toggle(pages[other], 'Turn off camera');
          else did[other].muted = await toggle(pages[other], 'Mute microphone');
        }
        await new Promise((r) => setTimeout(r, 1_000));
        relay = await spawnRelay({ port: relay.port });
        break;
      }
    }
  }

  it(`agrees with what everyone did after each of ${STEPS} steps drawn from seed ${SEED}`, {
    timeout: 60_000 + STEPS * 30_000,
  }, async () => {
    const draw = random(SEED);
    // Every kind of step once, the rest drawn freely, in a drawn order.
    const plan: Action[] = [...ACTIONS, ...Array.from({ length: Math.max(0, STEPS - ACTIONS.length) }, () => pickOf(ACTIONS, draw))];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(draw() * (i + 1));
      [plan[i], plan[j]] = [plan[j] as Action, plan[i] as Action];
    }
    pages.Ann = await startCall(people.Ann);
    const link = await callLinkOf(pages.Ann);
    pages.Ben = await openCallPage(people.Ben, link);
    pages.Cat = await openCallPage(people.Cat, link);
    await expectAgreement('everyone joined');
    for (const [i, action] of plan.entries()) {
      const who = pickOf(NAMES, draw);
      // Someone looking at another tab comes back first.
      if (did[who].hiddenBy && action !== 'hide') {
        history.push(`${who} show`);
        await act(who, 'show', draw, i + 1);
      }
      if (did[who].hiddenBy) continue; // drawn to hide again while hidden: stays hidden
      history.push(`${who} ${action}`);
      await act(who, action, draw, i + 1);
      await expectAgreement(`step ${i + 1}, ${who} ${action}`);
    }
    console.log(`any order, seed ${SEED}: ${history.join(' ; ')}`);
  });
});
