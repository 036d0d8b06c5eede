import { Show } from 'solid-js';
import type { EffectsState } from '../session/call-session.ts';
import { effectsText } from './effects-text.ts';

export interface EffectsSettingsProps {
  effects: EffectsState;
  onNoiseSuppression: (on: boolean) => void;
  onBlurBackground: (on: boolean) => void;
}

/** A checkbox with its name and a note saying what it does. */
function Toggle(props: { id: string; name: string; checked: boolean; onChange: (on: boolean) => void; hint: string }) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={props.checked}
          aria-describedby={`${props.id}-hint`}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
        {props.name}
      </label>
      <p id={`${props.id}-hint`} class="note">
        {props.hint}
      </p>
    </>
  );
}

/** The `Settings` dialog's sound and picture section: what is done to one's own media before it is sent. */
export function EffectsSettings(props: EffectsSettingsProps) {
  return (
    <fieldset class="effects">
      <legend>Sound and picture</legend>
      <Toggle
        id="noise-suppression"
        name="Noise suppression"
        checked={props.effects.noiseSuppression}
        onChange={(on) => props.onNoiseSuppression(on)}
        hint="Takes out fans, keyboards and traffic. Switch it off for music: your microphone then goes out as it is, with echo cancellation only."
      />
      <Toggle
        id="blur-background"
        name="Blur background"
        checked={props.effects.blurBackground}
        onChange={(on) => props.onBlurBackground(on)}
        hint="Blurs the room behind you, on this computer. Nothing of it is sent while the blur starts."
      />
      <Show when={props.effects.notice}>{(notice) => <p class="note effects-note">{effectsText(notice())}</p>}</Show>
    </fieldset>
  );
}
