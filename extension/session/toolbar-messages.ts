// What the call page, the background and the popup say to each other about a
// running call, over runtime ports. Extension-internal, but still checked on
// receipt: a port can be opened by any page of the extension (and, in Firefox,
// by its content script on the relay's pages), and a stale page can outlive an
// update. Each parser returns the typed message or undefined; none throws.
import { isCount, isNonNegative, isRecord } from '../../protocol/guards.ts';

/** Port a call page opens to the background for as long as it shows a call. */
export const CALL_PORT = 'zing-call';
/** Port the popup opens to the background while it is open. */
export const POPUP_PORT = 'zing-popup';

/** The manifest's `commands`, by what they do; manifest.json must name the same. */
export const COMMANDS = {
  toggleMicrophone: 'toggle-microphone',
  toggleCamera: 'toggle-camera',
} as const;
export type CommandName = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Call page → background: the state of its call, on every change and as a keep-alive. */
export interface CallReport {
  readonly type: 'callState';
  /** False once the call ended or failed: the page no longer counts as a running call. */
  readonly live: boolean;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  /** When this page's call started (ms since the epoch, this machine's clock): the latest call is the one commands mean. */
  readonly startedAt: number;
  /** Which call (share-link.ts callOf: relay and the room its key derives, no secret): the popup's Join of its link goes back to it. */
  readonly call: string;
}

/** Background → call page: do this to the call. */
export type CallCommand =
  | { readonly type: 'toggleMicrophone' }
  | { readonly type: 'toggleCamera' }
  | { readonly type: 'setMicMuted'; readonly muted: boolean }
  | { readonly type: 'leave' };

/** The running call as the popup shows it. */
export interface ToolbarCall {
  readonly tabId: number;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  readonly call: string;
}

/** Background → popup: the call the toolbar controls now, or none. */
export interface PopupUpdate {
  readonly type: 'call';
  readonly call: ToolbarCall | null;
}

/** Popup → background: act on the call in tab `tabId` (the one the popup showed). */
export type PopupRequest =
  | { readonly type: 'setMicMuted'; readonly tabId: number; readonly muted: boolean }
  | { readonly type: 'leave'; readonly tabId: number };

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
/** A call's name: a relay origin and a room id are far shorter. */
const isCallName = (v: unknown): v is string => typeof v === 'string' && v.length <= 512;

export function parseCallReport(v: unknown): CallReport | undefined {
  if (!isRecord(v) || v.type !== 'callState') return undefined;
  const { live, micMuted, cameraOff, startedAt, call } = v;
  return isBool(live) && isBool(micMuted) && isBool(cameraOff) && isNonNegative(startedAt) && isCallName(call)
    ? { type: 'callState', live, micMuted, cameraOff, startedAt, call }
    : undefined;
}

export function parseCallCommand(v: unknown): CallCommand | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'toggleMicrophone':
    case 'toggleCamera':
    case 'leave':
      return { type: v.type };
    case 'setMicMuted':
      return isBool(v.muted) ? { type: 'setMicMuted', muted: v.muted } : undefined;
    default:
      return undefined;
  }
}

export function parsePopupUpdate(v: unknown): PopupUpdate | undefined {
  if (!isRecord(v) || v.type !== 'call') return undefined;
  if (v.call === null) return { type: 'call', call: null };
  if (!isRecord(v.call)) return undefined;
  const { tabId, micMuted, cameraOff, call } = v.call;
  return isCount(tabId) && isBool(micMuted) && isBool(cameraOff) && isCallName(call)
    ? { type: 'call', call: { tabId, micMuted, cameraOff, call } }
    : undefined;
}

export function parsePopupRequest(v: unknown): PopupRequest | undefined {
  if (!isRecord(v) || !isCount(v.tabId)) return undefined;
  switch (v.type) {
    case 'setMicMuted':
      return isBool(v.muted) ? { type: 'setMicMuted', tabId: v.tabId, muted: v.muted } : undefined;
    case 'leave':
      return { type: 'leave', tabId: v.tabId };
    default:
      return undefined;
  }
}

/** The call-page command a browser command stands for, or undefined for a name this build does not know. */
export function commandFor(name: string): CallCommand | undefined {
  switch (name) {
    case COMMANDS.toggleMicrophone:
      return { type: 'toggleMicrophone' };
    case COMMANDS.toggleCamera:
      return { type: 'toggleCamera' };
    default:
      return undefined;
  }
}

/**
 * Whether `url` is an extension page at `path` (query and fragment aside), as
 * opposed to the web page a content script runs in. By scheme and path, not
 * against runtime.getURL(path): with use_dynamic_url, Chromium's getURL gives
 * the session's random host while the page itself reports the extension's id.
 * The sender's extension id is checked beside this.
 */
export function isExtensionPage(url: string, path: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, pathname } = new URL(url);
  return (protocol === 'chrome-extension:' || protocol === 'moz-extension:') && pathname === `/${path}`;
}
