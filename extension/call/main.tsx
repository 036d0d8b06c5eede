// Wiring only: decide how the page was entered, then show the gate or start the session.
import { Show, createRoot, createSignal } from 'solid-js';
import { render } from 'solid-js/web';
import { CallSession, prepareCallKeys, type CallKeys } from '../session/call-session.ts';
import { DeviceList } from '../session/device-list.ts';
import { LocalMedia } from '../session/local-media.ts';
import type { PreJoinSetup } from '../session/pre-join.ts';
import type { DevicePrefs } from '../session/devices.ts';
import { decideEntry, type Entry } from '../session/entry.ts';
import { callOf, invalidLinkText, linkFromPageLocation } from '../session/share-link.ts';
import { VOUCHED_TAB_KEY, entryTokenOf, vouchedByReload } from '../session/entry-grant.ts';
import type { Profile, Settings } from '../session/settings.ts';
import {
  loadDevicePrefs,
  loadProfileWithGuestName,
  loadSettings,
  onProfileChanged,
  redeemEntry,
  saveDeviceChoice,
  saveProfile,
} from '../session/storage.ts';
import { linkToToolbar } from '../session/toolbar-link.ts';
import { CallPage, type CallPagePrefs } from './CallPage.tsx';
import { devicesOf, speakerPref } from './device-prefs.ts';
import { FailurePage } from './FailurePage.tsx';
import type { Elsewhere } from './other-tab.ts';
import { later } from './later.ts';
import { codeMissing, watchMissingCode } from './missing-code.ts';
import { MissingCodeAlert } from './MissingCodeAlert.tsx';
import { loadSidePanel } from './side-panel-load.ts';
import './call.css';

/** The link Zing's own UI vouched for this tab: a one-time token from the popup, or a reload of a vouched tab. */
async function vouchedHref(): Promise<string | undefined> {
  const token = entryTokenOf(location);
  const redeemed = token === undefined ? undefined : await redeemEntry(token);
  const navigation = performance.getEntriesByType('navigation')[0];
  return (
    redeemed ??
    vouchedByReload(
      navigation instanceof PerformanceNavigationTiming ? navigation.type : undefined,
      sessionStorage.getItem(VOUCHED_TAB_KEY),
    )
  );
}

// Listing the devices opens none (no camera light, no prompt) and contacts
// nothing, so it starts before anything else: the list is ready by the time
// a camera is opened.
const deviceList = new DeviceList();

type PagePrefs = CallPagePrefs & { loaded: (profile: Profile) => void };

/** The person's page preferences: single-key shortcuts (kept in the profile, followed live), the devices and the speaker. */
function pagePrefs(devices: DevicePrefs): PagePrefs {
  const [on, setOn] = createSignal(true);
  onProfileChanged((p) => setOn(p.singleKeyShortcuts));
  const list = devicesOf(deviceList);
  return {
    singleKeyShortcuts: on,
    setSingleKeyShortcuts: (value) => {
      setOn(value);
      void saveProfile({ singleKeyShortcuts: value });
    },
    loaded: (profile) => setOn(profile.singleKeyShortcuts),
    devices: list,
    speaker: speakerPref(devices.speaker, list, saveDeviceChoice),
  };
}

/** How the call starts: from the saved profile and devices, or from what the person set up on the pre-join page. */
interface Start {
  profile: Profile;
  devices: DevicePrefs;
  /** The pre-join preview's open camera and microphone, handed over as they are. */
  media?: LocalMedia | undefined;
  /** The call's keys, started as the page opened. */
  keys?: CallKeys | undefined;
}

/** `call`: the call's name among Zing's own pages (share-link.ts callOf). */
function startSession(entry: Entry, call: string, settings: Settings, start: Start, prefs: PagePrefs): CallSession {
  prefs.loaded(start.profile);
  const media = start.media;
  const session = new CallSession(entry.link, {
    profile: start.profile,
    settings,
    saveProfile,
    onProfileChanged,
    devices: start.devices,
    deviceList,
    saveDevice: saveDeviceChoice,
    ...(media && { createMedia: () => media }),
    ...(start.keys && { keys: start.keys }),
  });
  // Camera and relay first: the page renders from the session's current state either way.
  session.start();
  // The badge, the popup and the browser's shortcuts follow this call while it runs.
  linkToToolbar(session, call);
  // Closing the tab hangs up at once instead of waiting for the relay's heartbeat.
  addEventListener('pagehide', () => session.leave());
  // End-to-end tests only: a test's init script that defines `__zingTest` before
  // the page loads gets the session there. Web pages cannot run script in an
  // extension page; only automation (or devtools) can, and they can do anything.
  const hook: unknown = Reflect.get(globalThis, '__zingTest');
  if (typeof hook === 'object' && hook !== null) Reflect.set(hook, 'session', session);
  return session;
}

/** Where nothing can be learnt of other tabs: no call elsewhere. */
const NOWHERE: Elsewhere = { found: () => undefined, canShow: false, stop: () => undefined };

/**
 * The pre-join page's setup: nothing opens until the person asks (session/pre-join.ts).
 * Only a call opened by navigation shows the pre-join page, so its code loads
 * then, beside the page's own (PreJoin.tsx): the popup's way in never loads either.
 */
async function preJoinSetup(profile: Profile, settings: Settings, devices: DevicePrefs): Promise<PreJoinSetup<LocalMedia>> {
  const { PreJoinSetup: Setup } = await import('../session/pre-join.ts');
  return new Setup({
    micMuted: profile.micMuted,
    cameraOff: profile.cameraOff,
    devices,
    deviceList,
    createMedia: () => new LocalMedia({ maxVideoHeight: settings.maxVideoHeight }),
    saveToggles: saveProfile,
    saveDevice: saveDeviceChoice,
  });
}

async function boot(root: HTMLElement): Promise<void> {
  // Framed by another site, the page may not even read its own sessionStorage; it only says no (entry.ts).
  const framed = window.top !== window;
  // The call's keys are a few ms of local crypto: made beside the storage reads
  // (and, on the pre-join page, long before Join call), they send nothing.
  const early = framed ? undefined : linkFromPageLocation(location);
  const earlyKeys = early?.ok ? prepareCallKeys(early.link) : undefined;
  // Chat and files: loaded beside the storage reads, not parsed before the page shows (side-panel-load.ts).
  const panel = framed ? Promise.resolve(undefined) : loadSidePanel();
  const [vouched, settings, devices, profile] = await Promise.all([
    framed ? undefined : vouchedHref(),
    loadSettings(),
    loadDevicePrefs(),
    loadProfileWithGuestName(),
  ]);
  const decided = decideEntry({ location, vouchedHref: vouched, framed, usualRelay: settings.relayUrl });
  if (!decided.ok) {
    render(() => <FailurePage message={decided.reason} />, root);
    return;
  }
  const { entry } = decided;
  // decideEntry read the same location: the keys are for its link.
  const keys = early?.ok && early.link.href === entry.link.href && earlyKeys ? earlyKeys : prepareCallKeys(entry.link);
  // A link whose key does not derive its room is refused here, before the page
  // shows the gate, asks other tabs of the call or moves it (the room key was
  // made beside the storage reads, so this hardly waits).
  const named = await callOf(entry.link, keys.roomKey);
  if (!named.ok) {
    render(() => <FailurePage message={invalidLinkText(named.reason)} />, root);
    return;
  }
  const { call } = named;
  const [session, setSession] = createSignal<CallSession>();
  // Lives as long as the page.
  const prefs = createRoot(() => pagePrefs(devices));
  const join = (start: Start) => {
    // A reload of this tab goes straight back in: the person chose this call (here or in the popup).
    sessionStorage.setItem(VOUCHED_TAB_KEY, entry.link.href);
    // The chat and files panel, loading since the page began, listens before any message could come.
    panel.then(() => {
      const started = startSession(entry, call, settings, { ...start, keys }, prefs);
      setSession(started);
      // Not loading it costs only the answer to another tab: the call goes on.
      import('./other-tab.ts')
        .then(({ takeCallHere, answerForThisCall }) => {
          // Joined straight in (Zing's own UI chose it here) while another tab has this call: it moves here.
          if (entry.mode === 'direct') takeCallHere(call);
          answerForThisCall(call, started);
        })
        .catch((err: unknown) => console.warn('zing: other tabs will not learn of this call', err));
    }, fail);
  };
  if (entry.mode === 'direct') {
    join({ profile, devices });
  } else {
    const setupReady = preJoinSetup(profile, settings, devices);
    setupReady.then((setup) => addEventListener('pagehide', () => setup.close()), fail);
    const preJoinUi = later(() =>
      Promise.all([
        import('./PreJoin.tsx'),
        setupReady,
        // Without it the page cannot tell of the call in another tab, but still joins.
        import('./other-tab.ts')
          .then(({ callElsewhere }) => callElsewhere(call))
          .catch((err: unknown) => {
            console.warn('zing: other tabs cannot be asked about this call', err);
            return NOWHERE;
          }),
      ]),
    );
    // The name as typed here (saving takes a moment) or in the popup meanwhile;
    // a save still under way reaches the call through its own onProfileChanged.
    let latest = profile;
    const stopFollowing = onProfileChanged((p) => {
      latest = p;
    });
    const saveName = (name: string) => {
      latest = { ...latest, name };
      void saveProfile({ name });
    };
    const joinFromSetup = (setup: PreJoinSetup<LocalMedia>) => {
      stopFollowing();
      const chosen = setup.join();
      join({
        profile: { ...latest, micMuted: chosen.micMuted, cameraOff: chosen.cameraOff },
        devices: chosen.devices,
        media: chosen.media,
      });
    };
    /** Set once Join call is pressed: a second click while the call moves here does nothing. */
    let joining = false;
    const joinNow = (setup: PreJoinSetup<LocalMedia>) => {
      try {
        joinFromSetup(setup);
      } catch (err) {
        fail(err);
      }
    };
    render(
      () => (
        <Show
          when={session()}
          fallback={
            <Show
              when={preJoinUi()}
              fallback={
                // The gate's own code did not load (the relay mid-redeploy, the network gone): words, not a blank page.
                <Show when={codeMissing()}>
                  <main class="call failure">
                    <h1 class="brand">Zing</h1>
                    <MissingCodeAlert dismissable={false} />
                  </main>
                </Show>
              }
            >
              {(ui) => {
                const [{ PreJoin }, setup, elsewhere] = ui();
                return (
                  <PreJoin
                    entry={entry}
                    setup={setup}
                    profile={profile}
                    saveName={saveName}
                    devices={prefs.devices}
                    speaker={prefs.speaker}
                    elsewhere={() => elsewhere.found() !== undefined}
                    showElsewhere={elsewhere.canShow ? () => elsewhere.found()?.show() : undefined}
                    onJoin={() => {
                      if (joining) return; // clicked again while the call moves here
                      joining = true;
                      // Already in this call in another tab: the call moves here, never a second self.
                      const moving = elsewhere.found()?.moveHere();
                      elsewhere.stop();
                      if (moving) moving.then(() => joinNow(setup), fail);
                      else joinNow(setup);
                    }}
                  />
                );
              }}
            </Show>
          }
        >
          {(s) => <CallPage session={s()} prefs={prefs} />}
        </Show>
      ),
      root,
    );
    return;
  }
  render(() => <Show when={session()}>{(s) => <CallPage session={s()} prefs={prefs} />}</Show>, root);
}

function fail(err: unknown): void {
  console.error('zing: the call page failed to start', err);
  const root = document.getElementById('root');
  if (!root) return;
  root.replaceChildren();
  render(() => <FailurePage message="Zing could not start this call. Reload the page to try again." />, root);
}

const root = document.getElementById('root');
watchMissingCode(window);
if (root) boot(root).catch(fail);
