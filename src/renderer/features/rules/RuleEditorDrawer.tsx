import type { FormEvent, ReactNode } from 'react';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';

/**
 * The drawer of a rule editor (MX, automation and bounce rules): the form and its Cancel / Apply actions.
 * Apply changes the page's draft only, which the note under the actions says.
 */
export function RuleEditorDrawer({
  title,
  testId,
  applyTestId,
  note = 'Apply changes the rules shown; Save on the page puts them in force.',
  onSubmit,
  onClose,
  children,
  wide,
}: {
  title: string;
  testId: string;
  applyTestId: string;
  note?: string;
  onSubmit(e: FormEvent): void;
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <Drawer title={title} onClose={onClose} testId={testId} wide={wide}>
      <form className="rule-form" onSubmit={onSubmit} noValidate>
        {children}
        <div className="rule-form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" testId={applyTestId}>
            Apply
          </Button>
        </div>
        <p className="muted small">{note}</p>
      </form>
    </Drawer>
  );
}
