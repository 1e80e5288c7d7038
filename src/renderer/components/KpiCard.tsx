import type { ReactNode } from 'react';
import type { Tone } from './tones';

export interface KpiCardProps {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: Tone;
  testId?: string;
}

export function KpiCard({ label, value, hint, tone, testId }: KpiCardProps) {
  return (
    <div className={['kpi', tone ? `kpi-${tone}` : ''].filter(Boolean).join(' ')} data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {hint !== undefined && <div className="kpi-hint">{hint}</div>}
    </div>
  );
}
