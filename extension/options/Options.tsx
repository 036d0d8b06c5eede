import { For, Show, createSignal, onCleanup, onMount } from 'solid-js';
import browser from 'webextension-polyfill';
import { DEFAULT_MAX_FILE_BYTES } from '../session/file-consent.ts';
import {
  UPLOAD_BUDGET_RANGE_KBPS,
  isAskAboveBytes,
  VIDEO_HEIGHTS,
  isRelayUrl,
  isUploadBudget,
  isVideoHeight,
  parseIceServers,
  type VideoHeight,
} from '../session/settings.ts';
import { MAX_RECORDING_BYTES } from '../session/setting-defaults.ts';
import { relayAccess, relayAccessButton, relayAccessWarning } from '../session/relay-access.ts';
import { loadSettings, saveSettings } from '../session/storage.ts';

const MiB = 1024 * 1024;

/**
 * Asks the browser for access to the relay's host, which the share-link
 * redirect needs (session/relay-access.ts). Called straight from a click, with
 * nothing awaited before it: both browsers take a request only during one.
 * Already granted, it resolves true without asking. A refusal or an error is false.
 */
const askForRelayAccess = (relayUrl: string): Promise<boolean> => browser.permissions.request(relayAccess(relayUrl)).catch(() => false);

export function Options() {
  const [relayUrl, setRelayUrl] = createSignal('');
  const [ice, setIce] = createSignal('');
  const [budget, setBudget] = createSignal('');
  const [height, setHeight] = createSignal<VideoHeight>(720);
  const [relayOnly, setRelayOnly] = createSignal(false);
  const [askAbove, setAskAbove] = createSignal('');
  const [message, setMessage] = createSignal<{ ok: boolean; text: string }>();
  /** The relay as stored, and whether Zing may access its host (undefined until checked). */
  const [savedRelay, setSavedRelay] = createSignal('');
  const [relayAllowed, setRelayAllowed] = createSignal<boolean>();
  /** Kept as stored: the page does not show it (tests set it small). */
  let maxRecordingBytes: number | undefined;

  // Access can also be granted or taken away in the browser's own settings, with this page open.
  const checkAccess = async () => {
    const relay = savedRelay();
    if (relay) setRelayAllowed(await browser.permissions.contains(relayAccess(relay)));
  };
  browser.permissions.onAdded.addListener(checkAccess);
  browser.permissions.onRemoved.addListener(checkAccess);
  onCleanup(() => {
    browser.permissions.onAdded.removeListener(checkAccess);
    browser.permissions.onRemoved.removeListener(checkAccess);
  });

  const allowRelay = async () => {
    const relay = savedRelay();
    setRelayAllowed(await askForRelayAccess(relay));
  };

  onMount(async () => {
    const s = await loadSettings();
    setRelayUrl(s.relayUrl);
    setSavedRelay(s.relayUrl);
    void checkAccess();
    setIce(JSON.stringify(s.iceServers, null, 2));
    setBudget(String(s.uploadBudgetKbps));
    setHeight(s.maxVideoHeight);
    setRelayOnly(s.relayOnly);
    setAskAbove(String(+(s.askForFilesAboveBytes / MiB).toFixed(2)));
    maxRecordingBytes = s.maxRecordingBytes;
  });

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const url = relayUrl().trim().replace(/\/?$/, '/');
    if (!isRelayUrl(url))
      return setMessage({ ok: false, text: 'The relay URL must be an http:// or https:// origin, like https://relay.example' });
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(ice());
    } catch {
      return setMessage({ ok: false, text: 'ICE servers must be valid JSON.' });
    }
    const servers = parseIceServers(parsedJson);
    if (!servers.ok) return setMessage({ ok: false, text: servers.reason });
    const kbps = Number(budget());
    if (!isUploadBudget(kbps)) {
      return setMessage({
        ok: false,
        text: `The upload budget must be a whole number of kbps from ${UPLOAD_BUDGET_RANGE_KBPS.min} to ${UPLOAD_BUDGET_RANGE_KBPS.max}.`,
      });
    }
    const askBytes = askAbove().trim() === '' ? Number.NaN : Math.round(Number(askAbove()) * MiB);
    if (!isAskAboveBytes(askBytes)) {
      return setMessage({
        ok: false,
        text: `Ask before receiving files larger than: a number of MiB from 0 to ${DEFAULT_MAX_FILE_BYTES / MiB}.`,
      });
    }
    // Asked before anything is awaited, while the click still counts; saved whatever the answer.
    const allowed = askForRelayAccess(url);
    await saveSettings({
      relayUrl: url,
      iceServers: servers.servers,
      uploadBudgetKbps: kbps,
      maxVideoHeight: height(),
      relayOnly: relayOnly(),
      askForFilesAboveBytes: askBytes,
      maxRecordingBytes: maxRecordingBytes ?? MAX_RECORDING_BYTES,
    });
    // Said at once: the settings are stored, and the browser's question may stay open a while
    // (Firefox's doorhanger waits for the person). The warning comes with the answer, if it is no.
    setSavedRelay(url);
    setRelayAllowed(undefined);
    setMessage({ ok: true, text: 'Saved. New calls use these settings.' });
    setRelayAllowed(await allowed);
  };

  return (
    <main class="options">
      <h1>Zing settings</h1>
      <form onSubmit={(e) => void save(e)}>
        <label for="relay-url">Relay URL</label>
        <input id="relay-url" type="text" inputmode="url" value={relayUrl()} onInput={(e) => setRelayUrl(e.currentTarget.value)} />
        <label for="ice-servers">ICE servers (JSON)</label>
        <textarea id="ice-servers" rows={8} value={ice()} onInput={(e) => setIce(e.currentTarget.value)} />
        <label for="upload-budget">Upload budget for video (kbps, shared by everyone you send to)</label>
        <input id="upload-budget" type="number" inputmode="numeric" value={budget()} onInput={(e) => setBudget(e.currentTarget.value)} />
        <label for="video-height">Camera resolution</label>
        <select
          id="video-height"
          value={String(height())}
          onChange={(e) => {
            const v = Number(e.currentTarget.value);
            if (isVideoHeight(v)) setHeight(v);
          }}
        >
          <For each={VIDEO_HEIGHTS}>{(h) => <option value={String(h)}>{h}p</option>}</For>
        </select>
        <label class="check">
          <input type="checkbox" checked={relayOnly()} onChange={(e) => setRelayOnly(e.currentTarget.checked)} />
          Relay media through TURN only (hides your IP address from the others; needs a TURN server)
        </label>
        <label for="ask-above">Ask before receiving files larger than (MiB; 0 asks about every file)</label>
        <input
          id="ask-above"
          type="number"
          min="0"
          step="any"
          inputmode="decimal"
          value={askAbove()}
          onInput={(e) => setAskAbove(e.currentTarget.value)}
        />
        <button type="submit">Save</button>
      </form>
      <Show when={message()}>
        {(m) => (
          <p role={m().ok ? 'status' : 'alert'} class={m().ok ? 'ok' : 'alert'}>
            {m().text}
          </p>
        )}
      </Show>
      <Show when={relayAllowed() === false}>
        <div role="alert" class="alert">
          <p>{relayAccessWarning(savedRelay())}</p>
          <button type="button" onClick={() => void allowRelay()}>
            {relayAccessButton(savedRelay())}
          </button>
        </div>
      </Show>
    </main>
  );
}
