import {
  forwardRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

export interface FieldProps {
  label: ReactNode;
  htmlFor: string;
  hint?: ReactNode;
  /** Messages shown under the control (client checks and server error details). */
  errors?: readonly string[];
  children: ReactNode;
  className?: string;
}

export function Field({ label, htmlFor, hint, errors = [], children, className }: FieldProps) {
  return (
    <div className={['field', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {hint !== undefined && errors.length === 0 && (
        <div className="field-hint" id={`${htmlFor}-hint`}>
          {hint}
        </div>
      )}
      {errors.map((message, i) => (
        <div
          key={i}
          className="field-error"
          role="alert"
          id={`${htmlFor}-error-${i}`}
          data-testid={`error-${htmlFor}`}
        >
          {message}
        </div>
      ))}
    </div>
  );
}

/** The `aria-describedby` of a Field's control: its problems when it has some, else its hint. */
export function fieldDescription(
  htmlFor: string,
  hint: ReactNode,
  errors: readonly string[],
): string | undefined {
  if (errors.length > 0) return errors.map((_, i) => `${htmlFor}-error-${i}`).join(' ');
  return hint === undefined ? undefined : `${htmlFor}-hint`;
}

type Invalid = { invalid?: boolean };

export const TextInput = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & Invalid>(
  function TextInput({ invalid, className, ...rest }, ref) {
    return (
      <input
        ref={ref}
        aria-invalid={invalid || undefined}
        className={['input', className ?? ''].filter(Boolean).join(' ')}
        {...rest}
      />
    );
  },
);

export const TextArea = forwardRef<
  HTMLTextAreaElement,
  TextareaHTMLAttributes<HTMLTextAreaElement> & Invalid
>(function TextArea({ invalid, className, ...rest }, ref) {
  return (
    <textarea
      ref={ref}
      aria-invalid={invalid || undefined}
      className={['input', 'textarea', className ?? ''].filter(Boolean).join(' ')}
      {...rest}
    />
  );
});

export function Select({ invalid, className, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & Invalid) {
  return (
    <select
      aria-invalid={invalid || undefined}
      className={['input', 'select', className ?? ''].filter(Boolean).join(' ')}
      {...rest}
    />
  );
}
