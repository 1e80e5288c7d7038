import { useRef, useState, type DragEvent } from 'react';
import type { RecipientsPreview, SampleList } from '../../../shared/contract';
import type { AppError } from '../../../shared/contract/errors';
import {
  ENCODING_HINTS,
  ENCODING_LABELS,
  TEXT_ENCODINGS,
  describeEncoding,
  encodingBasisText,
  isTextEncoding,
  type TextEncoding,
} from '../../../shared/domain/text-encoding';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { formatCount } from '../../components/format';
import { readCsvUpload } from './csv-upload';
import { describeRowError, type RecipientsSource } from './form-model';

const PREVIEW_ROWS = 5;

export interface RecipientsSectionProps {
  source: RecipientsSource | null;
  preview: RecipientsPreview | null;
  previewing: boolean;
  /** Why the list cannot be read (by the preview, or by the creation): shown here and nowhere else. */
  listError: AppError | null;
  samples: readonly SampleList[];
  errors: readonly string[];
  onSource(source: RecipientsSource): void;
  /** Read the file again in this encoding (undefined: the detected one). */
  onEncoding(encoding: TextEncoding | undefined): void;
}

/** Recipient list: file picker, drag and drop, or the demo list; then the server's parse of it. */
export function RecipientsSection({
  source,
  preview,
  previewing,
  listError,
  samples,
  errors,
  onSource,
  onEncoding,
}: RecipientsSectionProps) {
  const fileName = source?.fileName ?? null;
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);

  const readFile = async (file: File) => {
    setReadError(null);
    try {
      onSource(await readCsvUpload(file));
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
      {source && 'data' in source && (
        <EncodingChoice
          chosen={source.encoding}
          preview={preview}
          disabled={previewing}
          onEncoding={onEncoding}
        />
      )}
      {listError && <ListError error={listError} />}
      {previewing && !preview && <div className="loading">Reading the list…</div>}
      {preview && <PreviewDetails preview={preview} stale={previewing} />}
    </Card>
  );
}

/**
 * "Encoding: Windows-1252 (detected)" and a select to read the file in another encoding; kept while a
 * re-read fails, so the choice can be undone.
 */
function EncodingChoice({
  chosen,
  preview,
  disabled,
  onEncoding,
}: {
  chosen: TextEncoding | undefined;
  preview: RecipientsPreview | null;
  disabled: boolean;
  onEncoding(encoding: TextEncoding | undefined): void;
}) {
  const info = preview?.encoding;
  // Without a preview (being read, or refused for another reason) only the choice is known.
  const text = info
    ? describeEncoding(info)
    : chosen
      ? `${ENCODING_LABELS[chosen]} (chosen)`
      : disabled
        ? 'detecting…'
        : 'detected automatically';
  return (
    <div className="row gap-1 encoding-choice" data-testid="recipients-encoding-row">
      <span className="small" title={info ? encodingBasisText(info) : undefined}>
        Encoding: <span data-testid="recipients-encoding">{text}</span>
      </span>
      <select
        className="input select select-inline"
        aria-label="Read the file as"
        data-testid="recipients-encoding-select"
        value={chosen ?? ''}
        disabled={disabled}
        onChange={(e) => {
          const value = e.target.value;
          onEncoding(isTextEncoding(value) ? value : undefined);
        }}
      >
        <option value="">
          {info && !chosen ? `Detected: ${ENCODING_LABELS[info.detected]}` : 'Detect automatically'}
        </option>
        {TEXT_ENCODINGS.map((e) => (
          <option key={e} value={e}>
            {ENCODING_LABELS[e]} ({ENCODING_HINTS[e]})
          </option>
        ))}
      </select>
    </div>
  );
}

/** Why the list cannot be read, in plain words, with the lines concerned. */
function ListError({ error }: { error: AppError }) {
  const details = error.details ?? [];
  return (
    <div className="banner banner-red" role="alert" data-testid="recipients-list-error">
      <div className="banner-body">
        <div className="banner-title">The recipient list cannot be read</div>
        <div>{error.message}</div>
        {details.length > 0 && (
          <ul className="banner-details">
            {details.slice(0, 20).map((d, i) => (
              <li key={i}>
                {d.line !== undefined && <span className="num line-ref">Line {d.line}</span>} {d.message}
              </li>
            ))}
            {details.length > 20 && <li>… and {details.length - 20} more</li>}
          </ul>
        )}
      </div>
    </div>
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
