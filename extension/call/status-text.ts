// The connection state in words, for the role="status" line.
import type { CallState } from '../session/call-session.ts';

export function statusText(state: Pick<CallState, 'phase' | 'participants' | 'moved'>): string {
  switch (state.phase) {
    case 'connecting':
      return 'Connecting…';
    case 'waiting':
      return 'Waiting for others';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'ended':
      return state.moved ? 'The call moved to another tab' : 'You left the call';
    case 'failed':
      return 'Not connected';
    case 'inCall': {
      const links = state.participants.filter((p) => !p.self).map((p) => p.link);
      if (links.some((l) => l === 'connected')) return 'Connected';
      if (links.some((l) => l === 'reconnecting' || l === 'failed')) return 'Reconnecting…';
      return 'Connecting…';
    }
  }
}
