/** What a call page shows when there is no call to show: never a blank page. */
export function FailurePage(props: { message: string }) {
  return (
    <main class="call failure">
      <h1 class="brand">Zing</h1>
      <p role="alert" class="alert">
        {props.message}
      </p>
      <p>Open the Zing popup from the toolbar to start a new call or paste another link.</p>
    </main>
  );
}
