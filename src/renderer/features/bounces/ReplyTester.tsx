import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { BounceTestResult, BounceTestVerdict } from '../../../shared/contract/bounce';
import {
  BOUNCE_RULE_COMMANDS,
  type BounceRule,
  type BounceRuleCommand,
} from '../../../shared/domain/bounce-rules';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Field, Select, TextArea, TextInput } from '../../components/Field';
import { bounceClassLabel } from './bounce-rules-model';
import { foldedIndexOf, formatCodes } from './qualification-model';

const DECIDED_BY: Record<BounceTestResult['decidedBy'], string> = {
  rule: 'a rule of the table',
  override: 'an analyst’s requalification of this exact reply',
  fallback: 'the enhanced / basic status code (no rule matched)',
};

/**
 * Paste a reply, see how the rules qualify it and which rule decided (click to jump to it). While the table has
 * unsaved changes, the draft is tested (a rule just added or edited, before Save), and the verdict of the rules
 * in force is shown next to it when it differs; a tested reply is tested again when the draft changes.
 */
export function ReplyTester({
  draft,
  onJump,
}: {
  /** The unsaved rule table, or null when the table shown is the one in force. */
  draft: readonly BounceRule[] | null;
  onJump(index: number): void;
}) {
  const [reply, setReply] = useState('');
  const [mxHost, setMxHost] = useState('');
  const [command, setCommand] = useState<'' | BounceRuleCommand>('');
  const test = useMutation('bounceRules.test');
  const [result, setResult] = useState<BounceTestResult | null>(null);
  const tested = useRef<{ reply: string; mxHost?: string; command?: BounceRuleCommand } | null>(null);

  const run = async (input: { reply: string; mxHost?: string; command?: BounceRuleCommand }) => {
    tested.current = input;
    const r = await test.mutate({ ...input, ...(draft ? { rules: [...draft] } : {}) });
    setResult(r.ok ? r.value : null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reply.trim() === '') return;
    await run({
      reply,
      ...(mxHost.trim() ? { mxHost: mxHost.trim().toLowerCase() } : {}),
      ...(command ? { command } : {}),
    });
  };

  // The draft changed (a rule applied, moved, removed, saved or discarded): test the same reply again.
  const rerun = useRef(run);
  useEffect(() => {
    rerun.current = run;
  });
  useEffect(() => {
    if (tested.current) void rerun.current(tested.current);
  }, [draft]);

  return (
    <Card
      title="Reply tester"
      description="Paste an SMTP reply or a DSN diagnostic, possibly on several lines, to see how the rules qualify it and which rule decides."
      testId="reply-tester"
    >
      <form className="rule-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Reply" htmlFor="tester-reply">
          <TextArea
            id="tester-reply"
            className="mono"
            rows={4}
            placeholder="550-5.1.1 The email account that you tried to reach does not exist."
            value={reply}
            onChange={(e) => setReply(e.target.value)}
            data-testid="tester-reply"
          />
        </Field>
        <div className="tester-options">
          <Field label="MX host (optional)" htmlFor="tester-mx">
            <TextInput
              id="tester-mx"
              className="mono"
              placeholder="gmail-smtp-in.l.google.com"
              value={mxHost}
              onChange={(e) => setMxHost(e.target.value)}
              data-testid="tester-mx"
            />
          </Field>
          <Field label="After command" htmlFor="tester-command">
            <Select
              id="tester-command"
              value={command}
              onChange={(e) => setCommand(e.target.value as '' | BounceRuleCommand)}
            >
              <option value="">Not given</option>
              {BOUNCE_RULE_COMMANDS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </Select>
          </Field>
          <Button
            type="submit"
            variant="primary"
            disabled={test.pending || reply.trim() === ''}
            testId="tester-run"
          >
            {test.pending ? 'Testing…' : 'Test'}
          </Button>
        </div>
      </form>
      {draft && (
        <Notice tone="blue" testId="tester-dirty">
          The tester uses your unsaved rules, as shown below; where the rules in force decide differently,
          both are shown.
        </Notice>
      )}
      <ErrorBanner error={test.error} title="The reply could not be tested" />
      {result && <TestResult result={result} onJump={onJump} />}
    </Card>
  );
}

/**
 * The text with the words the rule matched marked. The rule matched the accent-folded text, so the part is
 * looked up the same way (case and Latin accents ignored); when it cannot be found, the text is shown as is.
 */
function Highlighted({ text, part }: { text: string; part: string | null }) {
  const at = part ? foldedIndexOf(text, part) : null;
  if (!at) return <>{text}</>;
  return (
    <>
      {text.slice(0, at.start)}
      <mark data-testid="tester-matched">{text.slice(at.start, at.end)}</mark>
      {text.slice(at.end)}
    </>
  );
}

/** "#12 gmail-user-unknown · 10 Invalid recipient → User unknown · Hard" (or the fallback's id). */
function verdictLine(v: BounceTestVerdict): string {
  const c = v.classification;
  const who = v.rule && v.ruleIndex !== null ? `#${v.ruleIndex + 1} ${v.rule.id}` : c.ruleId;
  return `${who} · ${bounceClassLabel(c.bounceClass)} → ${REASONS[c.reason].label} · ${FAILURE_TYPE_LABELS[c.type]}`;
}

const sameVerdict = (a: BounceTestVerdict, b: BounceTestVerdict): boolean =>
  JSON.stringify(a.classification) === JSON.stringify(b.classification) && a.ruleIndex === b.ruleIndex;

function TestResult({ result, onJump }: { result: BounceTestResult; onJump(index: number): void }) {
  const c = result.classification;
  const index = result.ruleIndex;
  const inForce = result.inForce;
  return (
    <div className="tester-result" data-testid="tester-result">
      <dl className="props">
        <div className="prop prop-wide">
          <dt>Normalised</dt>
          <dd className="mono" data-testid="tester-normalised">
            {result.normalised ? (
              <Highlighted text={result.normalised} part={result.matched} />
            ) : (
              <span className="muted">(empty)</span>
            )}
          </dd>
        </div>
        <div className="prop">
          <dt>Code</dt>
          <dd className="mono">{formatCodes(result)}</dd>
        </div>
        <div className="prop">
          <dt>{inForce ? 'Decided by (unsaved rules)' : 'Decided by'}</dt>
          <dd data-testid="tester-rule">
            {result.rule && index !== null ? (
              <button
                type="button"
                className="rule-id-button mono"
                onClick={() => onJump(index)}
                title="Show this rule in the table"
                data-testid="tester-rule-link"
              >
                #{index + 1} {result.rule.id}
              </button>
            ) : (
              <code>{c.ruleId}</code>
            )}
            <span className="muted small"> · {DECIDED_BY[result.decidedBy]}</span>
          </dd>
        </div>
        <div className="prop">
          <dt>Bounce class</dt>
          <dd data-testid="tester-class">{bounceClassLabel(c.bounceClass)}</dd>
        </div>
        <div className="prop">
          <dt>Reason · type</dt>
          <dd className="strong" data-testid="tester-reason">
            {REASONS[c.reason].label} · {FAILURE_TYPE_LABELS[c.type]}
          </dd>
        </div>
        <div className="prop prop-wide">
          <dt>Why</dt>
          <dd data-testid="tester-why">{result.why}</dd>
        </div>
        {inForce && (
          <div className="prop prop-wide">
            <dt>Rules in force</dt>
            <dd data-testid="tester-in-force">
              {sameVerdict(result, inForce) ? (
                <span className="muted">
                  Decide the same (not saved yet: Save puts your changes in force).
                </span>
              ) : (
                <>
                  <span className="strong">Decide differently: </span>
                  <span className="mono">{verdictLine(inForce)}</span>
                  <span className="muted small"> · until you save</span>
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
