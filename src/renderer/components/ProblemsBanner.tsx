import type { ReactNode } from 'react';

/**
 * A red banner listing problems (of a document being saved or a file being imported), the first `cap` of them,
 * each already worded by its page; optionally dismissable.
 */
export function ProblemsBanner({
  title,
  items,
  cap,
  testId,
  onDismiss,
}: {
  title: string;
  items: readonly ReactNode[];
  cap: number;
  testId?: string;
  onDismiss?(): void;
}) {
  return (
    <div className="banner banner-red" role="alert" data-testid={testId}>
      <div className="banner-body">
        <div className="banner-title">{title}</div>
        <ul className="banner-details">
          {items.slice(0, cap).map((item, i) => (
            <li key={i} data-testid="problem">
              {item}
            </li>
          ))}
          {items.length > cap && <li>… and {items.length - cap} more</li>}
        </ul>
      </div>
      {onDismiss && (
        <div className="banner-action">
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
