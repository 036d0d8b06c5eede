import { For, Match, Show, Switch, createEffect, createSignal, onCleanup } from 'solid-js';
import type { CallSession } from '../session/call-session.ts';
import type { ChatEntry } from '../session/chat.ts';
import { formatBytes } from '../session/format-bytes.ts';
import { MAX_CHAT_TEXT_BYTES } from '../../protocol/data.ts';
import { appendToLog, emptyChatLog, type ChatLog } from './chat-log.ts';
import { cleanChatText } from '../../protocol/text.ts';
import { later } from './later.ts';
import {
  accepted,
  asked,
  dismissed,
  endText,
  endedAs,
  ended,
  fraction,
  progressed,
  saved,
  started,
  waitingFor,
  type TransferRow,
} from './transfer-list.ts';

interface ChatLine extends ChatEntry {
  name: string;
}

/** A line the call itself writes in the chat log (a peer's messages were dropped). */
interface Notice {
  id: string;
  notice: string;
  receivedAt: number;
}

// Links are made from the first message shown on: the page starts without the parser (its budget),
// and that message reads as plain text for the moment it takes to load.
const links = later(() => import('./linkify.ts'));

/** What a line costs the log's character budget (chat-log.ts). */
const lineSize = (line: ChatLine | Notice): number => ('notice' in line ? line.notice.length : line.name.length + line.text.length);

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Chat and files, beside the stage; collapsible, with an unread count while collapsed. */
export function SidePanel(props: { session: CallSession; open: boolean; onUnread: (n: number) => void }) {
  const [lines, setLines] = createSignal<ChatLog<ChatLine | Notice>>(emptyChatLog());
  const addLine = (line: ChatLine | Notice) => setLines((l) => appendToLog(l, line, lineSize));
  const [draft, setDraft] = createSignal('');
  const [problem, setProblem] = createSignal<string>();
  const [rows, setRows] = createSignal<TransferRow[]>([]);
  let unread = 0;
  let log: HTMLDivElement | undefined;
  let fileInput: HTMLInputElement | undefined;

  const s = props.session;
  onCleanup(
    s.chat.on('message', (entry) => {
      const name = entry.from === 'self' ? `${s.nameOf('self') ?? 'You'} (you)` : (s.nameOf(entry.from) ?? 'Someone who left');
      addLine({ ...entry, name });
      if (!props.open && entry.from !== 'self') props.onUnread(++unread);
      // Keep the newest message in view unless the person scrolled up to read.
      if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 80) queueMicrotask(() => log?.scrollTo({ top: log.scrollHeight }));
    }),
  );
  onCleanup(
    s.chat.on('dropped', ({ from, at }) => {
      const notice = `${s.nameOf(from) ?? 'Someone'} is sending messages too fast: some of them are not shown.`;
      addLine({ id: `dropped:${from}:${at}`, notice, receivedAt: at });
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
  const nameOf = (participant: string | undefined) => (participant && s.nameOf(participant)) || 'Someone who left';
  const namesOf = (participants: string[]) => participants.map(nameOf).join(', ');
  onCleanup(files.on('transferStarted', (t) => setRows((r) => started(r, t))));
  onCleanup(
    files.on('consentAsked', (t) => {
      setRows((r) => asked(r, t, t.why));
      if (!props.open) props.onUnread(++unread);
    }),
  );
  onCleanup(files.on('accepted', (t) => setRows((r) => accepted(r, t))));
  onCleanup(files.on('progress', (t) => setRows((r) => progressed(r, t, t.transferred))));
  // A received file's URL belongs to FileTransfers, which revokes it once the file is saved or dismissed, or on leave.
  onCleanup(files.on('completed', (t) => setRows((r) => ended(r, t, 'done', t.url ? { url: t.url } : {}))));
  onCleanup(files.on('failed', (t) => setRows((r) => ended(r, t, 'failed', { reason: t.reason }))));
  onCleanup(files.on('cancelled', (t) => setRows((r) => ended(r, t, 'cancelled', { reason: t.reason }))));
  onCleanup(files.on('declined', (t) => setRows((r) => ended(r, t, 'declined', { reason: t.reason }))));

  const save = (row: TransferRow) => {
    // After the click's own work is done: the link must still be there for the browser to follow it.
    setTimeout(() => {
      if (row.from) files.saved(row.id, row.from);
      setRows((r) => saved(r, row.key));
    });
  };
  const dismiss = (row: TransferRow) => {
    if (row.from) files.dismiss(row.id, row.from);
    setRows((r) => dismissed(r, row.key));
  };
  const whyText = (row: TransferRow) => (row.why === 'burst' ? ', one of several files at once' : '');

  const send = (e?: Event) => {
    e?.preventDefault();
    const text = draft();
    if (text.trim() === '') return;
    if (new TextEncoder().encode(text).length > MAX_CHAT_TEXT_BYTES) {
      setProblem(`That message is too long (at most ${MAX_CHAT_TEXT_BYTES / 1024} KiB of text).`);
      return;
    }
    const sent = s.chat.send(text);
    if (!sent.ok && sent.reason === 'tooFast') return setProblem('You are sending messages too fast. Wait a moment, then send again.');
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
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must take focus, or a keyboard cannot reach what scrolled out of view (WCAG 2.1.1; axe scrollable-region-focusable) */}
      <div ref={log} role="log" aria-label="Chat" class="log" tabIndex={0}>
        <Show when={lines().trimmed}>
          <p class="line notice">Older messages were removed to save memory.</p>
        </Show>
        <For each={lines().lines}>
          {(item) =>
            'notice' in item ? (
              <p class="line notice">{item.notice}</p>
            ) : (
              // Only the panel writes a line's name and time, bold and apart from the text, and each line
              // is its own bordered entry: a message with line breaks cannot pass for a second sender's.
              // The name, the text and each link are isolated (bdi, dir), so no direction of text,
              // right-to-left or not, reorders the name, the time or a link.
              <p class="line" classList={{ mine: item.from === 'self' }}>
                <bdi class="who">{item.name}</bdi> <time dateTime={new Date(item.receivedAt).toISOString()}>{time(item.receivedAt)}</time>
                <bdi class="text" dir="auto">
                  <Show when={links()} fallback={cleanChatText(item.text)}>
                    {(l) => (
                      <For each={l().linkify(item.text)}>
                        {(seg) =>
                          seg.kind === 'link' ? (
                            <a href={seg.href} dir="auto" target="_blank" rel="noopener noreferrer">
                              {seg.text}
                            </a>
                          ) : (
                            seg.text
                          )
                        }
                      </For>
                    )}
                  </Show>
                </bdi>
              </p>
            )
          }
        </For>
      </div>
      <Show when={rows().length > 0}>
        <ul class="files" aria-label="Files">
          <For each={rows()}>
            {(row) => (
              <li>
                <Switch>
                  <Match when={row.state === 'offered' || row.state === 'asking'}>
                    <span class="file-name">
                      {nameOf(row.from)} offers {row.name} ({formatBytes(row.size)}){whyText(row)}
                    </span>
                    <Show when={row.state === 'asking'}>
                      <button
                        type="button"
                        class="small"
                        aria-label={`Accept ${row.name}`}
                        onClick={() => row.from && files.accept(row.id, row.from)}
                      >
                        Accept
                      </button>
                      <button
                        type="button"
                        class="small"
                        aria-label={`Decline ${row.name}`}
                        onClick={() => row.from && files.decline(row.id, row.from)}
                      >
                        Decline
                      </button>
                    </Show>
                  </Match>
                  <Match when={row.state === 'running'}>
                    <span class="file-name">
                      {row.direction === 'send' ? 'Sending' : 'Receiving'} {row.name}
                      <Show when={row.direction === 'send' && waitingFor(row).length > 0}>
                        , waiting for {namesOf(waitingFor(row))} to accept
                      </Show>
                    </span>
                    <progress aria-label={row.name} max={1} value={fraction(row)} />
                    <button type="button" class="small" onClick={() => files.cancel(row.id, row.from)}>
                      Cancel {row.name}
                    </button>
                  </Match>
                  <Match when={row.state === 'done' && row.url}>
                    {(url) => (
                      <a href={url()} download={row.name} onClick={() => save(row)}>
                        Save {row.name}
                      </a>
                    )}
                  </Match>
                  <Match when={row.state === 'done'}>
                    <span>Sent {row.name}</span>
                    <Show when={endedAs(row, 'declined').length > 0}>
                      <span> (declined by {namesOf(endedAs(row, 'declined'))})</span>
                    </Show>
                  </Match>
                  <Match when={row.state === 'saved'}>
                    <span>Saved {row.name}</span>
                  </Match>
                  <Match when={true}>
                    <span>{endText(row, nameOf)}</span>
                  </Match>
                </Switch>
                <Show when={!['offered', 'asking', 'running'].includes(row.state)}>
                  <button type="button" class="small" aria-label={`Dismiss ${row.name}`} onClick={() => dismiss(row)}>
                    Dismiss
                  </button>
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
