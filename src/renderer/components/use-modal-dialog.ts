import { useEffect, type RefObject } from 'react';

/**
 * Shows a <dialog> as modal while the component is mounted (focus trapped, Escape = cancel), and gives the
 * focus back to the control that opened it (a table row, a button) when it goes: the dialog leaves the page
 * on close, so the browser's own focus restoration does not apply.
 */
export function useModalDialog(ref: RefObject<HTMLDialogElement | null>): void {
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [ref]);
}
