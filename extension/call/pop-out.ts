// Document Picture-in-Picture: a small always-on-top window the call can move
// into while the person works in other tabs. Chromium only (so far); where the
// API is missing the Pop out button is not shown at all (CallPage asks for the
// API itself, so this module loads only with the click).
import { delegateEvents } from 'solid-js/web';

interface DocumentPictureInPicture {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
}

const api = (): DocumentPictureInPicture | undefined =>
  (globalThis as { documentPictureInPicture?: DocumentPictureInPicture }).documentPictureInPicture;

// Solid delegates these events from the document, and a PiP window is another document.
const DELEGATED = ['click', 'input', 'keydown', 'pointerdown', 'pointermove', 'pointerup', 'focusin', 'focusout'];

/** Opens the floating window (must run in a click) with this page's styles and Solid's event delegation. */
export async function openPopOut(size: { width: number; height: number }): Promise<Window> {
  const pip = api();
  if (!pip) throw new Error('Document Picture-in-Picture is not available');
  const win = await pip.requestWindow(size);
  for (const node of document.head.querySelectorAll('link[rel="stylesheet"], style')) {
    win.document.head.append(node.cloneNode(true));
  }
  win.document.title = document.title;
  // Its own document: a screen reader reads it in the page's language only if it says so.
  win.document.documentElement.lang = document.documentElement.lang || 'en';
  win.document.body.classList.add('pop-out');
  delegateEvents(DELEGATED, win.document);
  return win;
}
