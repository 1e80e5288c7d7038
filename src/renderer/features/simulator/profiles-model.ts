/**
 * The provider profiles editor's model, free of React: profile <-> form conversions checked with the shared
 * schemas, the one-line descriptions of the profiles table, problems in plain language (worded by the shared
 * error customisation with the field's unit: "must be at most 100 %", "must be at most 10m"), and the JSON
 * file import/export.
 */
import type { z } from 'zod';
import type { ErrorDetail } from '../../../shared/contract/errors';
import { issueDetails } from '../../../shared/contract/issues';
import { plainParse } from '../../../shared/contract/plain-errors';
import {
  HiddenLimits,
  RATED_OUTCOMES,
  SANDBOX_OUTCOME_LABELS,
  SandboxProfile,
  SandboxProfilesDocument,
  type LocalPartRule,
  type ProfileReplies,
  type SandboxOutcome,
  type SandboxProfilesState,
  type SandboxReply,
} from '../../../shared/contract/simulation';
import { formatDuration, parseDuration } from '../../../shared/domain/duration';

export type RatedOutcome = (typeof RATED_OUTCOMES)[number];
export type ReplyKind = keyof ProfileReplies;
export const REPLY_KINDS: readonly ReplyKind[] = ['unknown_user', 'mailbox_full', 'greylist', 'spam_reject'];

/** Problems of a form, keyed by the schema path of the field inside the profile (`rates.greylist`). */
export type FieldErrors = Record<string, string[]>;
export type Converted<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

// ---------------------------------------------------------------- wording

const percentNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A 0..1 rate as the editor shows it: `2 %`, `0.5 %`. */
export const formatRatePercent = (ratio: number): string => `${percentNumber.format(ratio * 100)}\u00a0%`;

/** A delay as the form shows it: `0` (none), `200ms`, `5m`, `1h 30m`. */
export const formatDelay = (ms: number): string => (ms === 0 ? '0' : formatDuration(ms));

/** The non-zero rates, largest first: "Unknown user 3 %, Complaint 0.2 %" ("accepts everyone" when none). */
export function describeRates(rates: Record<RatedOutcome, number>): string {
  const set = RATED_OUTCOMES.filter((o) => rates[o] > 0).sort((a, b) => rates[b] - rates[a]);
  if (set.length === 0) return 'Accepts everyone';
  return set.map((o) => `${SANDBOX_OUTCOME_LABELS[o]} ${formatRatePercent(rates[o])}`).join(', ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The hidden limits in one line: "3 connections · 20 messages/connection · 20 recipients/s at RCPT · …". */
export function describeLimits(limits: HiddenLimits): string {
  const parts: string[] = [];
  if (limits.maxConnections) parts.push(plural(limits.maxConnections.max, 'connection'));
  if (limits.messagesPerConnection)
    parts.push(`${percentNumber.format(limits.messagesPerConnection.max)} messages/connection`);
  if (limits.recipientsPerSecond)
    parts.push(
      `${percentNumber.format(limits.recipientsPerSecond.rate)} recipients/s at ${limits.recipientsPerSecond.at.toUpperCase()}`,
    );
  if (limits.penaltyBox) {
    const p = limits.penaltyBox;
    parts.push(
      `penalty box: ${plural(p.violations, 'refusal')} in ${formatDuration(p.windowMs)} → ${formatDuration(p.durationMs)}`,
    );
  }
  return parts.length === 0 ? 'None' : parts.join(' · ');
}

/** Connection, TLS and delays in one line: "TLS required · greylist 5m · async 2m". */
export function describeConnection(p: SandboxProfile): string {
  if (p.connection === 'refuse') return 'Refuses every connection';
  const parts = [p.tls === 'required' ? 'TLS required' : 'TLS offered'];
  if (p.greetingDelayMs > 0) parts.push(`greeting ${formatDuration(p.greetingDelayMs)}`);
  if (p.replyDelayMs > 0) parts.push(`replies ${formatDuration(p.replyDelayMs)}`);
  if (p.disconnectRate > 0) parts.push(`drops ${formatRatePercent(p.disconnectRate)} after the data`);
  if (p.rates.greylist > 0 || p.rules.some((r) => r.outcome === 'greylist'))
    parts.push(
      p.greylistDelayMs === 0 ? 'greylist, retry at once' : `greylist ${formatDuration(p.greylistDelayMs)}`,
    );
  const asyncRated = p.rates.async_dsn + p.rates.complaint + p.rates.auto_reply > 0;
  if (asyncRated || p.rules.some((r) => ['async_dsn', 'complaint', 'auto_reply'].includes(r.outcome)))
    parts.push(p.asyncDelayMs === 0 ? 'async at once' : `async ${formatDuration(p.asyncDelayMs)}`);
  return parts.join(' · ');
}

// ---------------------------------------------------------------- plain-language problems

/** Labels of the fields of a profile, by schema path (indexes replaced by `N`). */
const FIELD_LABELS: Record<string, string> = {
  id: 'Identifier',
  name: 'Name',
  description: 'Description',
  domains: 'Domains',
  'domains.N': 'Domains',
  mxHosts: 'MX hosts',
  'mxHosts.N': 'MX hosts',
  connection: 'Connections',
  tls: 'TLS',
  greetingDelayMs: 'Greeting delay',
  replyDelayMs: 'Reply delay',
  disconnectRate: 'Dropped connections',
  greylistDelayMs: 'Greylist delay',
  asyncDelayMs: 'Asynchronous delay',
  rates: 'Rates',
  rules: 'Local-part rules',
  'rules.N.pattern': 'Local-part rule pattern',
  'rules.N.outcome': 'Local-part rule outcome',
  'limits.maxConnections.max': 'Max connections',
  'limits.messagesPerConnection.max': 'Messages per connection',
  'limits.recipientsPerSecond.rate': 'Recipients per second',
  'limits.recipientsPerSecond.at': 'Recipients per second: checked at',
  'limits.penaltyBox.violations': 'Penalty box: refusals',
  'limits.penaltyBox.windowMs': 'Penalty box: within',
  'limits.penaltyBox.durationMs': 'Penalty box: duration',
  seed: 'Seed',
  profiles: 'Profiles',
};
for (const o of RATED_OUTCOMES) FIELD_LABELS[`rates.${o}`] = `${SANDBOX_OUTCOME_LABELS[o]} rate`;
for (const k of REPLY_KINDS) {
  FIELD_LABELS[`replies.${k}.code`] = `${SANDBOX_OUTCOME_LABELS[k]} reply code`;
  FIELD_LABELS[`replies.${k}.text`] = `${SANDBOX_OUTCOME_LABELS[k]} reply text`;
  FIELD_LABELS[`replies.${k}`] = `${SANDBOX_OUTCOME_LABELS[k]} reply`;
}
const LIMIT_REPLY_LABELS: Record<string, string> = {
  'limits.maxConnections.reply': 'Max connections reply',
  'limits.messagesPerConnection.reply': 'Messages per connection reply',
  'limits.recipientsPerSecond.reply': 'Recipients per second reply',
  'limits.penaltyBox.greeting': 'Penalty box greeting reply',
  'limits.penaltyBox.command': 'Penalty box command reply',
};
for (const [path, label] of Object.entries(LIMIT_REPLY_LABELS)) {
  FIELD_LABELS[path] = label;
  FIELD_LABELS[`${path}.code`] = `${label} code`;
  FIELD_LABELS[`${path}.text`] = `${label} text`;
}

const generic = (path: string) => path.replace(/\.\d+(?=\.|$)/g, '.N');

/** The label of a field of a profile (`rates.greylist` → "Greylisted rate"), or the path itself. */
export function fieldLabel(path: string): string {
  return FIELD_LABELS[generic(path)] ?? FIELD_LABELS[path] ?? path;
}

/** How a number of a field reads: a rate in %, a delay as a duration, else the number. */
function formatValue(path: string, value: number): string {
  if (/^rates(\.|$)/.test(path)) return formatRatePercent(value);
  if (/Ms$/.test(path)) return formatDuration(value);
  return percentNumber.format(value);
}

const insideProfile = (path: readonly PropertyKey[]): string =>
  path
    .map(String)
    .join('.')
    .replace(/^profiles\.\d+\.?/, '');

/**
 * How the profiles' schema words its problems here (zod's error customisation, `plain-errors.ts`): without the
 * label, which the page shows beside it, and in the field's unit: "must be between 0 % and 100 % (it is 150 %)",
 * "must be at most 10m".
 */
const PROFILE_MESSAGES = plainParse({
  bare: true,
  value: (path, n) => formatValue(insideProfile(path), n),
});

/** A document problem (`profiles.3.rates.greylist`) with the profile it belongs to, in plain language. */
export interface ProfileProblem {
  /** Index of the profile, when the path is inside one. */
  profile: number | null;
  /** Path inside the profile (`rates.greylist`), or of the document (`seed`). */
  field: string;
  label: string;
  message: string;
}

export function profileProblem(d: ErrorDetail): ProfileProblem {
  const m = /^profiles\.(\d+)(?:\.(.*))?$/.exec(d.field ?? '');
  const field = m ? (m[2] ?? '') : (d.field ?? '');
  const message = d.message;
  return {
    profile: m ? Number(m[1]) : null,
    field,
    label: field === '' ? '' : fieldLabel(field),
    message,
  };
}

/** The problems of one profile, by the form path they show on (`domains.2` shows on `domains`). */
export function problemsOfProfile(problems: readonly ErrorDetail[], index: number): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of problems) {
    const p = profileProblem(d);
    if (p.profile !== index) continue;
    const key = formKeyOf(p.field);
    (errors[key] ??= []).push(p.message);
  }
  return errors;
}

/** Where a profile's field path shows in the form: lists on the list (`domains.3` → `domains`). */
function formKeyOf(field: string): string {
  if (/^domains\.\d+$/.test(field)) return 'domains';
  if (/^mxHosts\.\d+$/.test(field)) return 'mxHosts';
  return field;
}

/** Indexes of the profiles with problems. */
export function profilesWithProblems(problems: readonly ErrorDetail[]): Set<number> {
  const rows = new Set<number>();
  for (const d of problems) {
    const p = profileProblem(d);
    if (p.profile !== null) rows.add(p.profile);
  }
  return rows;
}

// ---------------------------------------------------------------- the profile form

type RateKeys = { [O in RatedOutcome as `rate_${O}`]: string };
type ReplyKeys = { [K in ReplyKind as `reply_${K}_code` | `reply_${K}_text`]: string };

export interface LocalPartRuleForm {
  pattern: string;
  outcome: SandboxOutcome;
}

export type LimitReplyKey = 'maxConn' | 'perConn' | 'rps' | 'pbGreeting' | 'pbCommand';

export type ProfileForm = RateKeys &
  ReplyKeys & { [K in LimitReplyKey as `${K}Code` | `${K}Text`]: string } & {
    id: string;
    name: string;
    description: string;
    /** One per line. */
    domains: string;
    /** One per line; empty: `mx.<first domain>`. */
    mxHosts: string;
    connection: 'accept' | 'refuse';
    tls: 'offered' | 'required';
    greetingDelay: string;
    replyDelay: string;
    /** Percent of transactions dropped after the data. */
    disconnect: string;
    greylistDelay: string;
    asyncDelay: string;
    rules: LocalPartRuleForm[];
    maxConnOn: boolean;
    maxConn: string;
    perConnOn: boolean;
    perConn: string;
    rpsOn: boolean;
    rps: string;
    rpsAt: 'rcpt' | 'mail';
    pbOn: boolean;
    pbViolations: string;
    pbWindow: string;
    pbDuration: string;
  };

/** Replies offered when a limit is switched on in the editor (a Postfix receiver's). */
export const DEFAULT_LIMIT_REPLIES: Record<LimitReplyKey, SandboxReply> = {
  maxConn: { code: 421, text: '4.7.0 <host> Error: too many connections from <ip>' },
  perConn: { code: 421, text: '<host> too many messages in this connection' },
  rps: { code: 450, text: '4.7.1 Error: too many recipients from <ip>' },
  pbGreeting: { code: 421, text: '4.7.0 <host> Error: too many errors from <ip>, try again later' },
  pbCommand: { code: 421, text: '4.7.0 <host> Error: too many errors from <ip>, try again later' },
};

const numberText = (n: number) => String(Number(n.toFixed(6)));
const percentText = (ratio: number) => String(Number((ratio * 100).toFixed(4)));

function replyFields(prefix: LimitReplyKey, reply: SandboxReply | undefined) {
  const r = reply ?? DEFAULT_LIMIT_REPLIES[prefix];
  return { [`${prefix}Code`]: String(r.code), [`${prefix}Text`]: r.text } as Record<
    `${LimitReplyKey}Code` | `${LimitReplyKey}Text`,
    string
  >;
}

export function profileToForm(p: SandboxProfile): ProfileForm {
  const rates = Object.fromEntries(
    RATED_OUTCOMES.map((o) => [`rate_${o}`, percentText(p.rates[o])]),
  ) as RateKeys;
  const replies = Object.fromEntries(
    REPLY_KINDS.flatMap((k) => [
      [`reply_${k}_code`, String(p.replies[k].code)],
      [`reply_${k}_text`, p.replies[k].text],
    ]),
  ) as ReplyKeys;
  const l = p.limits;
  return {
    ...rates,
    ...replies,
    ...replyFields('maxConn', l.maxConnections?.reply),
    ...replyFields('perConn', l.messagesPerConnection?.reply),
    ...replyFields('rps', l.recipientsPerSecond?.reply),
    ...replyFields('pbGreeting', l.penaltyBox?.greeting),
    ...replyFields('pbCommand', l.penaltyBox?.command),
    id: p.id,
    name: p.name,
    description: p.description,
    domains: p.domains.join('\n'),
    mxHosts: p.mxHosts.join('\n'),
    connection: p.connection,
    tls: p.tls,
    greetingDelay: formatDelay(p.greetingDelayMs),
    replyDelay: formatDelay(p.replyDelayMs),
    disconnect: percentText(p.disconnectRate),
    greylistDelay: formatDelay(p.greylistDelayMs),
    asyncDelay: formatDelay(p.asyncDelayMs),
    rules: p.rules.map((r) => ({ pattern: r.pattern, outcome: r.outcome })),
    maxConnOn: l.maxConnections !== undefined,
    maxConn: String(l.maxConnections?.max ?? 5),
    perConnOn: l.messagesPerConnection !== undefined,
    perConn: String(l.messagesPerConnection?.max ?? 20),
    rpsOn: l.recipientsPerSecond !== undefined,
    rps: numberText(l.recipientsPerSecond?.rate ?? 10),
    rpsAt: l.recipientsPerSecond?.at ?? 'rcpt',
    pbOn: l.penaltyBox !== undefined,
    pbViolations: String(l.penaltyBox?.violations ?? 10),
    pbWindow: formatDuration(l.penaltyBox?.windowMs ?? 60_000),
    pbDuration: formatDuration(l.penaltyBox?.durationMs ?? 300_000),
  };
}

/** Text fields to numbers (problems keyed by schema path), then the shared schema has the last word. */
class FormReader {
  readonly errors: FieldErrors = {};

  add(path: string, message: string): void {
    (this.errors[path] ??= []).push(message);
  }

  number(text: string, path: string): number {
    const trimmed = text.trim().replace(/[\s_,]/g, '');
    const n = trimmed === '' ? Number.NaN : Number(trimmed);
    if (!Number.isFinite(n)) this.add(path, trimmed === '' ? 'required' : 'must be a number');
    return n;
  }

  percent(text: string, path: string): number {
    const trimmed = text.trim().replace(/%\s*$/, '');
    if (trimmed === '') return 0;
    return this.number(trimmed, path) / 100;
  }

  duration(text: string, path: string): number {
    try {
      return parseDuration(text);
    } catch (err) {
      this.add(
        path,
        text.trim() === ''
          ? 'required (0 for none)'
          : `not a duration: use a number with a unit, e.g. 30s, 5m, 1h, 1.5d`,
      );
      void err;
      return Number.NaN;
    }
  }

  reply(form: ProfileForm, prefix: LimitReplyKey, path: string): SandboxReply {
    return {
      code: this.number(form[`${prefix}Code`], `${path}.code`),
      text: form[`${prefix}Text`].trim(),
    };
  }

  finish<T>(schema: z.ZodType<T>, candidate: unknown, extra?: (value: T) => void): Converted<T> {
    if (Object.keys(this.errors).length > 0) return { ok: false, errors: this.errors };
    const parsed = schema.safeParse(candidate, PROFILE_MESSAGES);
    if (!parsed.success) {
      for (const d of issueDetails(parsed.error)) this.add(formKeyOf(d.field ?? ''), d.message);
      return { ok: false, errors: this.errors };
    }
    extra?.(parsed.data);
    if (Object.keys(this.errors).length > 0) return { ok: false, errors: this.errors };
    return { ok: true, value: parsed.data };
  }
}

/** The lines of a textarea, trimmed, blank ones dropped. */
export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

export function profileFromForm(form: ProfileForm): Converted<SandboxProfile> {
  const r = new FormReader();
  const rates = Object.fromEntries(
    RATED_OUTCOMES.map((o) => [o, r.percent(form[`rate_${o}`], `rates.${o}`)]),
  );
  const replies = Object.fromEntries(
    REPLY_KINDS.map((k) => [
      k,
      {
        code: r.number(form[`reply_${k}_code`], `replies.${k}.code`),
        text: form[`reply_${k}_text`].trim(),
      },
    ]),
  );
  const limits: Record<string, unknown> = {};
  if (form.maxConnOn)
    limits.maxConnections = {
      max: r.number(form.maxConn, 'limits.maxConnections.max'),
      reply: r.reply(form, 'maxConn', 'limits.maxConnections.reply'),
    };
  if (form.perConnOn)
    limits.messagesPerConnection = {
      max: r.number(form.perConn, 'limits.messagesPerConnection.max'),
      reply: r.reply(form, 'perConn', 'limits.messagesPerConnection.reply'),
    };
  if (form.rpsOn)
    limits.recipientsPerSecond = {
      rate: r.number(form.rps, 'limits.recipientsPerSecond.rate'),
      at: form.rpsAt,
      reply: r.reply(form, 'rps', 'limits.recipientsPerSecond.reply'),
    };
  if (form.pbOn)
    limits.penaltyBox = {
      violations: r.number(form.pbViolations, 'limits.penaltyBox.violations'),
      windowMs: r.duration(form.pbWindow, 'limits.penaltyBox.windowMs'),
      durationMs: r.duration(form.pbDuration, 'limits.penaltyBox.durationMs'),
      greeting: r.reply(form, 'pbGreeting', 'limits.penaltyBox.greeting'),
      command: r.reply(form, 'pbCommand', 'limits.penaltyBox.command'),
    };
  const candidate = {
    id: form.id.trim(),
    name: form.name.trim(),
    description: form.description.trim(),
    domains: lines(form.domains).map((d) => d.toLowerCase()),
    mxHosts: lines(form.mxHosts).map((d) => d.toLowerCase()),
    connection: form.connection,
    tls: form.tls,
    greetingDelayMs: r.duration(form.greetingDelay, 'greetingDelayMs'),
    replyDelayMs: r.duration(form.replyDelay, 'replyDelayMs'),
    disconnectRate: r.percent(form.disconnect, 'disconnectRate'),
    greylistDelayMs: r.duration(form.greylistDelay, 'greylistDelayMs'),
    asyncDelayMs: r.duration(form.asyncDelay, 'asyncDelayMs'),
    rates,
    replies,
    rules: form.rules.map((x) => ({ pattern: x.pattern.trim(), outcome: x.outcome })),
    limits,
  };
  return r.finish(SandboxProfile, candidate, (p) => {
    const total = RATED_OUTCOMES.reduce((sum, o) => sum + p.rates[o], 0);
    if (total > 1 + 1e-9) r.add('rates', `the rates add up to ${formatRatePercent(total)}, more than 100 %`);
  });
}

// ---------------------------------------------------------------- list operations

/** `new-profile-1`, … : the first id not taken. */
export function freshProfileId(taken: readonly { id: string }[], prefix: string): string {
  const ids = new Set(taken.map((p) => p.id));
  const base = prefix.slice(0, 34).replace(/-+$/, '') || 'profile';
  for (let n = 1; n <= taken.length + 1; n++) {
    if (!ids.has(`${base}-${n}`)) return `${base}-${n}`;
  }
  return `${base}-${taken.length + 2}`;
}

const DEFAULT_REPLIES: ProfileReplies = {
  unknown_user: { code: 550, text: '5.1.1 <addr>: Recipient address rejected: User unknown' },
  mailbox_full: { code: 452, text: '4.2.2 <addr>: Mailbox full, try again later' },
  greylist: { code: 451, text: '4.7.1 <addr>: Recipient address rejected: Greylisted, try again later' },
  spam_reject: { code: 554, text: '5.7.1 Message rejected: spam content detected' },
};

/** A new profile for the editor: accepts everyone, with Postfix's replies; its domain is to be filled in. */
export function newProfile(profiles: readonly SandboxProfile[]): SandboxProfile {
  return SandboxProfile.parse({
    id: freshProfileId(profiles, 'profile'),
    name: 'New profile',
    domains: ['example.test'],
    replies: DEFAULT_REPLIES,
  });
}

/** A copy of a profile under a fresh id and name; its domains are emptied (a domain has one profile). */
export function duplicateProfile(profiles: readonly SandboxProfile[], p: SandboxProfile): SandboxProfile {
  return {
    ...structuredClone(p),
    id: freshProfileId(profiles, `${p.id}-copy`),
    name: `${p.name} (copy)`.slice(0, 80),
    domains: [],
  };
}

// ---------------------------------------------------------------- the document

export interface ProfilesDraft {
  seed: string;
  profiles: SandboxProfile[];
}

export const draftOf = (state: SandboxProfilesState): ProfilesDraft => ({
  seed: String(state.document.seed),
  profiles: state.document.profiles,
});

export const sameDraft = (a: ProfilesDraft, b: ProfilesDraft): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

export type DocumentCheck =
  { ok: true; doc: SandboxProfilesDocument } | { ok: false; problems: ErrorDetail[] };

export function buildDocument(draft: ProfilesDraft): DocumentCheck {
  const seedText = draft.seed.trim();
  const seed = seedText === '' ? Number.NaN : Number(seedText);
  if (!Number.isInteger(seed))
    return { ok: false, problems: [{ field: 'seed', message: 'a whole number from 0 to 2147483647' }] };
  return checkDocument({
    format: 'relaydeck-sandbox-profiles',
    version: 1,
    seed,
    profiles: draft.profiles,
  });
}

export function checkDocument(raw: unknown): DocumentCheck {
  const parsed = SandboxProfilesDocument.safeParse(raw, PROFILE_MESSAGES);
  return parsed.success
    ? { ok: true, doc: parsed.data }
    : { ok: false, problems: issueDetails(parsed.error) };
}

/** A profiles file's text: the document, or its problems (JSON syntax with line and column). */
export function checkProfilesJson(text: string): DocumentCheck {
  const clean = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(clean);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /at position (\d+)/.exec(message)?.[1];
    const reason = `not valid JSON: ${message.replace(/\s*(?:in JSON )?at position \d+.*$/s, '')}`;
    if (position === undefined) return { ok: false, problems: [{ message: reason }] };
    const before = clean.slice(0, Number(position));
    return {
      ok: false,
      problems: [
        {
          line: before.split('\n').length,
          column: Number(position) - before.lastIndexOf('\n'),
          message: reason,
        },
      ],
    };
  }
  if (
    typeof raw !== 'object' ||
    raw === null ||
    (raw as { format?: unknown }).format !== 'relaydeck-sandbox-profiles'
  )
    return {
      ok: false,
      problems: [
        { message: 'not a Relaydeck profiles file (its "format" is not "relaydeck-sandbox-profiles")' },
      ],
    };
  return checkDocument(raw);
}

/** The profile names of a file's text, as far as it reads (to name the profiles of its problems). */
export function profileNamesOf(text: string): { name: string }[] {
  try {
    const raw = JSON.parse(text.replace(/^\uFEFF/, '')) as { profiles?: unknown };
    if (!Array.isArray(raw.profiles)) return [];
    return raw.profiles.map((p: unknown, i) => {
      const name = (p as { name?: unknown } | null)?.name;
      return { name: typeof name === 'string' && name.trim() !== '' ? name : `Profile ${i + 1}` };
    });
  } catch {
    return [];
  }
}

export function formatProfilesJson(doc: SandboxProfilesDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `relaydeck-sandbox-profiles-2025-01-31.json` in the analyst's local date. */
export function profilesFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `relaydeck-sandbox-profiles-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/** "11 profiles, 27 domains" */
export function describeDocument(doc: { profiles: readonly SandboxProfile[] }): string {
  const domains = doc.profiles.reduce((n, p) => n + p.domains.length, 0);
  return `${plural(doc.profiles.length, 'profile')}, ${plural(domains, 'domain')}`;
}

/** The problem as one line of a list: "Gmail-like · Greylisted rate: at most 100 %". */
export function describeProblem(d: ErrorDetail, profiles: readonly { name: string }[]): string {
  const p = profileProblem(d);
  const where = [
    p.profile !== null ? (profiles[p.profile]?.name ?? `Profile ${p.profile + 1}`) : null,
    p.label || null,
    d.line !== undefined ? `line ${d.line}` : null,
    d.column !== undefined ? `column ${d.column}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return where ? `${where}: ${p.message}` : p.message;
}

export type { LocalPartRule };
