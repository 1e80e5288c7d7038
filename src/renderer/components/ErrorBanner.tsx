import type { ReactNode } from 'react';
import type { AppError, ErrorDetail } from '../../shared/contract/errors';

/** The detail's message without a repeated `field:` prefix (the field is shown separately). */
export function detailMessage(d: ErrorDetail): string {
  return d.field && d.message.startsWith(`${d.field}: `) ? d.message.slice(d.field.length + 2) : d.message;
}

export function describeDetail(d: ErrorDetail): string {
  const where = [
    d.field,
    d.line !== undefined ? `line ${d.line}` : null,
    d.column !== undefined ? `column ${d.column}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${detailMessage(d)}` : detailMessage(d);
}

/** An API error as the analyst needs it: what failed, the registry code, and where (field / line). */
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
  return (
    <div className="banner banner-red" role="alert" data-testid="error-banner">
      <div className="banner-body">
        <div className="banner-title">
          {title ?? error.message}
          <code className="banner-code">{error.code}</code>
        </div>
        {title !== undefined && <div>{error.message}</div>}
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
