import type { Tone } from '../../components/tones';

export interface ChipOption<T extends string> {
  id: T;
  label: string;
  tone: Tone;
  /** Shown after the label (a count). */
  count?: number;
}

/** Toggle chips filtering a list by a set of values; none pressed means no filter. */
export function FilterChips<T extends string>({
  label,
  options,
  value,
  onChange,
  testIdPrefix,
}: {
  label: string;
  options: readonly ChipOption<T>[];
  value: readonly T[];
  onChange(next: T[]): void;
  testIdPrefix: string;
}) {
  const toggle = (id: T) => onChange(value.includes(id) ? value.filter((v) => v !== id) : [...value, id]);
  return (
    <div className="chips" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.id}
          type="button"
          className={`filter-chip tone-${o.tone}`}
          aria-pressed={value.includes(o.id)}
          onClick={() => toggle(o.id)}
          data-testid={`${testIdPrefix}-${o.id}`}
        >
          {o.label}
          {o.count !== undefined && <span className="chip-count num">{o.count}</span>}
        </button>
      ))}
      {value.length > 0 && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => onChange([])}
          data-testid={`${testIdPrefix}-clear`}
        >
          All
        </button>
      )}
    </div>
  );
}
