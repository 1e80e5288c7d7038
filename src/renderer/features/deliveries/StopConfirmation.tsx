import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Delivery } from '../../../shared/contract';
import type { AppError } from '../../../shared/contract/errors';
import { useMutation } from '../../api/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';

/** Every state the server accepts a stop in (`campaign/state-machine.ts`). */
export function canStop(d: Delivery): boolean {
  return (
    d.state === 'preparing' || d.state === 'relaying' || d.state === 'paused' || d.state === 'delivering'
  );
}

/**
 * Stop with its confirmation (SPEC §3). Opening it holds relaying (`deliveries.pause`, when the delivery is
 * relaying), so the number of messages the dialog says will be cancelled is the number cancelled: nothing is
 * relayed while the analyst reads it. Cancel (or leaving the page) resumes relaying if the dialog held it;
 * confirming stops. With nothing left to relay, the dialog says what stopping still does.
 */
export function useStopConfirmation(d: Delivery, onChanged: () => void): { open(): void; dialog: ReactNode } {
  const pause = useMutation('deliveries.pause');
  const resume = useMutation('deliveries.resume');
  const stop = useMutation('deliveries.stop');
  const get = useMutation('deliveries.get');
  const [shown, setShown] = useState(false);
  /** The delivery as it stands while the dialog is open (relay held): what the dialog counts. */
  const [held, setHeld] = useState<Delivery | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  /** Relaying was held by this dialog (given back on Cancel): state for rendering, a ref for the cleanup. */
  const [heldByUs, setHeldByUs] = useState(false);
  const heldRef = useRef(false);
  const markHeld = (value: boolean) => {
    heldRef.current = value;
    setHeldByUs(value);
  };
  const resumeRef = useRef(resume.mutate);
  useEffect(() => {
    resumeRef.current = resume.mutate;
  }, [resume.mutate]);
  const id = d.id;

  // Leaving the page with the dialog open gives relaying back.
  useEffect(
    () => () => {
      if (heldRef.current) void resumeRef.current({ id });
      heldRef.current = false;
    },
    [id],
  );

  const open = () => {
    setShown(true);
    setHeld(null);
    setError(null);
    void (async () => {
      // Pausing succeeds only while relaying; otherwise (prepared, paused, every message relayed) nothing is
      // being relayed and the current figures are already exact.
      const paused = await pause.mutate({ id });
      if (paused.ok) {
        markHeld(true);
        setHeld(paused.value);
        onChanged();
        return;
      }
      const current = await get.mutate({ id });
      if (current.ok) setHeld(current.value);
      else setError(current.error);
    })();
  };

  const close = () => {
    setShown(false);
    setHeld(null);
  };

  const cancel = async () => {
    if (heldRef.current) {
      const resumed = await resume.mutate({ id });
      if (!resumed.ok) {
        setError(resumed.error);
        return;
      }
      markHeld(false);
      onChanged();
    }
    close();
  };

  const confirm = async () => {
    const stopped = await stop.mutate({ id });
    if (!stopped.ok) {
      setError(stopped.error);
      return;
    }
    markHeld(false);
    onChanged();
    close();
  };

  const dialog = shown ? (
    <ConfirmDialog
      title={`Stop “${d.name}”?`}
      confirmLabel="Stop delivery"
      cancelLabel={heldByUs ? 'Cancel and resume relaying' : 'Cancel'}
      danger
      busy={held === null || stop.pending || resume.pending}
      testId="stop-dialog"
      onCancel={() => void cancel()}
      onConfirm={() => void confirm()}
    >
      <ErrorBanner error={error} title="The delivery could not be stopped" />
      {held === null ? (
        <p data-testid="stop-holding">Holding relaying to count the messages not yet relayed…</p>
      ) : (held.statusCounts.pending ?? 0) > 0 ? (
        <>
          <p>
            <span className="num strong" data-testid="stop-cancel-count">
              {formatCount(held.statusCounts.pending ?? 0)}
            </span>{' '}
            {held.statusCounts.pending === 1 ? 'message not yet relayed is' : 'messages not yet relayed are'}{' '}
            cancelled.{' '}
            {held.inMta > 0
              ? `The ${formatCount(held.inMta)} already relayed to the MTA continue to their outcome: they cannot be recalled.`
              : 'Messages already relayed to the MTA continue to their outcome: they cannot be recalled.'}
          </p>
          {heldByUs && (
            <p className="muted" data-testid="stop-held-note">
              Relaying is held while you decide, so this count stays exact. Cancel resumes it.
            </p>
          )}
        </>
      ) : (
        <p data-testid="stop-nothing-to-cancel">
          Nothing is left to cancel: every message has been relayed to the MTA. Stopping marks the delivery
          Stopped;{' '}
          {held.inMta > 0
            ? `the ${formatCount(held.inMta)} ${held.inMta === 1 ? 'message' : 'messages'} still in the MTA continue to their outcome.`
            : 'every relayed message has already reached its outcome.'}
        </p>
      )}
    </ConfirmDialog>
  ) : null;

  return { open, dialog };
}
