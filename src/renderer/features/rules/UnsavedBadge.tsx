import { Badge } from '../../components/Badge';

/** Shown next to a rules title while the draft differs from the rules in force. */
export function UnsavedBadge({ testId }: { testId: string }) {
  return (
    <Badge tone="amber" testId={testId} title="The rules shown differ from the rules in force">
      <span className="dot" aria-hidden="true" />
      Unsaved changes
    </Badge>
  );
}
