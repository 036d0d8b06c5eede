import { Show } from 'solid-js';
import { MISSING_CODE_TEXT, PAGE_UNREACHABLE_TEXT } from './error-text.ts';
import { codeMissing, dismissMissingCode, pageUnreachable, reloadIfReachable } from './missing-code.ts';

/**
 * Says that part of the page did not load, with Reload page (missing-code.ts);
 * nothing while everything asked for has loaded. Where the part was the page
 * itself (the gate), there is nothing to go back to: no Dismiss.
 */
export function MissingCodeAlert(props: { dismissable: boolean }) {
  return (
    <Show when={codeMissing()}>
      <div role="alert" class="alert missing-code">
        <p>{pageUnreachable() ? PAGE_UNREACHABLE_TEXT : MISSING_CODE_TEXT}</p>
        <button type="button" onClick={() => void reloadIfReachable()}>
          Reload page
        </button>
        <Show when={props.dismissable}>
          <button type="button" onClick={dismissMissingCode}>
            Dismiss
          </button>
        </Show>
      </div>
    </Show>
  );
}
