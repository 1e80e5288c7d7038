export function ProgressBar({
  value,
  max,
  label,
  testId,
}: {
  value: number;
  max: number;
  label: string;
  testId?: string;
}) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      data-testid={testId}
    >
      <div className="progress-fill" style={{ width: `${(ratio * 100).toFixed(2)}%` }} />
    </div>
  );
}
