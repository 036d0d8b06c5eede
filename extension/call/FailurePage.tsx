/**
 * What a call page shows when there is no call to show: never a blank page. The
 * relay's web page (a browser without Zing) has no popup to point to.
 */
export function FailurePage(props: { message: string }) {
  const guest = location.protocol === 'http:' || location.protocol === 'https:';
  return (
    <main class="call failure">
      <h1 class="brand">Zing</h1>
      <p role="alert" class="alert">
        {props.message}
      </p>
      <p>
        {guest
          ? 'Ask whoever sent it for the link again, and open it whole: everything after the # is part of it.'
          : 'Open the Zing popup from the toolbar to start a new call or paste another link.'}
      </p>
    </main>
  );
}
