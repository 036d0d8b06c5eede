import { Show, createSignal, onMount } from 'solid-js';
import { isRelayUrl, parseIceServers } from '../session/settings.ts';
import { loadSettings, saveSettings } from '../session/storage.ts';

export function Options() {
  const [relayUrl, setRelayUrl] = createSignal('');
  const [ice, setIce] = createSignal('');
  const [message, setMessage] = createSignal<{ ok: boolean; text: string }>();

  onMount(async () => {
    const s = await loadSettings();
    setRelayUrl(s.relayUrl);
    setIce(JSON.stringify(s.iceServers, null, 2));
  });

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const url = relayUrl().trim().replace(/\/?$/, '/');
    if (!isRelayUrl(url)) return setMessage({ ok: false, text: 'The relay URL must be an http:// or https:// origin, like https://relay.example' });
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(ice());
    } catch {
      return setMessage({ ok: false, text: 'ICE servers must be valid JSON.' });
    }
    const servers = parseIceServers(parsedJson);
    if (!servers.ok) return setMessage({ ok: false, text: servers.reason });
    await saveSettings({ relayUrl: url, iceServers: servers.servers });
    setMessage({ ok: true, text: 'Saved. New calls use these settings.' });
  };

  return (
    <main class="options">
      <h1>Zing settings</h1>
      <form onSubmit={(e) => void save(e)}>
        <label for="relay-url">Relay URL</label>
        <input id="relay-url" type="url" value={relayUrl()} onInput={(e) => setRelayUrl(e.currentTarget.value)} />
        <label for="ice-servers">ICE servers (JSON)</label>
        <textarea id="ice-servers" rows={8} value={ice()} onInput={(e) => setIce(e.currentTarget.value)} />
        <button type="submit">Save</button>
      </form>
      <Show when={message()}>
        {(m) => (
          <p role={m().ok ? 'status' : 'alert'} class={m().ok ? 'ok' : 'alert'}>
            {m().text}
          </p>
        )}
      </Show>
    </main>
  );
}
