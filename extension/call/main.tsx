// Wiring only: read the link and storage, start the session, render.
import { render } from 'solid-js/web';
import { CallSession } from '../session/call-session.ts';
import { linkFromPageLocation } from '../session/share-link.ts';
import { loadProfileWithName, loadSettings, onProfileChanged, saveProfile } from '../session/storage.ts';
import { CallPage } from './CallPage.tsx';
import { FailurePage } from './FailurePage.tsx';
import './call.css';

async function boot(root: HTMLElement): Promise<void> {
  const parsed = linkFromPageLocation(location);
  if (!parsed.ok) {
    render(() => <FailurePage message={`This call link is not valid. ${parsed.reason}`} />, root);
    return;
  }
  const [profile, settings] = await Promise.all([loadProfileWithName(), loadSettings()]);
  const session = new CallSession(parsed.link, { profile, settings, saveProfile, onProfileChanged });
  // Camera and relay first: the page renders from the session's current state either way.
  session.start();
  render(() => <CallPage session={session} />, root);
  // Closing the tab hangs up at once instead of waiting for the relay's heartbeat.
  addEventListener('pagehide', () => session.leave());
}

const root = document.getElementById('root');
if (root) {
  boot(root).catch((err: unknown) => {
    console.error('zing: the call page failed to start', err);
    root.replaceChildren();
    render(() => <FailurePage message="Zing could not start this call. Reload the page to try again." />, root);
  });
}
