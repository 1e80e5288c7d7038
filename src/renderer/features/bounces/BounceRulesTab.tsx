/**
 * The bounce rules tab: the ordered rule table as one editable draft (add, edit, move, delete), saved as a
 * whole and applied at once by the engine without a restart. The shared schema checks the draft first; the
 * server's rule checker has the last word (patterns that do not compile, rules shadowed by an earlier one,
 * examples caught by another rule) and its problems are shown under the rules they concern.
 */
import { useState } from 'react';
import type { BounceRulesDocument, BounceRulesState } from '../../../shared/contract/bounce';
import type { BounceRule } from '../../../shared/domain/bounce-rules';
import { useMutation, useQuery } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { describeDetail, ErrorBanner, Notice } from '../../components/ErrorBanner';
import { formatDateTime } from '../../components/format';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { groupByField, moveItem } from '../rules/rules-model';
import { UnsavedBadge } from '../rules/UnsavedBadge';
import { useRulesDraft } from '../rules/use-rules-draft';
import { BounceRuleEditor } from './BounceRuleEditor';
import {
  bounceRuleToForm,
  checkDocument,
  groupProblems,
  insertRuleAt,
  newBounceRuleForm,
  newRuleIndex,
  ruleFromReply,
  ruleFromReplyIndex,
  sameRules,
  type BounceRuleForm,
  type ReplySource,
} from './bounce-rules-model';
import { bounceRuleRowId, BounceRulesTable } from './BounceRulesTable';
import { ReplyTester } from './ReplyTester';

export function BounceRulesTab({
  fromReply,
}: {
  /** The latest reply of the qualification table to prefill a new rule from (each new object opens it). */
  fromReply: ReplySource | null;
}) {
  const rules = useQuery('bounceRules.get', {});
  if (rules.loading) return <div className="loading">Loading the bounce rules…</div>;
  if (!rules.data) {
    return (
      <ErrorBanner
        error={rules.error}
        title="The bounce rules could not be loaded"
        action={<Button onClick={rules.refetch}>Retry</Button>}
      />
    );
  }
  return <RulesEditor initial={rules.data} fromReply={fromReply} />;
}

/** The rule in the drawer: an existing one (`index`), or a new one that will go at `at`. */
type Editing =
  | { index: number; form: BounceRuleForm }
  | { index: null; form: BounceRuleForm; at: number; placement: string };

/** Why a new rule goes where it goes, as the drawer says it. */
function placementOf(rules: readonly BounceRule[], at: number, beforeDecider: boolean): string {
  const next = rules[at];
  if (beforeDecider && next)
    return `It goes at #${at + 1}, right before rule “${next.id}”, which decides this reply today, so it wins over it and over nothing earlier. Move it with ↑ ↓ after Apply.`;
  return next
    ? `It goes at #${at + 1}, after the specific rules and before the generic fallbacks (status codes, bare “blocked”, “unavailable”…), so it cannot hide a shipped rule. Move it with ↑ ↓ after Apply.`
    : `It goes last, at #${at + 1}. Move it with ↑ ↓ after Apply.`;
}

const documentOf = (state: BounceRulesState): BounceRulesDocument => ({
  rules: state.rules,
  classMapping: state.classMapping,
});

function RulesEditor({ initial, fromReply }: { initial: BounceRulesState; fromReply: ReplySource | null }) {
  const [editing, setEditing] = useState<Editing | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const save = useMutation('bounceRules.save');
  const reset = useMutation('bounceRules.reset');
  const rules = useRulesDraft({
    initial,
    draftOf: documentOf,
    same: sameRules,
    check: checkDocument,
    save,
    reset,
    savedNotice: (state) =>
      `Saved ${state.rules.length} rules. They apply at once to new replies, without a restart.`,
    resetNotice: (state) => `The ${state.rules.length} shipped rules are restored and applied.`,
    onChange: () => setHighlighted(null),
  });
  const { saved, draft, dirty, problems } = rules;
  const change = (list: BounceRule[]) => rules.change({ ...draft, rules: list });
  const grouped = groupProblems(problems);

  // A new "create a rule from this reply" request opens the editor (state adjusted during render, no effect).
  const [seenReply, setSeenReply] = useState<ReplySource | null>(null);
  if (fromReply && fromReply !== seenReply) {
    setSeenReply(fromReply);
    const at = ruleFromReplyIndex(draft.rules, fromReply.ruleId);
    setEditing({
      index: null,
      form: bounceRuleToForm(ruleFromReply(fromReply, draft.rules)),
      at,
      placement: placementOf(draft.rules, at, at < newRuleIndex(draft.rules)),
    });
  }

  const jumpTo = (index: number) => {
    setHighlighted(index);
    document.getElementById(bounceRuleRowId(index))?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };

  const applyEdit = (rule: BounceRule) => {
    if (!editing) return;
    if (editing.index === null) {
      change(insertRuleAt(draft.rules, rule, editing.at));
      // Show where the new rule went (after the draft's re-render).
      const at = editing.at;
      requestAnimationFrame(() => jumpTo(at));
    } else change(draft.rules.map((r, i) => (i === editing.index ? rule : r)));
    rules.setProblems([]);
    setEditing(null);
  };

  const addRule = () => {
    const at = newRuleIndex(draft.rules);
    setEditing({
      index: null,
      form: newBounceRuleForm(draft.rules),
      at,
      placement: placementOf(draft.rules, at, false),
    });
  };

  return (
    <div className="bounce-rules" data-testid="bounce-rules">
      <ReplyTester draft={dirty ? draft.rules : null} onJump={jumpTo} />

      {rules.notice && (
        <Notice tone="blue" testId="bounce-rules-notice">
          {rules.notice}
        </Notice>
      )}
      <ErrorBanner error={rules.callError} title="The bounce rules could not be saved" />
      {problems.length > 0 && (
        <div className="banner banner-red" role="alert" data-testid="bounce-rules-problems">
          <div className="banner-body">
            <div className="banner-title">
              {save.error ? 'The rule checker refused the rules' : 'Fix these problems before saving'}
            </div>
            <div>
              {grouped.byRule.size > 0 &&
                `${grouped.byRule.size} rule${grouped.byRule.size === 1 ? ' has' : 's have'} problems, shown under ${grouped.byRule.size === 1 ? 'it' : 'them'} below.`}
            </div>
            {grouped.general.length > 0 && (
              <ul className="banner-details">
                {grouped.general.map((p, i) => (
                  <li key={i}>{describeDetail(p)}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}

      <Card
        className="card-flush"
        title={
          <span className="title-row">
            Bounce rules
            {dirty && <UnsavedBadge testId="bounce-rules-unsaved" />}
            {!dirty && saved.isDefault && <Badge tone="grey">Shipped defaults</Badge>}
          </span>
        }
        description={
          <>
            Matched in order on the normalised reply; the first matching rule decides. Without a match the
            enhanced status code decides, then the basic code.
            {saved.updatedAt !== null && ` Last saved ${formatDateTime(saved.updatedAt)}.`}
          </>
        }
        actions={
          <div className="row gap-1">
            <Button
              size="sm"
              onClick={addRule}
              testId="bounce-rule-add"
              title="A new rule goes after the specific rules and before the generic fallbacks"
            >
              Add rule
            </Button>
            <Button size="sm" onClick={rules.askReset} testId="bounce-rules-reset">
              Restore defaults
            </Button>
            <Button size="sm" onClick={rules.discard} disabled={!dirty} testId="bounce-rules-discard">
              Discard changes
            </Button>
            <Button
              size="sm"
              variant="primary"
              onClick={() => void rules.save()}
              disabled={!dirty || save.pending}
              testId="bounce-rules-save"
              title="Check and apply the rules at once, without a restart"
            >
              {save.pending ? 'Saving…' : 'Save'}
            </Button>
          </div>
        }
        testId="bounce-rules-card"
      >
        <BounceRulesTable
          rules={draft.rules}
          problems={grouped.byRule}
          highlighted={highlighted}
          actions={{
            onEdit: (index) => {
              const rule = draft.rules[index];
              if (rule) setEditing({ index, form: bounceRuleToForm(rule) });
            },
            onMove: (index, delta) => change(moveItem(draft.rules, index, delta)),
            onDelete: (index) => change(draft.rules.filter((_, i) => i !== index)),
          }}
        />
      </Card>

      {editing && (
        <BounceRuleEditor
          initial={editing.form}
          position={(editing.index ?? editing.at) + 1}
          isNew={editing.index === null}
          {...(editing.index === null ? { placement: editing.placement } : {})}
          serverErrors={editing.index === null ? {} : groupByField(problems, `rules.${editing.index}.`)}
          onApply={applyEdit}
          onClose={() => setEditing(null)}
        />
      )}
      <UnsavedChangesGuard dirty={dirty || editing !== null} what="the bounce rules" />
      {rules.confirmReset && (
        <ConfirmDialog
          title="Restore the shipped bounce rules?"
          confirmLabel="Restore defaults"
          danger
          testId="bounce-reset-dialog"
          {...rules.resetDialog}
        >
          <p>
            Every bounce rule and the class mapping are replaced by the shipped defaults and applied at once
            {dirty ? '; your unsaved changes are lost' : ''}.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
