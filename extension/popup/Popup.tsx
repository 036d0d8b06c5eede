import { Show, createSignal, onCleanup, onMount } from 'solid-js';
import browser from 'webextension-polyfill';
import { loadProfileWithGuestName, saveProfile } from '../session/storage.ts';
import { openBackgroundPort } from '../session/background-port.ts';
import { POPUP_PORT, parsePopupUpdate, type PopupRequest, type ToolbarCall } from '../session/toolbar-messages.ts';

export function Popup() {
  const [name, setName] = createSignal('');
  const [guest, setGuest] = createSignal('');
  const [pasted, setPasted] = createSignal('');
  const [error, setError] = createSignal<string>();

  onMount(async () => {
    const profile = await loadProfileWithGuestName();
    setName(profile.name);
    setGuest(profile.guestName);
  });

  // While a call runs, the background says which one, and passes these buttons on to its page.
  // The port reopens whenever the background restarts; a request made while it is away goes when it is back.
  const [call, setCall] = createSignal<ToolbarCall | null>(null);
  let held: PopupRequest | undefined;
  const port = openBackgroundPort(POPUP_PORT, {
    onMessage: (message) => {
      const update = parsePopupUpdate(message);
      if (update) setCall(update.call);
    },
    onOpen: () => {
      if (held && port.post(held)) held = undefined;
    },
  });
  onCleanup(() => port.close());
  const ask = (request: PopupRequest) => {
    held = port.post(request) ? undefined : request;
  };

  /** Brings the call's tab to the front, and its window, then gets out of the way. */
  const returnToCall = async (tabId: number) => {
    const tab = await browser.tabs.update(tabId, { active: true });
    if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
    window.close();
  };

  const fail = (err: unknown) => setError(`Zing could not open the call page (${err instanceof Error ? err.message : String(err)}).`);

  const start = async () => {
    const { openNewCall } = await import('./open-call.ts');
    await openNewCall();
  };

  const join = async (e: SubmitEvent) => {
    e.preventDefault();
    const { openPastedCall } = await import('./open-call.ts');
    setError(await openPastedCall(pasted(), call(), returnToCall));
  };

  const startOrJoin = () => (
    <>
      <button type="button" classList={{ primary: !call() }} onClick={() => start().catch(fail)}>
        Start a call
      </button>
      <form class="join" onSubmit={(e) => void join(e).catch(fail)}>
        <label for="call-link">Call link</label>
        <div class="row">
          <input
            id="call-link"
            type="text"
            inputmode="url"
            spellcheck={false}
            placeholder="https://…/r/…"
            autocomplete="off"
            value={pasted()}
            onInput={(e) => {
              setPasted(e.currentTarget.value);
              setError(undefined);
            }}
          />
          <button type="submit">Join</button>
        </div>
      </form>
    </>
  );

  return (
    <main class="popup">
      <h1>Zing</h1>
      <Show when={call()}>
        {(running) => (
          <section class="in-call" aria-label="Your call">
            <button
              type="button"
              class="primary"
              onClick={() =>
                returnToCall(running().tabId).catch((err: unknown) => setError(`Zing could not show the call (${String(err)}).`))
              }
            >
              Return to call
            </button>
            <div class="row">
              <button
                type="button"
                aria-pressed={running().micMuted}
                onClick={() => ask({ type: 'setMicMuted', tabId: running().tabId, muted: !running().micMuted })}
              >
                Mute microphone
              </button>
              <button type="button" class="leave" onClick={() => ask({ type: 'leave', tabId: running().tabId })}>
                Leave call
              </button>
            </div>
          </section>
        )}
      </Show>
      {/* During a call too: a second call, or a link someone sent, is a click away. */}
      {startOrJoin()}
      <Show when={error()}>
        <p role="alert" class="alert">
          {error()}
        </p>
      </Show>
      <label for="your-name">Your name</label>
      <input
        id="your-name"
        maxLength={64}
        autocomplete="off"
        // The picked guest name is shown, never filled in: what a person types is their whole name.
        placeholder={guest()}
        value={name()}
        onInput={(e) => {
          setName(e.currentTarget.value);
          void saveProfile({ name: e.currentTarget.value });
        }}
      />
    </main>
  );
}
