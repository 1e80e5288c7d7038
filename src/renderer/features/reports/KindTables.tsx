/**
 * The tables of a report kind other than the summary, as `reports.view` sends them (the builders' own
 * sections, capped): print-friendly (headers repeated on every page, rows never split), the capped rest
 * counted in a visible line. Headers are the builders' display headers; columns holding a machine id next to
 * its label (reason id, status id) are not printed, and ids in a cell are shown by their console label. The
 * wide kinds are printed in A4 landscape (`PDF_LANDSCAPE`); the widest tables (events, log, failed
 * recipients, quarantine) show the columns that fit; every column is in the tabular exports.
 */
import type { ReportCell, ReportViewColumn, ReportViewSection } from '../../../shared/contract/reports';
import { FAILURE_TYPE_LABELS, REASONS, REASON_IDS } from '../../../shared/domain/reasons';
import { formatCount, formatDateTime, formatRate } from '../../components/format';
import { QUARANTINE_STATUS_LABELS } from '../quarantine/quarantine-model';

const REASON_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  REASON_IDS.map((id) => [id, REASONS[id].label]),
);

/** Columns printed per section id, for sections wider than a page; other sections print every column. */
const PRINTED_COLUMNS: Partial<Record<string, readonly string[]>> = {
  recipients: [
    'email',
    'domain',
    'reason_label',
    'type',
    'bounce_class_label',
    'attempts',
    'last_attempt_at',
    'last_reply',
  ],
  events: ['type', 'timestamp', 'recipient', 'attempt', 'bounce_type', 'reason', 'smtp_code', 'raw_response'],
  log: [
    'email',
    'status_label',
    'failure_type',
    'reason',
    'attempts',
    'last_attempt_at',
    'last_reply',
    'mx_host',
  ],
  quarantine: [
    'address',
    'status',
    'errors',
    'last_error_at',
    'last_reason',
    'last_type',
    'since',
    'by_this_delivery',
  ],
};

/** Columns of a machine id printed next to their label column: left out of the printed table (not "more"). */
const ID_COLUMNS: Partial<Record<string, readonly string[]>> = {
  by_reason: ['reason'],
  retrying: ['reason'],
};

/** Cells holding an id shown by its console label (a value without a label is shown as it is). */
const VALUE_LABELS: Partial<Record<string, Readonly<Record<string, string>>>> = {
  reason: REASON_LABELS,
  last_reason: REASON_LABELS,
  type: FAILURE_TYPE_LABELS,
  bounce_type: FAILURE_TYPE_LABELS,
  last_type: FAILURE_TYPE_LABELS,
  status: QUARANTINE_STATUS_LABELS,
};

const labelled = (key: string, value: ReportCell): ReportCell =>
  typeof value === 'string' ? (VALUE_LABELS[key]?.[value] ?? value) : value;

/** Free-text columns shown in the small monospace of SMTP replies. */
const REPLY_COLUMNS = new Set(['last_reply', 'raw_response']);

export function formatCell(type: ReportViewColumn['type'], value: ReportCell): string {
  if (value === null || value === '') return '—';
  switch (type) {
    case 'int':
      return typeof value === 'number' ? formatCount(value) : String(value);
    case 'number':
      return String(value);
    case 'percent':
      return typeof value === 'number' ? formatRate(value) : String(value);
    case 'date':
      return typeof value === 'number' ? formatDateTime(value) : String(value);
    case 'bool':
      return value === true ? 'yes' : value === false ? 'no' : String(value);
    case 'text':
      return String(value);
  }
}

const isNumeric = (type: ReportViewColumn['type']): boolean =>
  type === 'int' || type === 'number' || type === 'percent';

export function KindTable({ section }: { section: ReportViewSection }) {
  const printed = PRINTED_COLUMNS[section.id];
  const ids = ID_COLUMNS[section.id] ?? [];
  const columns = section.columns.filter((c) => !ids.includes(c.key));
  const shown = section.columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => !ids.includes(column.key) && (!printed || printed.includes(column.key)));
  const headingId = `report-section-${section.id}`;
  const more = section.total - section.rows.length;

  return (
    <section
      className="report-section"
      aria-labelledby={headingId}
      data-testid={`report-section-${section.id}`}
    >
      <h2 id={headingId}>
        {section.title} <span className="report-count">({formatCount(section.total)})</span>
      </h2>
      {section.rows.length === 0 ? (
        <p className="report-muted">No rows.</p>
      ) : (
        <table className="report-table report-table-long">
          <thead>
            <tr>
              {shown.map(({ column }) => (
                <th key={column.key} scope="col" className={isNumeric(column.type) ? 'num' : undefined}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {section.rows.map((row, r) => (
              <tr key={r}>
                {shown.map(({ column, index }) => (
                  <td
                    key={column.key}
                    className={
                      isNumeric(column.type)
                        ? 'num'
                        : REPLY_COLUMNS.has(column.key)
                          ? 'report-reply'
                          : column.type === 'date'
                            ? 'nowrap'
                            : undefined
                    }
                  >
                    {formatCell(column.type, labelled(column.key, row[index] ?? null))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more > 0 && (
        <p className="report-more" data-testid="report-more">
          … and {formatCount(more)} more rows — export CSV, JSON lines or XLSX for the full list.
        </p>
      )}
      {printed && shown.length < columns.length && (
        <p className="report-muted small">
          {formatCount(columns.length - shown.length)} more columns in the CSV, JSON lines and XLSX exports.
        </p>
      )}
    </section>
  );
}
