import { Show } from 'solid-js';
import type { EffectsState } from '../session/call-session.ts';

export interface EffectsSettingsProps {
  effects: EffectsState;
  onNoiseSuppression: (on: boolean) => void;
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
      <Show when={props.effects.note}>{(note) => <p class="note effects-note">{note()}</p>}</Show>
    </fieldset>
  );
}
