/**
 * "Export" menu: every report kind in every format, downloaded as a file (reports.export returns it as
 * base64; a PDF is the kind's printable report view). Used on the delivery page and the report view.
 */
import { useEffect, useRef, useState } from 'react';
import {
  REPORT_FORMAT_LABELS,
  REPORT_KIND_LABELS,
  REPORT_KINDS,
  type ReportFormat,
  type ReportKind,
} from '../../../shared/contract/reports';
import { useMutation } from '../../api/hooks';
import { paths } from '../../app/router';
import { ErrorBanner } from '../../components/ErrorBanner';
import { downloadFile } from './report-model';

const TABULAR: readonly ReportFormat[] = ['csv', 'json', 'xlsx'];

export function ExportMenu({ deliveryId }: { deliveryId: string }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const exporter = useMutation('reports.export');
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      // The focused item leaves with the menu: give the focus back to the Export button.
      toggle.current?.focus();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const download = async (kind: ReportKind, format: ReportFormat) => {
    setBusy(`${kind}.${format}`);
    const result = await exporter.mutate({ deliveryId, kind, format });
    setBusy(null);
    if (!result.ok) return;
    downloadFile(result.value);
    setOpen(false);
  };

  return (
    <div className="export-menu" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="btn"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="export-button"
      >
        Export ▾
      </button>
      {open && (
        <div className="export-popover" role="menu" data-testid="export-menu">
          <table>
            <tbody>
              {REPORT_KINDS.map((kind) => (
                <tr key={kind}>
                  <th scope="row">{REPORT_KIND_LABELS[kind]}</th>
                  {TABULAR.map((format) => (
                    <td key={format}>
                      <ExportItem kind={kind} format={format} busy={busy} onPick={download} />
                    </td>
                  ))}
                  <td>
                    <ExportItem kind={kind} format="pdf" busy={busy} onPick={download} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="export-footer">
            <a href={paths.deliveryReport(deliveryId)} data-testid="printable-report-link">
              Printable report
            </a>
            <span className="muted small">Large exports: relaydeck report --out FILE</span>
          </div>
          <ErrorBanner error={exporter.error} title="The export failed" />
        </div>
      )}
    </div>
  );
}

function ExportItem(props: {
  kind: ReportKind;
  format: ReportFormat;
  busy: string | null;
  onPick(kind: ReportKind, format: ReportFormat): void;
}) {
  const id = `${props.kind}.${props.format}`;
  return (
    <button
      type="button"
      role="menuitem"
      className="btn btn-ghost btn-sm"
      disabled={props.busy !== null}
      onClick={() => props.onPick(props.kind, props.format)}
      data-testid={`export-${props.kind}-${props.format}`}
      title={`${REPORT_KIND_LABELS[props.kind]} as ${REPORT_FORMAT_LABELS[props.format]}${
        props.format === 'csv' ? ': one file per table (a ZIP of CSV files when the report has several)' : ''
      }`}
    >
      {props.busy === id ? '…' : props.format === 'json' ? 'JSONL' : props.format.toUpperCase()}
    </button>
  );
}
