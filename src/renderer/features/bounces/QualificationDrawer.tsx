import { useState, type FormEvent } from 'react';
import { QUALIFICATION_STATUSES, type QualificationRow } from '../../../shared/contract/bounce';
import {
  BOUNCE_CLASS_IDS,
  FAILURE_TYPE_LABELS,
  FAILURE_TYPES,
  REASON_IDS,
  REASONS,
  type BounceClass,
  type FailureType,
  type ReasonId,
} from '../../../shared/domain/reasons';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, Select } from '../../components/Field';
import { formatCount, formatTimestamp } from '../../components/format';
import { Prop } from '../../components/Prop';
import { bounceClassLabel, type ReplySource } from './bounce-rules-model';
import {
  formatCodes,
  QUALIFICATION_SOURCE_HINTS,
  QUALIFICATION_STATUS_LABELS,
  replySourceOf,
  requalifyFormOf,
  requalifyInput,
  type RequalifyForm,
} from './qualification-model';

/** One normalised reply: its raw text, how the rules qualified it, and the analyst's requalification. */
export function QualificationDrawer({
  row,
  onClose,
  onSaved,
  onCreateRule,
}: {
  row: QualificationRow;
  onClose(): void;
  onSaved(row: QualificationRow): void;
  onCreateRule(source: ReplySource): void;
}) {
  const [form, setForm] = useState<RequalifyForm>(() => requalifyFormOf(row));
  const update = useMutation('qualification.update');
  const set = <K extends keyof RequalifyForm>(key: K, value: RequalifyForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = await update.mutate(requalifyInput(row, form));
    if (result.ok) onSaved(result.value);
  };

  return (
    <Drawer title="Normalised reply" onClose={onClose} testId="qualification-drawer">
      <div className="reply-block mono" data-testid="qualification-key">
        {row.key}
      </div>
      <dl className="props qualification-props">
        <Prop label="Occurrences">{formatCount(row.occurrences)}</Prop>
        <Prop label="Code">{formatCodes(row)}</Prop>
        <Prop label="First seen">{formatTimestamp(row.firstSeenAt)}</Prop>
        <Prop label="Last seen">{formatTimestamp(row.lastSeenAt)}</Prop>
        <Prop label="Source">{QUALIFICATION_SOURCE_HINTS[row.source]}</Prop>
        <Prop label="Decided by">{row.manual ? 'Requalified by hand' : <code>{row.ruleId}</code>}</Prop>
        {!row.manual && (
          <Prop label="Why" wide>
            {row.why ? <span data-testid="qualification-why">{row.why}</span> : null}
          </Prop>
        )}
      </dl>
      <details className="raw-details" open>
        <summary>First raw reply</summary>
        <pre className="raw-text" data-testid="qualification-raw">
          {row.firstRaw}
        </pre>
      </details>

      <form className="rule-form requalify-form" onSubmit={(e) => void submit(e)} noValidate>
        <h3 className="section-title">Qualification</h3>
        <div className="grid-2">
          <Field label="Status" htmlFor="requalify-status">
            <Select
              id="requalify-status"
              value={form.status}
              onChange={(e) => set('status', e.target.value as RequalifyForm['status'])}
              data-testid="requalify-status"
            >
              {QUALIFICATION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {QUALIFICATION_STATUS_LABELS[s]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Bounce class" htmlFor="requalify-class">
            <Select
              id="requalify-class"
              value={String(form.bounceClass)}
              onChange={(e) => set('bounceClass', Number(e.target.value) as BounceClass)}
              data-testid="requalify-class"
            >
              {BOUNCE_CLASS_IDS.map((c) => (
                <option key={c} value={c}>
                  {bounceClassLabel(c)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Reason" htmlFor="requalify-reason">
            <Select
              id="requalify-reason"
              value={form.reason}
              onChange={(e) => set('reason', e.target.value as ReasonId)}
              data-testid="requalify-reason"
            >
              {REASON_IDS.map((r) => (
                <option key={r} value={r}>
                  {REASONS[r].label}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Type" htmlFor="requalify-type">
            <Select
              id="requalify-type"
              value={form.type}
              onChange={(e) => set('type', e.target.value as FailureType)}
              data-testid="requalify-type"
            >
              {FAILURE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {FAILURE_TYPE_LABELS[t]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <p className="muted small">
          A changed reason, type or class applies at once to every future reply that normalises to this text,
          before the rule table. To cover similar replies too, create a rule instead.
        </p>
        <ErrorBanner error={update.error} title="The reply could not be requalified" />
        <div className="rule-form-actions">
          <Button
            onClick={() => onCreateRule(replySourceOf(row, form))}
            testId="create-rule-from-reply"
            title="Open the rules with a new rule prefilled from this reply"
          >
            Create a rule from this reply
          </Button>
          <Button type="submit" variant="primary" disabled={update.pending} testId="requalify-save">
            {update.pending ? 'Saving…' : 'Save'}
          </Button>
        </div>
      </form>
    </Drawer>
  );
}
