import { useRef, useState, type DragEvent } from 'react';
import type { InmailImportResult } from '../../../shared/contract/bounce';
import { useClient } from '../../api/client-context';
import { toAppError } from '../../api/hooks';
import { Button } from '../../components/Button';
import { formatCount } from '../../components/format';
import { ProgressBar } from '../../components/ProgressBar';
import { bytesToBase64, isImportable } from './inmail-model';

type FileResult =
  | { fileName: string; state: 'waiting' | 'importing' }
  | { fileName: string; state: 'done'; result: InmailImportResult }
  | { fileName: string; state: 'failed'; message: string };

/**
 * Import .eml and .mbox files into the bounce mailbox by drag and drop or file picker: one file at a time,
 * with progress and each file's result (messages, matched, unmatched, errors by message position).
 */
export function InmailImport() {
  const client = useClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [files, setFiles] = useState<FileResult[]>([]);
  const busy = files.some((f) => f.state === 'waiting' || f.state === 'importing');
  const done = files.filter((f) => f.state === 'done' || f.state === 'failed').length;

  const importFiles = async (list: readonly File[]) => {
    if (list.length === 0 || busy) return;
    setFiles(list.map((f) => ({ fileName: f.name, state: 'waiting' })));
    const update = (index: number, next: FileResult) =>
      setFiles((all) => all.map((f, i) => (i === index ? next : f)));
    for (const [index, file] of list.entries()) {
      if (!isImportable(file.name)) {
        update(index, {
          fileName: file.name,
          state: 'failed',
          message: 'not an .eml or .mbox file; skipped',
        });
        continue;
      }
      update(index, { fileName: file.name, state: 'importing' });
      try {
        const contentBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
        const result = await client.call('inmail.import', { fileName: file.name, contentBase64 });
        update(index, { fileName: file.name, state: 'done', result });
      } catch (err) {
        update(index, { fileName: file.name, state: 'failed', message: toAppError(err).message });
      }
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void importFiles([...e.dataTransfer.files]);
  };

  return (
    <div className="inmail-import">
      <div
        className={['dropzone', 'dropzone-compact', dragging ? 'is-dragging' : ''].join(' ')}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="inmail-dropzone"
      >
        <span className="muted">Drop .eml or .mbox files here to add them to the bounce mailbox, or</span>
        <Button size="sm" onClick={() => inputRef.current?.click()} disabled={busy} testId="inmail-choose">
          Choose files…
        </Button>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept=".eml,.mbox,.mbx,message/rfc822,application/mbox"
          hidden
          data-testid="inmail-file-input"
          onChange={(e) => {
            const chosen = [...(e.target.files ?? [])];
            e.target.value = '';
            void importFiles(chosen);
          }}
        />
      </div>
      {files.length > 0 && (
        <div className="inmail-import-results" data-testid="inmail-import-results">
          {files.length > 1 && (
            <div className="inmail-import-progress">
              <ProgressBar value={done} max={files.length} label="Files imported" />
              <span className="muted num small">
                {done} / {files.length} files
              </span>
            </div>
          )}
          <ul className="inmail-file-results">
            {files.map((f, i) => (
              <li
                key={i}
                className={f.state === 'failed' ? 'is-failed' : undefined}
                data-testid="inmail-file-result"
              >
                <span className="strong truncate">{f.fileName}</span>
                <FileState file={f} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function FileState({ file }: { file: FileResult }) {
  switch (file.state) {
    case 'waiting':
      return <span className="muted">waiting</span>;
    case 'importing':
      return <span className="muted">importing…</span>;
    case 'failed':
      return <span className="field-error">{file.message}</span>;
    case 'done': {
      const r = file.result;
      return (
        <span>
          {formatCount(r.messages)} {r.messages === 1 ? 'message' : 'messages'}: {formatCount(r.matched)}{' '}
          matched,{' '}
          <span className={r.unmatched > 0 ? 'unmatched-text' : undefined}>
            {formatCount(r.unmatched)} unmatched
          </span>
          {r.duplicates > 0 && <>, {formatCount(r.duplicates)} already received (skipped)</>}
          {r.errors.length > 0 && (
            <ul className="inmail-file-errors">
              {r.errors.map((e) => (
                <li key={e.index}>
                  <span className="line-ref">Message {e.index}</span> {e.message}
                </li>
              ))}
            </ul>
          )}
        </span>
      );
    }
  }
}
