import { Show } from 'solid-js';
import type { EffectsState } from '../session/call-session.ts';
import { effectsText } from './effects-text.ts';

export interface EffectsSettingsProps {
  effects: EffectsState;
  onNoiseSuppression: (on: boolean) => void;
  onBlurBackground: (on: boolean) => void;
}

/** The `Settings` dialog's sound and picture section: what is done to one's own media before it is sent. */
export function EffectsSettings(props: EffectsSettingsProps) {
  return (
    <fieldset class="effects">
      <legend>Sound and picture</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={props.effects.noiseSuppression}
          aria-describedby="noise-suppression-hint"
          onChange={(e) => props.onNoiseSuppression(e.currentTarget.checked)}
        />
        Noise suppression
      </label>
      <p id="noise-suppression-hint" class="note">
        Takes out fans, keyboards and traffic. Switch it off for music: your microphone then goes out as it is, with echo cancellation only.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={props.effects.blurBackground}
          aria-describedby="blur-background-hint"
          onChange={(e) => props.onBlurBackground(e.currentTarget.checked)}
        />
        Blur background
      </label>
      <p id="blur-background-hint" class="note">
        Blurs the room behind you, on this computer. Nothing of it is sent while the blur starts.
      </p>
      <Show when={props.effects.notice}>{(notice) => <p class="note effects-note">{effectsText(notice())}</p>}</Show>
    </fieldset>
  );
}
