import { useRef, useState, type DragEvent } from 'react';
import type { RecipientsPreview, SampleList } from '../../../shared/contract';
import type { AppError } from '../../../shared/contract/errors';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';
import { describeRowError } from './form-model';

const PREVIEW_ROWS = 5;

export interface RecipientsSectionProps {
  fileName: string | null;
  preview: RecipientsPreview | null;
  previewing: boolean;
  previewError: AppError | null;
  samples: readonly SampleList[];
  errors: readonly string[];
  onSource(source: { fileName: string; csv: string }): void;
}

/** Recipient list: file picker, drag and drop, or the demo list; then the server's parse of it. */
export function RecipientsSection({
  fileName,
  preview,
  previewing,
  previewError,
  samples,
  errors,
  onSource,
}: RecipientsSectionProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);

  const readFile = async (file: File) => {
    setReadError(null);
    try {
      onSource({ fileName: file.name, csv: await file.text() });
    } catch (err) {
      setReadError(`${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void readFile(file);
  };

  const demo = samples[0];

  return (
    <Card
      title="Recipients"
      description="A CSV file with a header row and an email column; other columns become {{fields}} of the template."
    >
      <div
        className={['dropzone', dragging ? 'is-dragging' : '', errors.length ? 'is-invalid' : ''].join(' ')}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="recipients-dropzone"
      >
        <div className="dropzone-text">
          {fileName ? (
            <>
              <span className="strong" data-testid="recipients-file">
                {fileName}
              </span>
              <span className="muted"> · drop another file to replace it</span>
            </>
          ) : (
            <span className="muted">Drop a CSV file here, or</span>
          )}
        </div>
        <div className="row gap-1">
          <Button onClick={() => inputRef.current?.click()} testId="recipients-choose">
            Choose CSV file…
          </Button>
          {demo && (
            <Button
              onClick={() => onSource({ fileName: demo.fileName, csv: demo.csv })}
              testId="use-demo-list"
              title={demo.name}
            >
              Use demo list
            </Button>
          )}
          {samples.length > 1 && (
            <select
              className="input select select-inline"
              aria-label="Saved recipient lists"
              value=""
              onChange={(e) => {
                const list = samples.find((s) => s.id === e.target.value);
                if (list) onSource({ fileName: list.fileName, csv: list.csv });
              }}
            >
              <option value="">Other saved lists…</option>
              {samples.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </div>
        <input
          ref={inputRef}
          type="file"
          accept=".csv,text/csv,text/plain"
          hidden
          data-testid="recipients-file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void readFile(file);
            e.target.value = '';
          }}
        />
      </div>
      {errors.map((m, i) => (
        <div key={i} className="field-error" role="alert" data-testid="error-recipients">
          {m}
        </div>
      ))}
      {readError && (
        <div className="field-error" role="alert">
          {readError}
        </div>
      )}
      <ErrorBanner error={previewError} title="The recipient list cannot be read" />
      {previewing && !preview && <div className="loading">Reading the list…</div>}
      {preview && <PreviewDetails preview={preview} stale={previewing} />}
    </Card>
  );
}

function PreviewDetails({ preview, stale }: { preview: RecipientsPreview; stale: boolean }) {
  const rows = preview.rows.slice(0, PREVIEW_ROWS);
  return (
    <div className={stale ? 'is-stale' : undefined} data-testid="recipients-preview">
      <dl className="stats" aria-label="Recipient list counts">
        <Stat label="Rows" value={preview.total} testId="preview-total" />
        <Stat label="Valid" value={preview.valid} testId="preview-valid" tone="green" />
        <Stat
          label="Duplicates"
          value={preview.duplicates}
          testId="preview-duplicates"
          hint="Ignored (Double)"
        />
        <Stat label="No address" value={preview.noAddress} testId="preview-no-address" />
        <Stat
          label="Row errors"
          value={preview.errors.length + preview.moreErrors}
          testId="preview-errors"
          tone={preview.errors.length ? 'red' : undefined}
        />
      </dl>
      <div className="muted small">
        Columns:{' '}
        {preview.columns.map((c) => (
          <code key={c} className="code-chip">
            {c}
          </code>
        ))}
      </div>
      {rows.length > 0 && (
        <div className="table-scroll">
          <table className="table-compact" data-testid="preview-rows">
            <thead>
              <tr>
                {preview.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>
                  {preview.columns.map((c) => (
                    <td key={c} title={row[c]}>
                      {row[c]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.errors.length > 0 && (
        <div className="row-errors" data-testid="preview-row-errors">
          <div className="strong small">Rows that will be skipped</div>
          <ul>
            {preview.errors.map((e, i) => (
              <li key={i}>
                <span className="num line-ref">Line {e.line}</span> {describeRowError(e)}
              </li>
            ))}
            {preview.moreErrors > 0 && (
              <li className="muted">… and {formatCount(preview.moreErrors)} more</li>
            )}
          </ul>
        </div>
      )}
    </div>
  );
}

function Stat({
  label,
  value,
  testId,
  tone,
  hint,
}: {
  label: string;
  value: number;
  testId: string;
  tone?: 'green' | 'red';
  hint?: string;
}) {
  return (
    <div className={['stat', tone ? `stat-${tone}` : ''].join(' ')} title={hint}>
      <dt>{label}</dt>
      <dd className="num" data-testid={testId}>
        {formatCount(value)}
      </dd>
    </div>
  );
}
