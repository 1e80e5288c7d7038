import { useRef, type ChangeEvent } from 'react';
import { Button } from './Button';

/**
 * The toolbar of a page that edits a JSON document as a draft (the MX rules, the provider profiles): import and
 * export as JSON, reset to the shipped document, discard the draft, save. Test ids are `<prefix>-import`,
 * `<prefix>-import-input`, `<prefix>-export`, `<prefix>-reset`, `<prefix>-discard`, `<prefix>-save`.
 */
export function DocumentToolbar({
  prefix,
  what,
  resetLabel,
  dirty,
  saving,
  onImport,
  onExport,
  onReset,
  onDiscard,
  onSave,
}: {
  prefix: string;
  /** What is exported ("the rules", "the profiles"), for the export button's title. */
  what: string;
  resetLabel: string;
  dirty: boolean;
  saving: boolean;
  onImport(e: ChangeEvent<HTMLInputElement>): void;
  onExport(): void;
  onReset(): void;
  onDiscard(): void;
  onSave(): void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <div className="row gap-1 rules-toolbar">
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        onChange={onImport}
        data-testid={`${prefix}-import-input`}
      />
      <Button onClick={() => fileInput.current?.click()} testId={`${prefix}-import`}>
        Import JSON
      </Button>
      <Button onClick={onExport} testId={`${prefix}-export`} title={`Download ${what} shown as JSON`}>
        Export JSON
      </Button>
      <Button onClick={onReset} testId={`${prefix}-reset`}>
        {resetLabel}
      </Button>
      <Button onClick={onDiscard} disabled={!dirty} testId={`${prefix}-discard`}>
        Discard changes
      </Button>
      <Button variant="primary" onClick={onSave} disabled={!dirty || saving} testId={`${prefix}-save`}>
        {saving ? 'Saving…' : 'Save'}
      </Button>
    </div>
  );
}
