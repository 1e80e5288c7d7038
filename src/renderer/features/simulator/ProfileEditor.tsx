/**
 * The drawer editing one provider profile: identity and domains, connection and delays, the outcome rates in
 * percent, the four replies, local-part rules and the hidden limits, each limit with its reply. "Apply" changes
 * the page's draft only; the page's Save puts the profiles in force.
 */
import type { ReactNode } from 'react';
import {
  RATED_OUTCOMES,
  SANDBOX_OUTCOME_LABELS,
  SANDBOX_OUTCOMES,
  type SandboxOutcome,
  type SandboxProfile,
} from '../../../shared/contract/simulation';
import { BoundCheckbox, BoundInput, BoundSelect, BoundTextArea } from '../../components/BoundField';
import { Button } from '../../components/Button';
import { fieldDescription, Select, TextInput } from '../../components/Field';
import { RuleEditorDrawer } from '../rules/RuleEditorDrawer';
import { useRuleForm, type RuleForm } from '../rules/use-rule-form';
import {
  formatRatePercent,
  lines,
  profileFromForm,
  profileToForm,
  REPLY_KINDS,
  type FieldErrors,
  type ProfileForm,
} from './profiles-model';

const OUTCOME_HINTS: Record<SandboxOutcome, string> = {
  accept: 'Accepted, nothing comes back',
  unknown_user: 'Refused at RCPT',
  mailbox_full: 'Refused at RCPT',
  greylist: 'Refused at RCPT until the greylist delay has passed',
  spam_reject: 'Refused after the message data',
  async_dsn: 'Accepted, then a bounce (DSN) comes back',
  complaint: 'Accepted, then a complaint (ARF) comes back',
  auto_reply: 'Accepted, then an auto-reply comes back',
};

export function ProfileEditor({
  profile,
  isNew,
  serverErrors,
  onApply,
  onClose,
}: {
  profile: SandboxProfile;
  isNew: boolean;
  serverErrors: FieldErrors;
  onApply(profile: SandboxProfile): void;
  onClose(): void;
}) {
  const bind = useRuleForm(() => profileToForm(profile), profileFromForm, serverErrors, onApply);
  const { form, err, set } = bind;
  const refused = form.connection === 'refuse';
  const rateTotal = RATED_OUTCOMES.reduce((sum, o) => {
    const n = Number(form[`rate_${o}`].trim().replace(/%$/, '') || '0');
    return Number.isFinite(n) ? sum + n / 100 : sum;
  }, 0);

  return (
    <RuleEditorDrawer
      title={isNew ? 'New provider profile' : `Profile “${profile.name}”`}
      testId="profile-drawer"
      applyTestId="profile-apply"
      note="Apply changes the profiles shown; Save on the page puts them in force for the sandbox and the next simulations."
      onSubmit={bind.submit}
      onClose={onClose}
      wide
    >
      {Object.keys(bind.errors).length > 0 && (
        <div className="field-error" role="alert" data-testid="profile-form-problems">
          Some fields need attention: see the messages under them.
        </div>
      )}
      <Section title="Profile">
        <div className="grid-2">
          <BoundInput bind={bind} name="name" id="profile-name" label="Name" data-testid="profile-name" />
          <BoundInput
            bind={bind}
            name="id"
            id="profile-id"
            label="Identifier"
            hint="Lowercase letters, digits and dashes; names the profile in exports"
            className="mono"
          />
        </div>
        <BoundTextArea bind={bind} name="description" id="profile-description" label="Description" rows={2} />
        <BoundTextArea
          bind={bind}
          name="domains"
          id="profile-domains"
          label="Domains"
          hint="One per line: a name (gmail.test) or a mask (*.gmail.test). A domain belongs to one profile."
          rows={Math.min(8, Math.max(3, form.domains.split('\n').length))}
          className="mono"
          data-testid="profile-domains"
        />
        <BoundTextArea
          bind={bind}
          name="mxHosts"
          id="profile-mx-hosts"
          label="MX hosts"
          hint={`One per line, most preferred first; the MX rules match them as in production (*.google.com). Empty: mx.${lines(form.domains)[0] ?? 'example.test'}`}
          rows={Math.min(5, Math.max(2, form.mxHosts.split('\n').length))}
          className="mono"
        />
      </Section>

      <Section title="Connection">
        <div className="grid-2">
          <BoundSelect bind={bind} name="connection" id="profile-connection" label="Connections">
            <option value="accept">Accepted</option>
            <option value="refuse">Refused (nothing listens: a dead domain)</option>
          </BoundSelect>
          <BoundSelect bind={bind} name="tls" id="profile-tls" label="TLS" disabled={refused}>
            <option value="offered">Offered (STARTTLS advertised)</option>
            <option value="required">Required (MAIL without TLS refused)</option>
          </BoundSelect>
        </div>
        <div className="grid-2">
          <BoundInput
            bind={bind}
            name="greetingDelay"
            path="greetingDelayMs"
            id="profile-greeting-delay"
            label="Greeting delay"
            hint="Before the 220 greeting (a tarpit); e.g. 20s, 0 for none"
            disabled={refused}
          />
          <BoundInput
            bind={bind}
            name="replyDelay"
            path="replyDelayMs"
            id="profile-reply-delay"
            label="Reply delay"
            hint="Before every other reply; e.g. 5s, 0 for none"
            disabled={refused}
          />
        </div>
        <div className="grid-2">
          <BoundInput
            bind={bind}
            name="disconnect"
            path="disconnectRate"
            id="profile-disconnect"
            label="Dropped connections (%)"
            hint="Transactions closed after the data without a reply: deferred, then retried"
            disabled={refused}
          />
        </div>
      </Section>

      <Section
        title="Outcomes"
        description={`Share of the recipients meeting each outcome, drawn per address from the seed. Accepted: ${formatRatePercent(Math.max(0, 1 - rateTotal))}.`}
      >
        {err('rates').length > 0 && (
          <div className="field-error" role="alert" data-testid="error-profile-rates">
            {err('rates').join('; ')}
          </div>
        )}
        <div className="profile-rates">
          {RATED_OUTCOMES.map((o) => (
            <BoundInput
              key={o}
              bind={bind}
              name={`rate_${o}`}
              path={`rates.${o}`}
              id={`profile-rate-${o}`}
              label={`${SANDBOX_OUTCOME_LABELS[o]} (%)`}
              hint={OUTCOME_HINTS[o]}
              inputMode="decimal"
              disabled={refused}
              data-testid={`profile-rate-${o}`}
            />
          ))}
        </div>
        <div className="grid-2">
          <BoundInput
            bind={bind}
            name="greylistDelay"
            path="greylistDelayMs"
            id="profile-greylist-delay"
            label="Greylist delay"
            hint="How long a greylisted recipient must wait before its retry is accepted"
            disabled={refused}
          />
          <BoundInput
            bind={bind}
            name="asyncDelay"
            path="asyncDelayMs"
            id="profile-async-delay"
            label="Asynchronous delay"
            hint="After acceptance, when a DSN, complaint or auto-reply comes back"
            disabled={refused}
          />
        </div>
      </Section>

      <Section
        title="Replies"
        description="What the receiver answers for each refusal. <addr>, <host> and <ip> are filled in; the text may start with an enhanced status code (5.1.1)."
      >
        {REPLY_KINDS.map((k) => (
          <ReplyFields
            key={k}
            bind={bind}
            label={SANDBOX_OUTCOME_LABELS[k]}
            codeName={`reply_${k}_code`}
            textName={`reply_${k}_text`}
            path={`replies.${k}`}
            id={`profile-reply-${k}`}
            disabled={refused}
          />
        ))}
      </Section>

      <Section
        title="Local-part rules"
        description="Recipients whose local part matches a pattern (a regular expression, case-insensitive) meet its outcome whatever the rates; the first match wins."
      >
        <LocalPartRules form={form} set={set} err={err} disabled={refused} />
      </Section>

      <Section
        title="Hidden limits"
        description="Limits the receiver enforces without publishing them, per sending address. Each answers with its own reply."
      >
        <LimitBox bind={bind} on="maxConnOn" title="Concurrent connections" disabled={refused}>
          <div className="grid-2">
            <BoundInput
              bind={bind}
              name="maxConn"
              path="limits.maxConnections.max"
              id="profile-max-conn"
              label="Max connections"
              hint="The next one is refused at the greeting"
              inputMode="numeric"
            />
          </div>
          <ReplyFields
            bind={bind}
            label="Reply"
            codeName="maxConnCode"
            textName="maxConnText"
            path="limits.maxConnections.reply"
            id="profile-max-conn-reply"
          />
        </LimitBox>
        <LimitBox bind={bind} on="perConnOn" title="Messages per connection" disabled={refused}>
          <div className="grid-2">
            <BoundInput
              bind={bind}
              name="perConn"
              path="limits.messagesPerConnection.max"
              id="profile-per-conn"
              label="Max messages per connection"
              hint="The next MAIL is refused (a 421 closes the session)"
              inputMode="numeric"
            />
          </div>
          <ReplyFields
            bind={bind}
            label="Reply"
            codeName="perConnCode"
            textName="perConnText"
            path="limits.messagesPerConnection.reply"
            id="profile-per-conn-reply"
          />
        </LimitBox>
        <LimitBox bind={bind} on="rpsOn" title="Recipients per second" disabled={refused}>
          <div className="grid-2">
            <BoundInput
              bind={bind}
              name="rps"
              path="limits.recipientsPerSecond.rate"
              id="profile-rps"
              label="Recipients per second"
              inputMode="decimal"
            />
            <BoundSelect
              bind={bind}
              name="rpsAt"
              path="limits.recipientsPerSecond.at"
              id="profile-rps-at"
              label="Checked at"
            >
              <option value="rcpt">RCPT (each recipient)</option>
              <option value="mail">MAIL (each message)</option>
            </BoundSelect>
          </div>
          <ReplyFields
            bind={bind}
            label="Reply"
            codeName="rpsCode"
            textName="rpsText"
            path="limits.recipientsPerSecond.reply"
            id="profile-rps-reply"
          />
        </LimitBox>
        <LimitBox bind={bind} on="pbOn" title="Penalty box" disabled={refused}>
          <div className="grid-3">
            <BoundInput
              bind={bind}
              name="pbViolations"
              path="limits.penaltyBox.violations"
              id="profile-pb-violations"
              label="After refusals"
              hint="Limit refusals that put the sender in the box"
              inputMode="numeric"
            />
            <BoundInput
              bind={bind}
              name="pbWindow"
              path="limits.penaltyBox.windowMs"
              id="profile-pb-window"
              label="Within"
              hint="e.g. 1m"
            />
            <BoundInput
              bind={bind}
              name="pbDuration"
              path="limits.penaltyBox.durationMs"
              id="profile-pb-duration"
              label="Box duration"
              hint="Extended while the sender keeps knocking"
            />
          </div>
          <ReplyFields
            bind={bind}
            label="Greeting reply"
            codeName="pbGreetingCode"
            textName="pbGreetingText"
            path="limits.penaltyBox.greeting"
            id="profile-pb-greeting"
          />
          <ReplyFields
            bind={bind}
            label="Command reply"
            codeName="pbCommandCode"
            textName="pbCommandText"
            path="limits.penaltyBox.command"
            id="profile-pb-command"
          />
        </LimitBox>
      </Section>
    </RuleEditorDrawer>
  );
}

function Section({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <fieldset className="profile-section">
      <legend className="profile-section-title">{title}</legend>
      {description && <p className="muted small profile-section-description">{description}</p>}
      {children}
    </fieldset>
  );
}

type TextName = {
  [K in keyof ProfileForm]: ProfileForm[K] extends string ? K : never;
}[keyof ProfileForm] &
  string;

/** A reply: its code and text side by side. */
function ReplyFields({
  bind,
  label,
  codeName,
  textName,
  path,
  id,
  disabled,
}: {
  bind: RuleForm<ProfileForm>;
  label: string;
  codeName: TextName;
  textName: TextName;
  path: string;
  id: string;
  disabled?: boolean;
}) {
  const whole = bind.err(path);
  return (
    <div className="profile-reply-group" role="group" aria-label={label}>
      <div className="profile-reply-title">{label}</div>
      <div className="profile-reply">
        <BoundInput
          bind={bind}
          name={codeName}
          path={`${path}.code`}
          errors={[...bind.err(`${path}.code`), ...whole]}
          id={`${id}-code`}
          label="Code"
          aria-label={`${label}: code`}
          inputMode="numeric"
          className="mono"
          disabled={disabled}
        />
        <BoundInput
          bind={bind}
          name={textName}
          path={`${path}.text`}
          id={`${id}-text`}
          label="Text"
          aria-label={`${label}: text`}
          className="mono"
          disabled={disabled}
        />
      </div>
    </div>
  );
}

type FlagName = 'maxConnOn' | 'perConnOn' | 'rpsOn' | 'pbOn';

function LimitBox({
  bind,
  on,
  title,
  disabled,
  children,
}: {
  bind: RuleForm<ProfileForm>;
  on: FlagName;
  title: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  const active = bind.form[on];
  return (
    <div className={active ? 'profile-limit is-on' : 'profile-limit'}>
      <BoundCheckbox
        bind={bind}
        name={on}
        label={title}
        disabled={disabled}
        data-testid={`profile-limit-${on}`}
      />
      {active && !disabled && <div className="profile-limit-body">{children}</div>}
    </div>
  );
}

function LocalPartRules({
  form,
  set,
  err,
  disabled,
}: {
  form: ProfileForm;
  set: RuleForm<ProfileForm>['set'];
  err(path: string): string[];
  disabled: boolean;
}) {
  const update = (i: number, patch: Partial<ProfileForm['rules'][number]>) =>
    set(
      'rules',
      form.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  return (
    <div className="profile-rules">
      {form.rules.length === 0 ? (
        <p className="muted small">No rule: only the rates decide.</p>
      ) : (
        <table className="table-compact table-full profile-rules-table">
          <thead>
            <tr>
              <th scope="col">Local part matches</th>
              <th scope="col">Outcome</th>
              <th scope="col" className="end">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {form.rules.map((rule, i) => {
              const problems = [
                ...err(`rules.${i}.pattern`),
                ...err(`rules.${i}.outcome`),
                ...err(`rules.${i}`),
              ];
              const id = `profile-rule-${i}`;
              return (
                <tr key={i}>
                  <td>
                    <TextInput
                      id={id}
                      className="mono"
                      aria-label={`Pattern of local-part rule ${i + 1}`}
                      value={rule.pattern}
                      invalid={problems.length > 0}
                      aria-describedby={fieldDescription(id, undefined, problems)}
                      disabled={disabled}
                      onChange={(e) => update(i, { pattern: e.target.value })}
                    />
                    {problems.map((m, k) => (
                      <div key={k} className="field-error" id={`${id}-error-${k}`} role="alert">
                        {m}
                      </div>
                    ))}
                  </td>
                  <td>
                    <Select
                      aria-label={`Outcome of local-part rule ${i + 1}`}
                      value={rule.outcome}
                      disabled={disabled}
                      onChange={(e) => update(i, { outcome: e.target.value as SandboxOutcome })}
                    >
                      {SANDBOX_OUTCOMES.map((o) => (
                        <option key={o} value={o}>
                          {SANDBOX_OUTCOME_LABELS[o]}
                        </option>
                      ))}
                    </Select>
                  </td>
                  <td className="end">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove local-part rule ${i + 1}`}
                      title="Remove"
                      disabled={disabled}
                      onClick={() =>
                        set(
                          'rules',
                          form.rules.filter((_, j) => j !== i),
                        )
                      }
                    >
                      ✕
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div>
        <Button
          size="sm"
          disabled={disabled || form.rules.length >= 100}
          onClick={() => set('rules', [...form.rules, { pattern: '^test', outcome: 'unknown_user' }])}
          testId="profile-rule-add"
        >
          Add rule
        </Button>
      </div>
    </div>
  );
}
