/**
 * Unsaved edits never vanish silently. While `dirty`, every way out of the page is held: a console link, the
 * browser's back and forward buttons and a typed address (the address is put back at once, so the page and its
 * draft stay) open a "Stay / Leave" dialog; closing or reloading the browser tab or the window asks through
 * the browser's own `beforeunload` prompt. Navigation the console decides itself (`navigate`, e.g. after a
 * save) passes. One guard for every editor with a draft: the MX rules page, the bounce rules tab, the
 * provider profiles, the IMAP settings and the New delivery form.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { holdNavigation, navigate } from '../app/router';
import { ConfirmDialog } from './ConfirmDialog';

export interface UnsavedChangesGuard {
  /** Where the analyst was going when the dialog opened; null while no dialog is open. */
  pending: string | null;
  stay(): void;
  leave(): void;
}

/** Holds navigation away from the page while `dirty`; the page shows the dialog (or use `UnsavedChangesGuard`). */
export function useUnsavedChangesGuard(dirty: boolean): UnsavedChangesGuard {
  const [pending, setPending] = useState<string | null>(null);
  const leaving = useRef(false);

  useEffect(() => {
    if (!dirty) return;
    const release = holdNavigation((to) => {
      if (leaving.current) return false;
      setPending(to);
      return true;
    });
    // A console link is held before it navigates, so it leaves no history entry behind.
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest('a[href^="#/"]') : null;
      const href = link?.getAttribute('href');
      if (!href || href === window.location.hash || leaving.current) return;
      e.preventDefault();
      setPending(href);
    };
    document.addEventListener('click', onClick, true);
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older Chromium builds (Electron) show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      release();
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty]);

  return {
    pending,
    stay: () => setPending(null),
    leave: () => {
      const to = pending;
      setPending(null);
      leaving.current = true;
      if (to !== null) navigate(to);
    },
  };
}

/**
 * The guard with its dialog: "You have unsaved changes to {what}. Leave and discard them?" with Stay (the
 * safe choice, focused) and Leave.
 */
export function UnsavedChangesGuard({
  dirty,
  what,
  children,
}: {
  dirty: boolean;
  /** What has unsaved changes, as it ends the sentence: "the MX rules", "this new delivery". */
  what: string;
  /** More to say in the dialog (optional). */
  children?: ReactNode;
}) {
  const guard = useUnsavedChangesGuard(dirty);
  if (guard.pending === null) return null;
  return (
    <ConfirmDialog
      title="Leave without saving?"
      confirmLabel="Leave and discard"
      cancelLabel="Stay"
      danger
      testId="leave-dialog"
      onCancel={guard.stay}
      onConfirm={guard.leave}
    >
      <p data-testid="leave-dialog-message">
        You have unsaved changes to {what}. Leave and discard them, or stay to keep editing?
      </p>
      {children}
    </ConfirmDialog>
  );
}
