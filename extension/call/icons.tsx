// Inline icons (no icon font: the text beside each button names it; these are decoration).
import type { JSX } from 'solid-js';

const Svg = (props: { children: JSX.Element }) => (
  <svg
    class="icon"
    viewBox="0 0 24 24"
    width="18"
    height="18"
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
  >
    {props.children}
  </svg>
);

export const MicIcon = (props: { off: boolean }) => (
  <Svg>
    <rect x="9" y="3" width="6" height="11" rx="3" />
    <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    {props.off && <path d="M4 4l16 16" />}
  </Svg>
);

export const CameraIcon = (props: { off: boolean }) => (
  <Svg>
    <rect x="3" y="6" width="13" height="12" rx="2" />
    <path d="M16 10l5-3v10l-5-3" />
    {props.off && <path d="M3 3l18 18" />}
  </Svg>
);

export const LeaveIcon = () => (
  <Svg>
    <path d="M3 15c5-5 13-5 18 0l-2 3-4-1v-3a12 12 0 0 0-6 0v3l-4 1z" />
  </Svg>
);

export const ScreenIcon = () => (
  <Svg>
    <rect x="3" y="4" width="18" height="12" rx="2" />
    <path d="M8 20h8M12 16v4" />
  </Svg>
);
