/**
 * "MX rules": the ordered MX rules, the automation rules and the adaptive settings as one editable draft.
 * Edits stay in the draft (with an unsaved-changes indicator) until Save, which applies them at once in the
 * engine, without a restart. The shared zod schema checks the draft on the client; the server has the last
 * word and its problems come back with the same paths (`mxRules.3.match.mask`).
 */
import { useState, type ChangeEvent } from 'react';
import type { ErrorDetail } from '../../../shared/contract/errors';
import type { AutomationRule, MxRule, RulesDocument } from '../../../shared/contract/mta';
import { checkRulesJson, describeRules, formatRulesJson } from '../../../shared/contract/rules-json';
import { useMutation, useQuery } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { AdaptiveSettingsForm } from './AdaptiveSettingsForm';
import { AutomationRuleEditor } from './AutomationRuleEditor';
import { MxRuleEditor } from './MxRuleEditor';
import { ProblemList } from './ProblemList';
import { AutomationRulesTable, MxRulesTable } from './RulesTables';
import { DocumentToolbar } from '../../components/DocumentToolbar';
import { UnsavedBadge } from './UnsavedBadge';
import {
  buildDocument,
  draftOf,
  exportFileName,
  groupByField,
  insertMxRule,
  moveItem,
  moveMxRule,
  newAutomationRule,
  newMxRule,
  removeMxRule,
  rowsWithProblems,
  sameDraft,
} from './rules-model';
import { useRulesDraft } from './use-rules-draft';
import './rules.css';

export function RulesPage() {
  const rules = useQuery('rules.get', {});
  if (rules.loading) {
    return (
      <div className="page">
        <div className="loading">Loading rules…</div>
      </div>
    );
  }
  if (!rules.data) {
    return (
      <div className="page">
        <ErrorBanner
          error={rules.error}
          title="The rules could not be loaded"
          action={<Button onClick={rules.refetch}>Retry</Button>}
        />
      </div>
    );
  }
  return <RulesEditor initial={rules.data} />;
}

type Editing =
  | { list: 'mxRules'; index: number | null; rule: MxRule }
  | { list: 'automationRules'; index: number | null; rule: AutomationRule };

function RulesEditor({ initial }: { initial: RulesDocument }) {
  const [importProblems, setImportProblems] = useState<{ file: string; problems: ErrorDetail[] } | null>(
    null,
  );
  const [editing, setEditing] = useState<Editing | null>(null);
  const save = useMutation('rules.save');
  const reset = useMutation('rules.reset');
  const rules = useRulesDraft({
    initial,
    draftOf,
    same: sameDraft,
    check: buildDocument,
    save,
    reset,
    savedNotice: (doc) => `Saved ${describeRules(doc)}. Applied at once, no restart needed.`,
    resetNotice: (doc) => `Default rules restored (${describeRules(doc)}) and applied.`,
    onReplaced: () => setImportProblems(null),
  });
  const { draft, dirty, problems, change } = rules;

  const onExport = () => {
    const doc = rules.checked();
    if (doc === null) return;
    const url = URL.createObjectURL(new Blob([formatRulesJson(doc)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(new Date());
    link.click();
    URL.revokeObjectURL(url);
  };

  const onImport = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const checked = checkRulesJson(await file.text());
    if (!checked.ok) {
      setImportProblems({ file: file.name, problems: checked.problems });
      return;
    }
    setImportProblems(null);
    rules.setProblems([]);
    change(draftOf(checked.doc));
    rules.setNotice(
      `Loaded ${describeRules(checked.doc)} from ${file.name}. Review them, then Save to apply.`,
    );
  };

  const applyEdit = (rule: MxRule | AutomationRule) => {
    if (!editing) return;
    if (editing.list === 'mxRules') {
      const mx = rule as MxRule;
      const mxRules =
        editing.index === null
          ? insertMxRule(draft.mxRules, mx)
          : draft.mxRules.map((r, i) => (i === editing.index ? mx : r));
      change({ ...draft, mxRules });
    } else {
      const auto = rule as AutomationRule;
      const automationRules =
        editing.index === null
          ? [...draft.automationRules, auto]
          : draft.automationRules.map((r, i) => (i === editing.index ? auto : r));
      change({ ...draft, automationRules });
    }
    setEditing(null);
  };

  const serverErrorsOf = (list: Editing['list'], index: number | null) =>
    index === null ? {} : groupByField(problems, `${list}.${index}.`);

  return (
    <div className="page" data-testid="rules-page">
      <header className="page-header">
        <div className="min-w-0">
          <div className="title-row">
            <h1 className="page-title">MX rules</h1>
            {dirty && <UnsavedBadge testId="unsaved-indicator" />}
          </div>
          <p className="page-subtitle">
            Limits per destination (first matching rule wins) and automatic reactions to replies. Saving
            applies them at once in the running engine, without a restart.
          </p>
        </div>
        <DocumentToolbar
          prefix="rules"
          what="the rules"
          resetLabel="Restore defaults"
          dirty={dirty}
          saving={save.pending}
          onImport={(e) => void onImport(e)}
          onExport={onExport}
          onReset={rules.askReset}
          onDiscard={rules.discard}
          onSave={() => void rules.save()}
        />
      </header>

      {rules.notice && (
        <Notice tone="blue" testId="rules-notice">
          {rules.notice}
        </Notice>
      )}
      <ErrorBanner error={rules.callError} title="The rules could not be saved" />
      {problems.length > 0 && (
        <ProblemList
          title={save.error ? 'The server refused the rules' : 'Fix these problems before saving'}
          problems={problems}
          draft={draft}
          testId="rules-problems"
        />
      )}
      {importProblems && (
        <ProblemList
          title={`${importProblems.file} is not a valid rules document; nothing was loaded`}
          problems={importProblems.problems}
          testId="import-problems"
          onDismiss={() => setImportProblems(null)}
        />
      )}

      <Card
        className="card-flush"
        title="MX rules"
        description="Matched in order against the destination's MX hosts (or the recipient domain); the generic * rule catches the rest."
        actions={
          <Button
            size="sm"
            onClick={() => setEditing({ list: 'mxRules', index: null, rule: newMxRule(draft.mxRules) })}
            testId="mx-add"
          >
            Add rule
          </Button>
        }
        testId="mx-rules"
      >
        <MxRulesTable
          rules={draft.mxRules}
          problemRows={rowsWithProblems(problems, 'mxRules')}
          actions={{
            onEdit: (index) => {
              const rule = draft.mxRules[index];
              if (rule) setEditing({ list: 'mxRules', index, rule });
            },
            onMove: (index, delta) => change({ ...draft, mxRules: moveMxRule(draft.mxRules, index, delta) }),
            onDelete: (index) => change({ ...draft, mxRules: removeMxRule(draft.mxRules, index) }),
          }}
        />
      </Card>

      <Card
        className="card-flush"
        title="Automation rules"
        description="React to a destination's replies: suspend it, throttle it or bounce its queue."
        actions={
          <Button
            size="sm"
            onClick={() =>
              setEditing({
                list: 'automationRules',
                index: null,
                rule: newAutomationRule(draft.automationRules),
              })
            }
            testId="auto-add"
          >
            Add rule
          </Button>
        }
        testId="automation-rules"
      >
        {draft.automationRules.length === 0 ? (
          <p className="muted small rules-empty">
            No automation rule: only the adaptive behaviour below reacts to rate-limit replies.
          </p>
        ) : (
          <AutomationRulesTable
            rules={draft.automationRules}
            problemRows={rowsWithProblems(problems, 'automationRules')}
            actions={{
              onEdit: (index) => {
                const rule = draft.automationRules[index];
                if (rule) setEditing({ list: 'automationRules', index, rule });
              },
              onMove: (index, delta) =>
                change({ ...draft, automationRules: moveItem(draft.automationRules, index, delta) }),
              onDelete: (index) =>
                change({ ...draft, automationRules: draft.automationRules.filter((_, i) => i !== index) }),
            }}
          />
        )}
      </Card>

      <AdaptiveSettingsForm
        value={draft.adaptive}
        serverErrors={groupByField(problems, 'adaptive.')}
        onChange={(adaptive) => change({ ...draft, adaptive })}
      />

      {editing?.list === 'mxRules' && (
        <MxRuleEditor
          rule={editing.rule}
          isNew={editing.index === null}
          position={(editing.index ?? insertMxRule(draft.mxRules, editing.rule).indexOf(editing.rule)) + 1}
          serverErrors={serverErrorsOf('mxRules', editing.index)}
          onApply={applyEdit}
          onClose={() => setEditing(null)}
        />
      )}
      {editing?.list === 'automationRules' && (
        <AutomationRuleEditor
          rule={editing.rule}
          isNew={editing.index === null}
          serverErrors={serverErrorsOf('automationRules', editing.index)}
          onApply={applyEdit}
          onClose={() => setEditing(null)}
        />
      )}
      <UnsavedChangesGuard dirty={dirty || editing !== null} what="the MX rules" />
      {rules.confirmReset && (
        <ConfirmDialog
          title="Restore the default rules?"
          confirmLabel="Restore defaults"
          danger
          testId="reset-dialog"
          {...rules.resetDialog}
        >
          <p>
            Every MX rule, automation rule and adaptive setting is replaced by the shipped defaults and
            applied at once{dirty ? '; your unsaved changes are lost' : ''}. Export the current rules first to
            keep a copy.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
