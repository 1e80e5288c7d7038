import type { ReactNode } from 'react';

/** One label/value pair of a drawer's property list (`<dl className="props">`); empty values show a dash. */
export function Prop({
  label,
  children,
  mono,
  wide,
}: {
  label: string;
  children: ReactNode;
  mono?: boolean;
  wide?: boolean;
}) {
  const empty = children === null || children === undefined || children === '';
  return (
    <div className={wide ? 'prop prop-wide' : 'prop'}>
      <dt>{label}</dt>
      <dd className={mono && !empty ? 'mono' : undefined}>
        {empty ? <span className="muted">—</span> : children}
      </dd>
    </div>
  );
}
