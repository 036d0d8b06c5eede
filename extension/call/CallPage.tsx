import { For, Show, createEffect, createMemo, createSignal, from, on, onCleanup, type Accessor, type JSX } from 'solid-js';
import { Portal } from 'solid-js/web';
import { createStore, reconcile } from 'solid-js/store';
import type { AudioActivity, CallSession, CallState, ParticipantView } from '../session/call-session.ts';
import type { Device } from '../session/devices.ts';
import type { QualitySnapshot } from '../session/quality.ts';
import type { SpeakerPref } from './device-prefs.ts';
import type { GestureState } from '../session/gestures.ts';
import { REACTIONS } from '../../protocol/data.ts';
import { REACTION_LABELS, placeText } from './gesture-text.ts';
import { CameraIcon, LeaveIcon, MicIcon, ScreenIcon } from './icons.tsx';
import { EMPTY_LAYOUT, arrange, keepOnly, spotlight, keyboardTile, moveTile, resizeTile, togglePin, type LayoutState } from './layout.ts';
import { KeyboardShortcuts } from './keyboard.ts';
import { coveredTiles } from './occlusion.ts';
import { ParticipantTile } from './ParticipantTile.tsx';
import { tileIdentity, watchTile } from './tile-views.ts';
import { RecordButton, RecordingResult, createRecordingControl } from './Recording.tsx';
import { codeAlertText } from './code-alert-text.ts';
import { statusText } from './status-text.ts';
import { errorText } from './error-text.ts';
import { later } from './later.ts';
import { MissingCodeAlert } from './MissingCodeAlert.tsx';
import { loadSidePanel } from './side-panel-load.ts';

// Dialogs and panels nobody needs at the start of a call load when first opened,
// which keeps the call page's eager JavaScript within its budget.
const settingsUi = later(() => Promise.all([import('./SettingsDialog.tsx'), import('./EffectsSettings.tsx')]));
// The browser's own shortcuts are read only for the dialog that lists them.
const shortcutsUi = later(() => Promise.all([import('./ShortcutsDialog.tsx'), import('../session/browser-shortcuts.ts')]));
const statsUi = later(() => import('./StatsPanel.tsx'));
// Offered only when this computer cannot keep up with the video.
const qualityNoticeUi = later(() => import('./QualityNotice.tsx'));
/** Chat and files: main.tsx starts the call only once this has loaded, so it listens before any message can come. */
const sidePanelUi = later(loadSidePanel);
/** Only once the call moved to another tab (same-call.ts). */
const otherTab = later(() => import('./other-tab.ts'));
// The words for effects that stop load with the first one shown. Those for failures are in
// the page itself: on the relay's web page the first is often that the network is gone,
// and words fetched over it would never come.
let wordsLoading: Promise<typeof import('./effects-text.ts')> | undefined;
const loadWords = () =>
  (wordsLoading ??= import('./effects-text.ts').catch((err: unknown) => {
    wordsLoading = undefined; // asked again, tried again
    throw err;
  }));

/** Lines kept in the polite live region: the newest few, in case several arrive together. */
const MAX_ANNOUNCEMENTS = 5;
/** How long a line stays there: announced once on arrival, then only clutter for a screen reader's review. */
const ANNOUNCEMENT_KEEP_MS = 10_000;

/** What the page reads and keeps of the person's preferences beyond the session's. */
export interface CallPagePrefs {
  singleKeyShortcuts: () => boolean;
  setSingleKeyShortcuts: (on: boolean) => void;
  /** The cameras, microphones and speakers plugged in now. */
  devices: Accessor<readonly Device[]>;
  /** The speaker every remote voice plays on. */
  speaker: SpeakerPref;
}

export function CallPage(props: { session: CallSession; prefs: CallPagePrefs }) {
  const [state, setState] = createStore<CallState>(props.session.state);
  // reconcile keeps each participant's object (and its <video>) across updates.
  onCleanup(props.session.on('stateChanged', (s) => setState(reconcile(s, { key: 'id', merge: true }))));
  const [activity, setActivity] = createSignal<AudioActivity>({ levels: {}, speaking: {} });
  onCleanup(props.session.on('audioActivity', setActivity));

  const [gestures, setGestures] = createSignal<GestureState>(props.session.gestures.state);
  onCleanup(props.session.gestures.on('changed', setGestures));
  const self = () => state.participants.find((p) => p.self);
  const active = () => state.phase !== 'ended' && state.phase !== 'failed';
  /** Which `Copy link` copied last (the bar's or the stage's), so only that one says so. */
  const [copied, setCopied] = createSignal<'bar' | 'stage'>();
  const [statsOpen, setStatsOpen] = createSignal(false);
  const [chatOpen, setChatOpen] = createSignal(true);
  const [unread, setUnread] = createSignal(0);
  const [dragOver, setDragOver] = createSignal(false);
  const [shortcutsOpen, setShortcutsOpen] = createSignal(false);
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  // A polite live region: each line is added once (and said once, after whatever the
  // screen reader is saying), so news that comes together is not lost; old lines go.
  const [announcements, setAnnouncements] = createSignal<readonly { text: string }[]>([]);
  const announceTimers = new Set<ReturnType<typeof setTimeout>>();
  onCleanup(() => announceTimers.forEach(clearTimeout));
  const announce = (text: string) => {
    const line = { text };
    setAnnouncements((lines) => [...lines, line].slice(-MAX_ANNOUNCEMENTS));
    const timer = setTimeout(() => {
      announceTimers.delete(timer);
      setAnnouncements((lines) => lines.filter((l) => l !== line));
    }, ANNOUNCEMENT_KEEP_MS);
    announceTimers.add(timer);
  };

  const toggleMic = () => {
    const muted = !(self()?.micMuted ?? false);
    void props.session.setMicMuted(muted);
    return muted;
  };
  const toggleCamera = () => {
    const off = !(self()?.cameraOff ?? false);
    void props.session.setCameraOff(off);
    return off;
  };
  const nameOf = (id: string) => props.session.nameOf(id) ?? 'Someone';
  onCleanup(props.session.gestures.on('reacted', ({ from, reaction }) => announce(`${nameOf(from)}: ${REACTION_LABELS[reaction].name}`)));
  onCleanup(
    props.session.gestures.on('handRaised', ({ from, place }) => announce(`${nameOf(from)} raised their hand, ${placeText(place)}`)),
  );
  // Who came, went, records or shares, in words (presence-news.ts, loaded with the first change).
  createEffect(
    on(
      () => state.participants.map((p) => ({ ...p })), // copies: the store changes its objects in place
      (now, before) => {
        if (before) void import('./presence-news.ts').then((m) => m.presenceNews(before, now).forEach(announce));
      },
    ),
  );
  createEffect(
    on(
      () => gestures().offerLowerHand,
      (offer) => offer && announce('You have been speaking with your hand up. Lower it?'),
      { defer: true },
    ),
  );

  const keys = new KeyboardShortcuts({
    micMuted: () => self()?.micMuted ?? false,
    enabled: () => active() && props.prefs.singleKeyShortcuts(),
    modal: () => document.querySelector('dialog:modal') !== null,
    run: (command) => {
      switch (command) {
        case 'toggleMicrophone':
          return announce(toggleMic() ? 'Microphone off' : 'Microphone on');
        case 'toggleCamera':
          return announce(toggleCamera() ? 'Camera off' : 'Camera on');
        case 'startTalking':
          return void props.session.setMicMuted(false);
        case 'stopTalking':
          return void props.session.setMicMuted(true);
      }
    },
  });
  onCleanup(keys.attach(window));

  const [layout, setLayout] = createSignal<LayoutState>(EMPTY_LAYOUT);
  const [stage, setStage] = createSignal({ width: 1, height: 1 });
  const ids = createMemo(() => state.participants.map((p) => p.id), undefined, {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });
  createEffect(on(ids, (present) => setLayout((l) => keepOnly(l, present))));
  // An effect that stops by itself (the blur, too slow) says so where the person is, not only in Settings.
  createEffect(
    on(
      () => state.effects.notice,
      (notice) => {
        if (notice) void loadWords().then((w) => announce(w.effectsText(notice)));
      },
      { defer: true },
    ),
  );
  const isScreen = (id: string) => id.endsWith(':screen');
  const rects = createMemo(() => arrange(ids(), layout(), stage(), isScreen));
  const spotlit = createMemo(() => spotlight(ids(), layout(), isScreen));
  const z = (id: string) => {
    const i = layout().order.indexOf(id);
    return i < 0 ? 1 : 10 + i;
  };
  // Each tile tells its sender how large it is shown, and whether at all (tile-views.ts, session/quality.ts).
  const covered = createMemo(() => coveredTiles(rects(), z));
  const quality = from<QualitySnapshot>((set) => props.session.quality.on('changed', (q) => set(() => q)));
  const qualityNow = () => quality() ?? props.session.quality.snapshot;
  const pausedTiles = createMemo(() => new Set(qualityNow().pausedTiles));
  const watch = (el: HTMLElement, view: ParticipantView) => {
    const isCovered = () => covered().has(view.id);
    const isSpotlit = () => spotlit() === view.id;
    const watched = watchTile(el, tileIdentity(view), isCovered, isSpotlit, props.session.quality);
    createEffect(on([isCovered, isSpotlit], watched.update, { defer: true }));
    onCleanup(watched.stop);
  };
  // The stage may live in this tab or in the pop-out window: observe it wherever it is now.
  let observer: ResizeObserver | undefined;
  let stageEl: HTMLElement | undefined;
  const observeStage = (el: HTMLElement) => {
    stageEl = el;
    observer?.disconnect();
    const view = el.ownerDocument.defaultView ?? window;
    observer = new view.ResizeObserver(() => setStage({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
  };
  onCleanup(() => observer?.disconnect());

  const [popOut, setPopOut] = createSignal<Window>();
  const closePopOut = () => {
    popOut()?.close();
    setPopOut(undefined);
  };
  const popOutNow = async () => {
    try {
      // Loaded on the click: the window opens within its activation (seconds), not at the page's start.
      const win = await (await import('./pop-out.ts')).openPopOut({ width: 520, height: 400 });
      const detach = keys.attach(win);
      win.addEventListener(
        'pagehide',
        () => {
          detach();
          setPopOut(undefined);
        },
        { once: true },
      );
      setPopOut(win);
    } catch (err) {
      console.warn('zing: could not pop out', err);
    }
  };
  // A recording of the stage wherever it is (this tab or the pop-out), stopped when the call ends.
  const recording = createRecordingControl(props.session, () => stageEl, props.session.maxRecordingBytes);
  // Leaving, from either window, closes the floating one.
  createEffect(() => {
    if (!active()) {
      closePopOut();
      recording.stop();
    }
  });
  onCleanup(closePopOut);

  const copy = async (from: 'bar' | 'stage') => {
    try {
      await navigator.clipboard.writeText(props.session.link.href);
      setCopied(from);
      setTimeout(() => setCopied(undefined), 2000);
    } catch {
      // Clipboard refused (no focus): select the text so Ctrl+C works.
      document.querySelector<HTMLInputElement>('#call-link')?.select();
    }
  };

  // The tiles and the media controls render in this tab, or in the pop-out window while it is open.
  const stageView = (): JSX.Element => (
    <section
      class="stage"
      classList={{ 'drop-target': dragOver() }}
      aria-label="Participants"
      ref={observeStage}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDragOver(true);
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragOver(false);
        for (const file of e.dataTransfer?.files ?? []) props.session.sendFile(file);
      }}
    >
      <Show when={state.phase === 'waiting'}>
        {/* Where the eye is while alone: the one thing to do next is to send the link. */}
        <div class="alone">
          <p>Nobody else is here yet. Send the call link to the people you want to talk to.</p>
          <button type="button" onClick={() => void copy('stage')}>
            Copy link
          </button>
          <span class="copied" aria-live="polite">
            {copied() === 'stage' ? 'Copied' : ''}
          </span>
        </div>
      </Show>
      <For each={state.participants}>
        {(p) => (
          <ParticipantTile
            participant={p}
            rect={rects()[p.id]}
            z={z(p.id)}
            pinned={spotlit() === p.id}
            speaking={activity().speaking[p.id] ?? false}
            level={activity().levels[p.id] ?? 0}
            speaker={props.prefs.speaker.speaker()}
            hand={p.kind === 'camera' ? gestures().hands[p.id] : undefined}
            reactions={(p.kind === 'camera' && gestures().reactions[p.id]) || []}
            stage={stage}
            onDrag={(from, dx, dy) => setLayout((l) => moveTile(l, p.id, from, dx, dy))}
            onResize={(from, dw, dh) => setLayout((l) => resizeTile(l, p.id, from, dw, dh))}
            onKey={(from, key, resize) => setLayout((l) => keyboardTile(l, p.id, from, key, resize))}
            onPin={() => setLayout((l) => togglePin(l, p.id, spotlit()))}
            onMarkVerified={(verified) => props.session.markVerified(p.id, verified)}
            onElement={(el) => watch(el, p)}
            videoPaused={pausedTiles().has(p.id)}
          />
        )}
      </For>
    </section>
  );
  const mediaControls = (): JSX.Element => (
    <>
      <button type="button" aria-pressed={self()?.micMuted ?? false} onClick={toggleMic}>
        <MicIcon off={self()?.micMuted ?? false} /> Mute microphone
      </button>
      <button type="button" aria-pressed={self()?.cameraOff ?? false} onClick={toggleCamera}>
        <CameraIcon off={self()?.cameraOff ?? false} /> Turn off camera
      </button>
    </>
  );
  const leaveButton = (): JSX.Element => (
    <button type="button" class="leave" onClick={() => props.session.leave()}>
      <LeaveIcon /> Leave call
    </button>
  );

  return (
    <main class="call">
      <header class="bar">
        <h1 class="brand">Zing</h1>
        <div class="share">
          <label for="call-link">Call link</label>
          <input id="call-link" readonly value={props.session.link.href} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => void copy('bar')}>
            Copy link
          </button>
          <span class="copied" aria-live="polite">
            {copied() === 'bar' ? 'Copied' : ''}
          </span>
        </div>
        <p role="status" class="status">
          {statusText(state)}
        </p>
      </header>
      <Show when={state.alert}>
        {(alert) => (
          <p role="alert" class="alert">
            {errorText(alert())}
          </p>
        )}
      </Show>
      <MissingCodeAlert dismissable />
      <For each={state.codeAlerts}>
        {(changed) => (
          <div role="alert" class="alert code-alert">
            <p>{codeAlertText(changed)}</p>
            <Show
              when={changed.blocked}
              fallback={
                <button type="button" onClick={() => props.session.dismissCodeAlert(changed.id)}>
                  Dismiss
                </button>
              }
            >
              <button type="button" onClick={() => props.session.acceptNewCode(changed.id)}>
                Accept new code
              </button>
              <button type="button" onClick={() => props.session.dismissCodeAlert(changed.id)}>
                Keep blocked
              </button>
            </Show>
          </div>
        )}
      </For>
      <Show when={qualityNow().offer || qualityNow().pausedBelow !== undefined || qualityNow().slowPaths.length > 0}>
        <Show when={qualityNoticeUi()}>
          {(ui) => {
            const { QualityNotice } = ui();
            return <QualityNotice quality={props.session.quality} nameOf={nameOf} />;
          }}
        </Show>
      </Show>
      <RecordingResult control={recording} />
      <Show
        when={active()}
        fallback={
          <section class="ended">
            <p>
              {state.phase !== 'ended'
                ? 'This call could not go on.'
                : state.moved
                  ? 'This call moved to another tab.'
                  : 'You left the call.'}
            </p>
            <Show when={state.moved && otherTab()?.canShowTabs()}>
              {/* That tab may have left the call since: then the call is taken up here, as Rejoin does. */}
              <button
                type="button"
                onClick={() =>
                  void otherTab()
                    ?.goToCall(props.session.link)
                    .then((shown) => shown || location.reload())
                }
              >
                Go to the call
              </button>
            </Show>
            <button type="button" onClick={() => location.reload()}>
              Rejoin
            </button>
          </section>
        }
      >
        <p id="tile-help" class="visually-hidden">
          Drag a tile to move it, or its corner to resize it. With a tile focused, arrow keys move it and Shift with arrow keys resizes it.
        </p>
        <div class="middle">
          <Show when={popOut()} fallback={stageView()}>
            {(win) => (
              <>
                <section class="stage popped" aria-label="Call moved">
                  <p>The call is in a floating window.</p>
                  <button type="button" onClick={closePopOut}>
                    Bring the call back
                  </button>
                </section>
                <Portal mount={win().document.body}>
                  <div class="call pip">
                    {stageView()}
                    <footer class="controls">
                      {mediaControls()}
                      {leaveButton()}
                    </footer>
                  </div>
                </Portal>
              </>
            )}
          </Show>
          <Show when={sidePanelUi()}>
            {(ui) => {
              const { SidePanel } = ui();
              return <SidePanel session={props.session} open={chatOpen()} onUnread={setUnread} />;
            }}
          </Show>
        </div>
        <Show when={statsOpen() && statsUi()}>
          {(ui) => {
            const { StatsPanel } = ui();
            return <StatsPanel session={props.session} participants={state.participants} />;
          }}
        </Show>
        <Show when={gestures().offerLowerHand}>
          <div class="offer">
            <p>You have been speaking with your hand up. Lower it?</p>
            <button type="button" onClick={() => props.session.gestures.lowerHand()}>
              Lower hand
            </button>
            <button type="button" onClick={() => props.session.gestures.dismissLowerHandOffer()}>
              Keep hand up
            </button>
          </div>
        </Show>
        <footer class="controls">
          <Show when={!popOut()}>{mediaControls()}</Show>
          {/* Not offered where the browser cannot share a screen at all (phones). */}
          <Show when={typeof navigator.mediaDevices?.getDisplayMedia === 'function'}>
            <button
              type="button"
              aria-pressed={self()?.screenSharing ?? false}
              onClick={() => void props.session.setScreenSharing(!(self()?.screenSharing ?? false))}
            >
              <ScreenIcon /> Share screen
            </button>
          </Show>
          <button type="button" aria-pressed={gestures().hands.self !== undefined} onClick={() => props.session.gestures.toggleHand()}>
            <span aria-hidden="true">✋</span> Raise hand
          </button>
          <div role="group" aria-label="Reactions" class="reaction-buttons">
            <For each={REACTIONS}>
              {(r) => (
                <button
                  type="button"
                  aria-label={REACTION_LABELS[r].name}
                  title={REACTION_LABELS[r].name}
                  onClick={() => props.session.gestures.react(r)}
                >
                  {REACTION_LABELS[r].emoji}
                </button>
              )}
            </For>
          </div>
          <RecordButton control={recording} />
          <button type="button" onClick={() => setLayout(EMPTY_LAYOUT)}>
            Reset layout
          </button>
          {/* The name stays exactly "Chat"; the unread count is its description. */}
          <button
            type="button"
            aria-label="Chat"
            aria-expanded={chatOpen()}
            aria-controls="side-panel"
            aria-describedby={!chatOpen() && unread() > 0 ? 'chat-unread' : undefined}
            onClick={() => setChatOpen((o) => !o)}
          >
            Chat
            <Show when={!chatOpen() && unread() > 0}>
              <span class="unread" id="chat-unread">
                {unread()} <span class="visually-hidden">unread</span>
              </span>
            </Show>
          </button>
          <button type="button" aria-expanded={statsOpen()} aria-controls="stats-panel" onClick={() => setStatsOpen((o) => !o)}>
            Stats
          </button>
          <button type="button" aria-haspopup="dialog" onClick={() => setSettingsOpen(true)}>
            Settings
          </button>
          <button type="button" aria-haspopup="dialog" onClick={() => setShortcutsOpen(true)}>
            Keyboard shortcuts
          </button>
          <Show when={'documentPictureInPicture' in globalThis && !popOut()}>
            <button type="button" onClick={() => void popOutNow()}>
              Pop out
            </button>
          </Show>
          <Show when={!popOut()}>{leaveButton()}</Show>
        </footer>
        <Show when={settingsOpen() && settingsUi()}>
          {(ui) => {
            const [{ SettingsDialog }, { EffectsSettings }] = ui();
            return (
              <SettingsDialog
                open={settingsOpen()}
                onClose={() => setSettingsOpen(false)}
                devices={props.prefs.devices()}
                camera={state.inputs.camera}
                microphone={state.inputs.microphone}
                speaker={props.prefs.speaker.speaker()}
                speakerSupport={props.prefs.speaker.support}
                onChoose={(kind, id) =>
                  kind === 'speaker' ? props.prefs.speaker.choose(id) : void props.session.useDevice(kind, id || undefined)
                }
              >
                <EffectsSettings
                  effects={state.effects}
                  onNoiseSuppression={(on) => void props.session.setNoiseSuppression(on)}
                  onBlurBackground={(on) => void props.session.setBlurBackground(on)}
                />
              </SettingsDialog>
            );
          }}
        </Show>
        <Show when={shortcutsOpen() && shortcutsUi()}>
          {(ui) => {
            const [{ ShortcutsDialog }, shortcuts] = ui();
            return (
              <ShortcutsDialog
                open={shortcutsOpen()}
                onClose={() => setShortcutsOpen(false)}
                singleKey={props.prefs.singleKeyShortcuts()}
                onSingleKey={props.prefs.setSingleKeyShortcuts}
                loadBrowserShortcuts={shortcuts.browserShortcuts}
                changeBrowserShortcuts={shortcuts.shortcutSettings()}
              />
            );
          }}
        </Show>
      </Show>
      <div class="visually-hidden" aria-live="polite">
        <For each={announcements()}>{(line) => <p>{line.text}</p>}</For>
      </div>
    </main>
  );
}
