import { useRef, useState, type DragEvent } from 'react';
import type { MethodOutput } from '../../../shared/contract';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';
import { readCsvUpload } from '../deliveries/csv-upload';
import { describeRowError } from '../deliveries/form-model';

type ImportResult = MethodOutput<'quarantine.import'>;

/** Import a CSV of addresses (address[,status][,note]) by file picker or drag and drop; shows row errors. */
export function QuarantineImport({ onImported }: { onImported(): void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);
  const [result, setResult] = useState<{ fileName: string; value: ImportResult } | null>(null);
  const importCsv = useMutation('quarantine.import');

  const readFile = async (file: File) => {
    setReadError(null);
    setResult(null);
    let upload: { fileName: string; data: string };
    try {
      // The bytes: the server detects the file's encoding (Excel on Windows writes Windows-1252).
      upload = await readCsvUpload(file);
    } catch (err) {
      setReadError(`${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const r = await importCsv.mutate(upload);
    if (r.ok) {
      setResult({ fileName: file.name, value: r.value });
      onImported();
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void readFile(file);
  };

  return (
    <div className="quarantine-import">
      <div
        className={['dropzone', 'dropzone-compact', dragging ? 'is-dragging' : ''].join(' ')}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="quarantine-dropzone"
      >
        <span className="muted">
          {importCsv.pending ? 'Importing…' : 'Drop a CSV here (address, status, note), or'}
        </span>
        <Button
          size="sm"
          onClick={() => inputRef.current?.click()}
          disabled={importCsv.pending}
          testId="quarantine-import"
        >
          Choose CSV file…
        </Button>
        <input
          ref={inputRef}
          type="file"
          accept=".csv,text/csv,text/plain"
          hidden
          data-testid="quarantine-import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void readFile(file);
          }}
        />
      </div>
      {readError && (
        <div className="field-error" role="alert">
          {readError}
        </div>
      )}
      <ErrorBanner error={importCsv.error} title="The file could not be imported" />
      {result && <ImportSummary fileName={result.fileName} result={result.value} />}
    </div>
  );
}

function ImportSummary({ fileName, result }: { fileName: string; result: ImportResult }) {
  const errorCount = result.errors.length + result.moreErrors;
  return (
    <div className="import-summary" role="status" data-testid="quarantine-import-result">
      <div>
        <span className="strong">{fileName}</span>:{' '}
        <span data-testid="quarantine-imported">{formatCount(result.imported)}</span> of{' '}
        {formatCount(result.total)} {result.total === 1 ? 'row' : 'rows'} imported
        {errorCount > 0 ? `, ${formatCount(errorCount)} refused` : ''}.
      </div>
      {result.errors.length > 0 && (
        <div className="row-errors" data-testid="quarantine-import-errors">
          <ul>
            {result.errors.map((e, i) => (
              <li key={i}>
                <span className="line-ref">Line {e.line}</span> {describeRowError(e)}
              </li>
            ))}
            {result.moreErrors > 0 && <li className="muted">… and {formatCount(result.moreErrors)} more</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
