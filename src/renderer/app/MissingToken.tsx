import { EmptyState } from '../components/EmptyState';

/** Shown when the browser console was opened without the per-launch token. */
export function MissingToken() {
  return (
    <main className="standalone">
      <EmptyState
        title="This console needs its access token"
        testId="missing-token"
        body={
          <>
            Open the address printed by <code>relaydeck serve</code> (it ends with <code>#token=…</code>). The
            token changes at every launch and is kept only for this browser tab.
          </>
        }
      />
    </main>
  );
}
