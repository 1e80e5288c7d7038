/** Number, percentage and time formatting for the console (the analyst's locale, tabular figures in CSS). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export const formatCount = (n: number): string => integer.format(n);

/** A 0..1 ratio as a percentage; an em dash when undefined (nothing to deliver yet). */
export const formatRate = (ratio: number | null): string => (ratio === null ? '—' : percent.format(ratio));

export const formatDateTime = (ms: number | null): string => (ms === null ? '—' : dateTime.format(ms));

/** With seconds: for attempts and log rows, where minutes are too coarse. */
export const formatTimestamp = (ms: number | null): string =>
  ms === null ? '—' : dateTimeSeconds.format(ms);
