import { For, Show, createEffect, createSignal, onCleanup } from 'solid-js';
import type { CallSession } from '../session/call-session.ts';
import type { ChatEntry } from '../session/chat.ts';
import { MAX_CHAT_TEXT_BYTES } from '../../protocol/data.ts';
import { linkify } from './linkify.ts';
import { ended, fraction, progressed, started, type TransferRow } from './transfer-list.ts';

interface ChatLine extends ChatEntry {
  name: string;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Chat and files, beside the stage; collapsible, with an unread count while collapsed. */
export function SidePanel(props: { session: CallSession; open: boolean; onUnread: (n: number) => void }) {
  const [lines, setLines] = createSignal<ChatLine[]>([]);
  const [draft, setDraft] = createSignal('');
  const [problem, setProblem] = createSignal<string>();
  const [rows, setRows] = createSignal<TransferRow[]>([]);
  let unread = 0;
  let log: HTMLDivElement | undefined;
  let fileInput: HTMLInputElement | undefined;
  const urls: string[] = [];

  const s = props.session;
  onCleanup(
    s.chat.on('message', (entry) => {
      const name = entry.from === 'self' ? `${s.nameOf('self') ?? 'You'} (you)` : (s.nameOf(entry.from) ?? 'Someone who left');
      setLines((l) => [...l, { ...entry, name }]);
      if (!props.open && entry.from !== 'self') props.onUnread(++unread);
      // Keep the newest message in view unless the person scrolled up to read.
      if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 80) queueMicrotask(() => log?.scrollTo({ top: log.scrollHeight }));
    }),
  );
  // Showing the panel counts as reading it.
  createEffect(() => {
    if (props.open) {
      unread = 0;
      props.onUnread(0);
    }
  });

  const files = s.files;
  onCleanup(files.on('transferStarted', (t) => setRows((r) => started(r, t))));
  onCleanup(files.on('progress', (t) => setRows((r) => progressed(r, t, t.transferred))));
  onCleanup(
    files.on('completed', (t) => {
      let url: string | undefined;
      if (t.direction === 'receive') {
        url = URL.createObjectURL(t.blob);
        urls.push(url);
      }
      setRows((r) => ended(r, t, 'done', url ? { url } : {}));
    }),
  );
  onCleanup(files.on('failed', (t) => setRows((r) => ended(r, t, 'failed', { reason: t.reason }))));
  onCleanup(files.on('cancelled', (t) => setRows((r) => ended(r, t, 'cancelled', { reason: t.reason }))));
  onCleanup(() => {
    for (const u of urls) URL.revokeObjectURL(u);
  });

  const send = (e?: Event) => {
    e?.preventDefault();
    const text = draft();
    if (text.trim() === '') return;
    if (new TextEncoder().encode(text).length > MAX_CHAT_TEXT_BYTES) {
      setProblem(`That message is too long (at most ${MAX_CHAT_TEXT_BYTES / 1024} KiB of text).`);
      return;
    }
    const sent = s.chat.send(text);
    if (!sent.ok) return setProblem('The message could not be sent.');
    setProblem(undefined);
    setDraft('');
  };

  const sendFiles = (list: FileList | null) => {
    for (const file of list ?? []) {
      if (s.sendFile(file) === undefined) setProblem('No one else is in the call to send a file to.');
    }
  };

  return (
    <aside id="side-panel" class="side" hidden={!props.open} aria-label="Chat and files">
      <div ref={log} role="log" aria-label="Chat" class="log">
        <For each={lines()}>
          {(line) => (
            <p class="line" classList={{ mine: line.from === 'self' }}>
              <span class="who">{line.name}</span> <time dateTime={new Date(line.receivedAt).toISOString()}>{time(line.receivedAt)}</time>
              <br />
              <span class="text">
                <For each={linkify(line.text)}>
                  {(seg) =>
                    seg.kind === 'link' ? (
                      <a href={seg.href} target="_blank" rel="noopener noreferrer">
                        {seg.text}
                      </a>
                    ) : (
                      seg.text
                    )
                  }
                </For>
              </span>
            </p>
          )}
        </For>
      </div>
      <Show when={rows().length > 0}>
        <ul class="files" aria-label="Files">
          <For each={rows()}>
            {(row) => (
              <li>
                <Show when={row.state === 'running'}>
                  <span class="file-name">
                    {row.direction === 'send' ? 'Sending' : 'Receiving'} {row.name}
                  </span>
                  <progress aria-label={row.name} max={1} value={fraction(row)} />
                  <button type="button" class="small" onClick={() => files.cancel(row.id)}>
                    Cancel {row.name}
                  </button>
                </Show>
                <Show when={row.state === 'done'}>
                  <Show when={row.url} fallback={<span>Sent {row.name}</span>}>
                    {(url) => (
                      <a href={url()} download={row.name}>
                        Save {row.name}
                      </a>
                    )}
                  </Show>
                </Show>
                <Show when={row.state === 'failed' || row.state === 'cancelled'}>
                  <span>
                    {row.name}: {row.state === 'failed' ? 'not received intact' : 'cancelled'}
                    {row.reason ? ` (${row.reason})` : ''}
                  </span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={problem()}>
        <p class="problem" role="alert">
          {problem()}
        </p>
      </Show>
      <form class="compose" onSubmit={send}>
        <textarea
          aria-label="Message"
          rows={2}
          value={draft()}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e);
          }}
        />
        <div class="compose-actions">
          <button type="submit">Send</button>
          <button type="button" aria-controls="file-input" onClick={() => fileInput?.click()}>
            Send file
          </button>
          <input
            id="file-input"
            ref={fileInput}
            type="file"
            multiple
            hidden
            onChange={(e) => {
              sendFiles(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
        </div>
      </form>
    </aside>
  );
}
