import type { ButtonHTMLAttributes } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'sm' | 'md';
  testId?: string;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  testId,
  className,
  type = 'button',
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      data-testid={testId}
      className={['btn', `btn-${variant}`, size === 'sm' ? 'btn-sm' : '', className ?? '']
        .filter(Boolean)
        .join(' ')}
      {...rest}
    />
  );
}
