/**
 * The report model every kind produces and every format writes: a header block (what the report is about)
 * and sections of typed rows. Rows are produced lazily (keyset pages from the store), so a 1M-row log is
 * never in memory; each writer streams them to its sink.
 */
import type { ReportColumnType, ReportKind } from '../../shared/contract/reports';

/**
 * How a cell is written: `date` cells hold epoch ms (ISO 8601 in CSV/JSON, dates in XLSX), `percent` cells a
 * rate 0..1 (a number in CSV/JSON, a % format in XLSX).
 */
export type ColumnType = ReportColumnType;

export interface Column {
  /** Stable machine name: the CSV header and the JSON key. */
  key: string;
  /** Display header (XLSX, PDF). */
  header: string;
  type: ColumnType;
  /** XLSX column width in characters. */
  width?: number;
}

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Section {
  /** Machine name (JSON lines `section` field when a report has several sections). */
  id: string;
  /** Sheet / table title. */
  title: string;
  columns: readonly Column[];
  rows(): Iterable<Row>;
  /**
   * The number of rows, when known without reading them (a counter): the printable view reads only its
   * capped rows then. Without it, the view counts the rows past its cap.
   */
  count?(): number;
}

export interface HeaderItem {
  label: string;
  /** The value as text ('' for a time: see `at`). */
  value: string;
  /** A time (epoch ms): written as a date (an Excel date in XLSX, ISO 8601 in text formats). */
  at?: number;
}

export interface Report {
  kind: ReportKind;
  deliveryId: string;
  title: string;
  /** File name without extension: `relaydeck-delivery-12-bounces`. */
  fileBase: string;
  header: HeaderItem[];
  sections: Section[];
  /**
   * The whole report as one JSON object (the summary): JSON lines write it as a single line instead of
   * one line per row.
   */
  document?: Record<string, unknown>;
}
