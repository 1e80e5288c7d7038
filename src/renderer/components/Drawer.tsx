import { useRef, type ReactNode } from 'react';
import { useModalDialog } from './use-modal-dialog';

/** A side panel over the page (modal <dialog>: focus is trapped, Escape closes it, focus returns to the opener). */
export function Drawer({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  /** A wider panel, for long forms (the provider profile editor). */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useModalDialog(ref);
  return (
    <dialog
      ref={ref}
      className={wide ? 'drawer drawer-wide' : 'drawer'}
      data-testid={testId}
      aria-label={typeof title === 'string' ? title : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="drawer-panel">
        <header className="drawer-header">
          <h2 className="drawer-title">{title}</h2>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={onClose}
            aria-label="Close"
            data-testid="drawer-close"
          >
            ✕
          </button>
        </header>
        <div className="drawer-body">{children}</div>
      </div>
    </dialog>
  );
}
