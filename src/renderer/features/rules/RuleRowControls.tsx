/** The controls of a row of an ordered rules table (MX, automation and bounce rules): edit, move, delete. */
import { Button } from '../../components/Button';

export interface RowActions {
  onEdit(index: number): void;
  onMove(index: number, delta: -1 | 1): void;
  onDelete(index: number): void;
}

/** The rule's id opens its editor. */
export function RuleIdButton({
  id,
  label,
  onClick,
  testId = 'rule-edit',
}: {
  id: string;
  label: string;
  onClick(): void;
  testId?: string;
}) {
  return (
    <button
      type="button"
      className="rule-id-button mono"
      onClick={onClick}
      aria-label={`Edit ${label}`}
      title="Edit"
      data-testid={testId}
    >
      {id}
    </button>
  );
}

export function RowButtons({
  index,
  label,
  canUp,
  canDown,
  canDelete,
  deleteTitle,
  deleteTestId = 'rule-delete',
  actions,
}: {
  index: number;
  label: string;
  canUp: boolean;
  canDown: boolean;
  canDelete: boolean;
  deleteTitle?: string;
  deleteTestId?: string;
  actions: RowActions;
}) {
  return (
    <div className="rule-actions">
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Move ${label} up`}
        title="Move up"
        disabled={!canUp}
        onClick={() => actions.onMove(index, -1)}
      >
        ↑
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Move ${label} down`}
        title="Move down"
        disabled={!canDown}
        onClick={() => actions.onMove(index, 1)}
      >
        ↓
      </Button>
      <Button
        size="sm"
        variant="ghost"
        disabled={!canDelete}
        title={deleteTitle ?? 'Delete'}
        aria-label={`Delete ${label}`}
        onClick={() => actions.onDelete(index)}
        testId={deleteTestId}
      >
        ✕
      </Button>
    </div>
  );
}
