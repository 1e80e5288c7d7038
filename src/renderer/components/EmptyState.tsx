import type { ReactNode } from 'react';

export function EmptyState({
  title,
  body,
  action,
  testId,
}: {
  title: string;
  body?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty" data-testid={testId}>
      <div className="empty-title">{title}</div>
      {body !== undefined && <div className="empty-body">{body}</div>}
      {action !== undefined && <div className="empty-action">{action}</div>}
    </div>
  );
}
