import type { ReactNode } from 'react';
import type { AppError, ErrorDetail } from '../../shared/contract/errors';
import { describeDetail, errorSentence, errorTitle } from './error-titles';

/** The detail's message without a repeated `field:` prefix (the field is shown separately). */
export function detailMessage(d: ErrorDetail): string {
  return d.field && d.message.startsWith(`${d.field}: `) ? d.message.slice(d.field.length + 2) : d.message;
}

export { describeDetail };

/**
 * An API error as the analyst needs it: what failed (the page's title, else the plain title of its code), what
 * the server said when it helps, and each problem (the messages name their field; lines and columns are said).
 * The error code is never shown: it stays on the element as `data-error-code`.
 */
export function ErrorBanner({
  error,
  title,
  action,
}: {
  error: AppError | null;
  title?: string;
  action?: ReactNode;
}) {
  if (!error) return null;
  const details = error.details ?? [];
  const sentence = errorSentence(error);
  return (
    <div className="banner banner-red" role="alert" data-testid="error-banner" data-error-code={error.code}>
      <div className="banner-body">
        <div className="banner-title">{title ?? errorTitle(error.code)}</div>
        {sentence !== null && sentence !== title && <div>{sentence}</div>}
        {details.length > 0 && (
          <ul className="banner-details">
            {details.slice(0, 20).map((d, i) => (
              <li key={i}>{describeDetail(d)}</li>
            ))}
            {details.length > 20 && <li>… and {details.length - 20} more</li>}
          </ul>
        )}
        {error.retryable && <div className="banner-hint">This is temporary: try again in a moment.</div>}
      </div>
      {action !== undefined && <div className="banner-action">{action}</div>}
    </div>
  );
}

export function Notice({
  tone = 'blue',
  children,
  testId,
}: {
  tone?: 'blue' | 'amber' | 'grey';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className={`banner banner-${tone}`} role="status" data-testid={testId}>
      <div className="banner-body">{children}</div>
    </div>
  );
}
