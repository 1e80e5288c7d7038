/**
 * The tables of a report kind other than the summary, as `reports.view` sends them (the builders' own
 * sections, capped): print-friendly (headers repeated on every page, rows never split), the capped rest
 * counted in a visible line. Wide tables (events, log, failed recipients, quarantine) show the columns that
 * fit on A4; every column is in the tabular exports.
 */
import type { ReportCell, ReportViewColumn, ReportViewSection } from '../../../shared/contract/reports';
import { formatCount, formatDateTime, formatRate } from '../../components/format';

/** Columns printed per section id, for sections wider than a page; other sections print every column. */
const PRINTED_COLUMNS: Partial<Record<string, readonly string[]>> = {
  recipients: ['email', 'reason_label', 'type', 'bounce_class', 'attempts', 'last_attempt_at', 'last_reply'],
  events: ['type', 'timestamp', 'recipient', 'attempt', 'reason', 'smtp_code', 'raw_response'],
  log: ['email', 'status_label', 'failure_type', 'reason', 'attempts', 'last_attempt_at', 'last_reply'],
  quarantine: ['address', 'status', 'errors', 'last_reason', 'last_type', 'since', 'by_this_delivery'],
};

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
  const shown = section.columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => !printed || printed.includes(column.key));
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
                    {formatCell(column.type, row[index] ?? null)}
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
      {printed && shown.length < section.columns.length && (
        <p className="report-muted small">
          {formatCount(section.columns.length - shown.length)} more columns in the CSV, JSON lines and XLSX
          exports.
        </p>
      )}
    </section>
  );
}
