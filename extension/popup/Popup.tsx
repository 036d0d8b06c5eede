import { Show, createSignal, onMount } from 'solid-js';
import { deriveRoomKey, newSecret } from '../session/room-key.ts';
import { buildShareLink, parseShareLink } from '../session/share-link.ts';
import { loadProfileWithName, loadSettings, saveProfile } from '../session/storage.ts';
import { openCall } from './open-call.ts';

export function Popup() {
  const [name, setName] = createSignal('');
  const [pasted, setPasted] = createSignal('');
  const [error, setError] = createSignal<string>();

  onMount(async () => {
    setName((await loadProfileWithName()).name);
  });

  const fail = (err: unknown) => setError(`Zing could not open the call page (${err instanceof Error ? err.message : String(err)}).`);

  const start = async () => {
    const secret = newSecret();
    const [{ relayUrl }, { room }] = await Promise.all([loadSettings(), deriveRoomKey(secret)]);
    await openCall(buildShareLink(relayUrl, room, secret));
  };

  const join = async (e: SubmitEvent) => {
    e.preventDefault();
    const parsed = parseShareLink(pasted());
    if (!parsed.ok) return setError(parsed.reason);
    setError(undefined);
    await openCall(parsed.link);
  };

  return (
    <main class="popup">
      <h1>Zing</h1>
      <button type="button" class="primary" onClick={() => start().catch(fail)}>
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
      <Show when={error()}>
        <p role="alert" class="alert">
          {error()}
        </p>
      </Show>
      <label for="your-name">Your name</label>
      <input
        id="your-name"
        maxLength={64}
        value={name()}
        onInput={(e) => {
          setName(e.currentTarget.value);
          void saveProfile({ name: e.currentTarget.value });
        }}
      />
    </main>
  );
}
