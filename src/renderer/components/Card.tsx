import type { ReactNode } from 'react';

export interface CardProps {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  testId?: string;
}

export function Card({ title, description, actions, children, className, testId }: CardProps) {
  return (
    <section className={['card', className ?? ''].filter(Boolean).join(' ')} data-testid={testId}>
      {(title ?? actions) !== undefined && (
        <header className="card-header">
          <div>
            {title !== undefined && <h2 className="card-title">{title}</h2>}
            {description !== undefined && <p className="card-description">{description}</p>}
          </div>
          {actions !== undefined && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
