import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_PROFILES } from '../../src/main/defaults/sandbox-profiles';
import type {
  HistoryEvent,
  OutcomeGroup,
  ScenarioResult,
  SimulationSummary,
} from '../../src/shared/contract/simulation';
import {
  collapseHistory,
  describeOutcome,
  filterRows,
  formatAt,
  formatHistoryLine,
  hiddenLabel,
  historyLine,
  historyLines,
  outcomeRows,
  rowsThatMatter,
} from '../../src/renderer/features/simulator/outcomes-model';
import {
  buildDocument,
  checkDocument,
  checkProfilesJson,
  describeConnection,
  describeLimits,
  describeProblem,
  describeRates,
  draftOf,
  duplicateProfile,
  formatProfilesJson,
  newProfile,
  problemsOfProfile,
  profileFromForm,
  profileToForm,
  profilesWithProblems,
} from '../../src/renderer/features/simulator/profiles-model';
import {
  checkSimulationForm,
  difference,
  domainRows,
  errorsByPath,
  formatSpan,
  keyFigures,
  nextScenarioName,
  profileForDomain,
  profileGroups,
  profilesUsed,
  progressOf,
  reasonRows,
  scenarioForm,
  shapingRows,
  timeTicks,
  type FigureRow,
} from '../../src/renderer/features/simulator/simulation-model';

const shipped = DEFAULT_SANDBOX_PROFILES.profiles;
const byId = (id: string) => {
  const p = shipped.find((x) => x.id === id);
  if (!p) throw new Error(`no shipped profile ${id}`);
  return p;
};

describe('provider profiles model', () => {
  it('round-trips every shipped profile through the form unchanged', () => {
    for (const p of shipped) {
      const back = profileFromForm(profileToForm(p));
      expect(back).toEqual({ ok: true, value: p });
    }
  });

  it('shows rates as percentages and delays as durations in the form', () => {
    const form = profileToForm(byId('corporate'));
    expect(form.rate_greylist).toBe('90');
    expect(form.rate_unknown_user).toBe('5');
    expect(form.greylistDelay).toBe('5m');
    expect(form.greetingDelay).toBe('0');
    expect(form.domains).toBe('corporate.test\nacme.test');
  });

  it('reads a changed rate and delay back', () => {
    const form = { ...profileToForm(byId('gmail')), rate_unknown_user: '7.5', asyncDelay: '1h 30m' };
    const r = profileFromForm(form);
    expect(r.ok && r.value.rates.unknown_user).toBeCloseTo(0.075);
    expect(r.ok && r.value.asyncDelayMs).toBe(90 * 60_000);
  });

  it('names bad values on their field in plain language', () => {
    const form = {
      ...profileToForm(byId('gmail')),
      rate_unknown_user: '150',
      greetingDelay: 'soon',
      reply_greylist_code: '550',
      domains: '',
    };
    const r = profileFromForm(form);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Reading problems first (the duration), then the schema's once the text reads.
    expect(r.errors.greetingDelayMs?.[0]).toMatch(/not a duration/);
    const r2 = profileFromForm({ ...form, greetingDelay: '0' });
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.errors['rates.unknown_user']).toEqual([
      'must be between 0\u00a0% and 100\u00a0% (it is 150\u00a0%)',
    ]);
    // The refinement is on the reply: the editor shows it under the reply's code.
    expect(r2.errors['replies.greylist']).toEqual(['a greylisting reply is a 4xx']);
    expect(r2.errors.domains).toEqual(['at least one domain']);
    expect(JSON.stringify(r2.errors)).not.toMatch(/Too big|expected|received/);
  });

  it('refuses rates adding up to more than 100 %', () => {
    const form = { ...profileToForm(byId('gmail')), rate_greylist: '60', rate_mailbox_full: '45' };
    const r = profileFromForm(form);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.rates?.[0]).toMatch(/add up to 109\.?\d*\u00a0%, more than 100 %/);
  });

  it('turns hidden limits on and off', () => {
    const comcast = byId('comcast');
    const off = profileFromForm({ ...profileToForm(comcast), pbOn: false, rpsOn: false });
    expect(off.ok && off.value.limits.penaltyBox).toBeUndefined();
    expect(off.ok && off.value.limits.recipientsPerSecond).toBeUndefined();
    expect(off.ok && off.value.limits.maxConnections?.max).toBe(2);
    const on = profileFromForm({ ...profileToForm(byId('gmail')), pbOn: true });
    expect(on.ok && on.value.limits.penaltyBox?.windowMs).toBe(60_000);
    expect(on.ok && on.value.limits.penaltyBox?.greeting.code).toBe(421);
  });

  it('words schema problems in the unit of the field, without zod jargon', () => {
    const profile = { ...byId('gmail'), name: '', greetingDelayMs: 700_000 };
    const checked = checkDocument({
      format: 'relaydeck-sandbox-profiles',
      version: 1,
      seed: 1,
      profiles: [profile],
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      { field: 'profiles.0.name', message: 'required' },
      { field: 'profiles.0.greetingDelayMs', message: 'must be between 0ms and 10m (it is 11m 40s)' },
    ]);
  });

  it('describes the profiles for the table', () => {
    expect(describeRates(byId('corporate').rates)).toBe(
      'Greylisted 90\u00a0%, Unknown user 5\u00a0%, Auto-reply 3\u00a0%, Mailbox full 1\u00a0%',
    );
    expect(describeRates(byId('demo').rates)).toBe('Accepts everyone');
    expect(describeLimits(byId('hidden-limits').limits)).toBe(
      '3 connections · 20 messages/connection · 20 recipients/s at RCPT · penalty box: 10 refusals in 1m → 2m',
    );
    expect(describeLimits(byId('demo').limits)).toBe('None');
    expect(describeConnection(byId('dead-domain'))).toBe('Refuses every connection');
    expect(describeConnection(byId('corporate'))).toBe('TLS required · greylist 5m · async 2m');
    expect(describeConnection(byId('tarpit'))).toMatch(/^TLS offered · greeting 20s · replies 5s/);
  });

  it('finds the profile and field of a document problem, server paths included', () => {
    const problems = [
      { field: 'profiles.2.rates.greylist', message: 'must be at most 100\u00a0%' },
      { field: 'profiles.2.domains.1', message: 'yahoo.test is already served by profile "yahoo"' },
      { field: 'seed', message: 'must be at least 0' },
    ];
    expect(profilesWithProblems(problems)).toEqual(new Set([2]));
    expect(problemsOfProfile(problems, 2)).toEqual({
      'rates.greylist': ['must be at most 100\u00a0%'],
      domains: ['yahoo.test is already served by profile "yahoo"'],
    });
    expect(describeProblem(problems[0]!, shipped)).toBe(
      `${shipped[2]!.name} · Greylisted rate: must be at most 100\u00a0%`,
    );
    expect(describeProblem(problems[2]!, shipped)).toBe('Seed: must be at least 0');
  });

  it('checks the draft as a whole: duplicate domains, the seed', () => {
    const draft = draftOf({ document: DEFAULT_SANDBOX_PROFILES, customised: false });
    expect(buildDocument(draft).ok).toBe(true);
    const gmail = byId('gmail');
    const dup = {
      ...draft,
      profiles: [...draft.profiles, { ...newProfile(draft.profiles), domains: gmail.domains }],
    };
    const r = buildDocument(dup);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]?.message).toMatch(/gmail\.test is already served by profile "gmail"/);
    expect(buildDocument({ ...draft, seed: 'x' })).toMatchObject({
      ok: false,
      problems: [{ field: 'seed' }],
    });
  });

  it('adds and duplicates profiles under fresh ids', () => {
    const added = newProfile(shipped);
    expect(added.id).toBe('profile-1');
    const copy = duplicateProfile(shipped, byId('gmail'));
    expect(copy.id).toBe('gmail-copy-1');
    expect(copy.name).toBe('Gmail-like (copy)');
    expect(copy.domains).toEqual([]);
    expect(copy.rates).toEqual(byId('gmail').rates);
  });

  it('exports and imports the profiles as JSON, naming problems by field', () => {
    const text = formatProfilesJson(DEFAULT_SANDBOX_PROFILES);
    expect(checkProfilesJson(text)).toEqual({ ok: true, doc: DEFAULT_SANDBOX_PROFILES });
    const bad = JSON.parse(text) as { profiles: { rates: Record<string, number> }[] };
    bad.profiles[2]!.rates.greylist = 2;
    const r = checkProfilesJson(JSON.stringify(bad));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.field)).toContain('profiles.2.rates.greylist');
    expect(checkProfilesJson('{"format": "relaydeck-rules"}')).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringMatching(/not a Relaydeck profiles file/) as unknown }],
    });
    expect(checkProfilesJson('{\n  "format": x')).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringMatching(/^not valid JSON/) as unknown }],
    });
  });
});

// ---------------------------------------------------------------- simulations

const H = 3_600_000;

function result(
  name: string,
  patch: Partial<ScenarioResult> & { sent: number; failed: number },
): ScenarioResult {
  const { sent, failed, ...rest } = patch;
  return {
    scenario: { name, validityMs: 84 * H, reporting: 'efs', recipientsPerTransaction: 1, rules: null },
    delivery: {
      statusCounts: { sent, failed },
      kpi: {
        initialPopulation: 100,
        excluded: 0,
        toDeliver: 100,
        processed: 100,
        success: sent,
        errors: failed,
        softInProgress: 0,
        hardBounces: failed,
        softBounces: 0,
        successRate: sent / 100,
        hardBounceRate: failed / 100,
      },
    } as unknown as ScenarioResult['delivery'],
    reasons: [],
    domains: [],
    finalAfterMs: 2 * H,
    simulatedMs: 2 * H,
    realMs: 1200,
    events: 10,
    attempts: 100,
    deferredAttempts: 0,
    expired: 0,
    quarantines: [],
    shaping: [],
    profiles: [],
    timeline: [],
    outcomes: [],
    ...rest,
  };
}

describe('simulations model', () => {
  it('formats spans of time to their two largest units', () => {
    expect(formatSpan(350)).toBe('350 ms');
    expect(formatSpan(2_450)).toBe('2.5 s');
    expect(formatSpan(45_000)).toBe('45 s');
    expect(formatSpan(84 * H)).toBe('3d 12h');
    expect(formatSpan(2 * H + 5 * 60_000 + 7_000)).toBe('2h 5m');
    expect(formatSpan(H + 7_000)).toBe('1h');
  });

  it('checks the new simulation form and builds the input', () => {
    const templates = [
      { id: '1', fromName: 'Acme', fromAddress: 'news@acme.test', subject: 'Hi', text: 'x', html: '' },
    ];
    const base = {
      name: 'Test',
      recipients: { fileName: 'a.csv', csv: 'email\na@gmail.test', source: 'file' as const },
      templateId: '1',
      seed: '',
      scenarios: [scenarioForm('A'), { ...scenarioForm('B'), perTransaction: '10', validity: '12h' }],
    };
    const ok = checkSimulationForm(base, templates);
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.input.scenarios).toEqual([
      { name: 'A', validityMs: 84 * H, reporting: 'efs', recipientsPerTransaction: 1, rules: null },
      { name: 'B', validityMs: 12 * H, reporting: 'efs', recipientsPerTransaction: 10, rules: null },
    ]);
    expect(ok.ok && ok.input.seed).toBeNull();
    const bad = checkSimulationForm(
      {
        ...base,
        name: ' ',
        recipients: null,
        seed: '-3',
        scenarios: [
          { ...scenarioForm('A'), validity: '5d' },
          { ...scenarioForm('A'), perTransaction: '0' },
        ],
      },
      templates,
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual([
      'name',
      'recipients',
      'scenarios.0.validityMs',
      'scenarios.1.name',
      'scenarios.1.recipientsPerTransaction',
      'seed',
    ]);
    expect(!bad.ok && bad.errors['scenarios.0.validityMs']).toEqual(["at most 3d 12h (the MTA's cap)"]);
  });

  it('maps server problems to the form fields', () => {
    expect(
      errorsByPath([
        { field: 'scenarios.1.rules.mxRules.0.mask', message: 'bad mask' },
        { field: 'recipients.csv', message: 'too big' },
        { field: 'scenarios.0.validityMs', message: 'too long' },
      ]),
    ).toEqual({
      'scenarios.1.rules': ['bad mask'],
      recipients: ['too big'],
      'scenarios.0.validityMs': ['too long'],
    });
  });

  it('names the next scenario A–D', () => {
    expect(nextScenarioName([scenarioForm('A'), scenarioForm('B')])).toBe('C');
    expect(nextScenarioName([scenarioForm('B')])).toBe('A');
  });

  it('shows a running simulation’s progress over its scenarios', () => {
    const s: SimulationSummary = {
      id: '1',
      name: 'x',
      createdAt: 0,
      state: 'running',
      error: null,
      recipients: 10,
      seed: 1,
      scenarioNames: ['A', 'B'],
      progress: { scenario: 1, simulatedMs: 42 * H, validityMs: 84 * H },
      realMs: null,
    };
    expect(progressOf(s)).toEqual({ label: 'Scenario B (2 of 2): 1d 18h of 3d 12h simulated', ratio: 0.75 });
    expect(progressOf({ ...s, state: 'done' }).ratio).toBe(1);
  });

  it('compares key figures and tells better from worse', () => {
    const rows = keyFigures([result('A', { sent: 90, failed: 10 }), result('B', { sent: 80, failed: 20 })]);
    const row = (id: string) => rows.find((r) => r.id === id) as FigureRow;
    expect(row('success-rate').values).toEqual([0.9, 0.8]);
    expect(difference(row('success-rate'), String)).toEqual({ text: '−10.0 pts', tone: 'worse' });
    expect(difference(row('failed'), String)).toEqual({ text: '+10', tone: 'worse' });
    expect(difference(row('to-deliver'), String)).toEqual({ text: '=', tone: 'same' });
    const span: FigureRow = { id: 'x', label: 'x', format: 'span', better: 'lower', values: [2 * H, H] };
    expect(difference(span, String)).toEqual({ text: '−1h', tone: 'better' });
    expect(difference({ ...span, values: [null, H] }, String)).toEqual({ text: '—', tone: 'none' });
  });

  it('builds union tables of reasons, shaping, domains and profiles', () => {
    const byType = { hard: 0, soft: 0, ignored: 0, not_defined: 0 };
    const a = result('A', {
      sent: 90,
      failed: 10,
      reasons: [{ reason: 'user_unknown', byType: { ...byType, hard: 10 }, total: 10 }],
      shaping: [{ kind: 'slowed', count: 2 }],
      domains: [
        { domain: 'gmail.test', processed: 50, deliveredRate: 0.9, hard: 5, soft: 1 },
        { domain: 'dead.test', processed: 10, deliveredRate: 0, hard: 0, soft: 10 },
      ] as unknown as ScenarioResult['domains'],
      profiles: [
        {
          profile: 'gmail',
          name: 'Gmail-like',
          messagesAccepted: 45,
          connectionsAccepted: 50,
          connectionsRefused: 0,
          mailDeferred: 0,
          rcptDeferred: 0,
          penaltyBoxed: 0,
          penaltyRefusals: 0,
          peakConnections: 3,
          asyncSent: 0,
        },
      ],
    });
    const b = result('B', {
      sent: 85,
      failed: 15,
      reasons: [
        { reason: 'unreachable', byType: { ...byType, soft: 12 }, total: 12 },
        { reason: 'user_unknown', byType: { ...byType, hard: 10 }, total: 10 },
      ],
      shaping: [{ kind: 'suspended', count: 1 }],
      domains: [
        { domain: 'gmail.test', processed: 50, deliveredRate: 0.8, hard: 5, soft: 6 },
      ] as unknown as ScenarioResult['domains'],
      profiles: [],
    });
    expect(reasonRows([a, b]).map((r) => [r.label, r.values])).toEqual([
      ['User unknown', [10, 10]],
      ['Unreachable', [0, 12]],
    ]);
    expect(shapingRows([a, b]).map((r) => [r.label, r.values])).toEqual([
      ['Rate slowed', [2, 0]],
      ['Destination suspended', [0, 1]],
    ]);
    const domains = domainRows([a, b]);
    expect(domains.map((d) => d.domain)).toEqual(['gmail.test', 'dead.test']);
    expect(domains[1]!.cells[1]).toBeNull();
    const groups = profileGroups([a, b]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.rows.map((r) => [r.label, r.values])).toEqual([
      ['Messages accepted', [45, null]],
      ['Sessions accepted', [50, null]],
      ['Peak concurrent connections', [3, null]],
    ]);
  });

  it('finds the profile of a domain (exact name, else the longest mask) and the profiles a simulation met', () => {
    const profiles = [
      { id: 'a', domains: ['*.example.test'] },
      { id: 'b', domains: ['*.mail.example.test'] },
      { id: 'c', domains: ['mail.example.test'] },
    ];
    expect(profileForDomain(profiles, 'x.mail.example.test')?.id).toBe('b');
    expect(profileForDomain(profiles, 'MAIL.example.test')?.id).toBe('c');
    expect(profileForDomain(profiles, 'y.example.test')?.id).toBe('a');
    expect(profileForDomain(profiles, 'other.test')).toBeNull();
    const r = result('A', {
      sent: 1,
      failed: 0,
      domains: [{ domain: 'dead.test' }, { domain: 'gmail.test' }] as unknown as ScenarioResult['domains'],
    });
    expect(profilesUsed(shipped, [r]).map((p) => p.id)).toEqual(['gmail', 'dead-domain']);
  });

  it('puts round ticks on the simulated time axis', () => {
    expect(timeTicks(84 * H, 5)).toEqual([0, 24 * H, 48 * H, 72 * H]);
    expect(timeTicks(2 * H, 5)).toEqual([0, 30 * 60_000, H, 90 * 60_000, 2 * H]);
    expect(timeTicks(0)).toEqual([0]);
  });
});

// ---------------------------------------------------------------- what happened, line by line

const attempt = (atMs: number, outcome: string, code: number | null, text: string, command = 'RCPT') =>
  ({ atMs, kind: 'attempt', outcome, command, code, text }) satisfies HistoryEvent;
const inbound = (atMs: number, outcome: string, code: number | null, text: string) =>
  ({ atMs, kind: 'inbound', outcome, command: null, code, text }) satisfies HistoryEvent;

function group(patch: Partial<OutcomeGroup> & { history?: HistoryEvent[]; email?: string }): OutcomeGroup {
  const { history = [], email = 'ada@gmail.test', ...rest } = patch;
  return {
    domain: 'gmail.test',
    status: 'sent',
    failureType: null,
    reason: null,
    count: 1,
    example: { email, quarantined: false, history },
    ...rest,
  };
}

/** full.test: 452 mailbox full every 4 hours for 3.5 days, then the validity runs out. */
const fullHistory = Array.from({ length: 21 }, (_, i) =>
  attempt(i * 4 * H + 51_128, 'deferred', 452, '<x@full.test>: Recipient address rejected: Mailbox full'),
);
const full = group({
  domain: 'full.test',
  status: 'failed',
  failureType: 'soft',
  reason: 'mailbox_full',
  count: 98,
  history: fullHistory,
});
const deadHistory = Array.from({ length: 26 }, (_, i) =>
  attempt(52_008 + i * 3 * H, 'deferred', null, 'connection refused (mx.dead.test)', 'CONNECT'),
);

describe('what happened, line by line', () => {
  it('writes an event as a line: simulated time, command and code, the reply, how it ended', () => {
    expect(formatAt(0)).toBe('0 s');
    expect(formatAt(4 * H)).toBe('4h');
    expect(formatAt(84 * H)).toBe('3d 12h');
    const deferred = historyLine(fullHistory[1]!);
    expect(deferred).toMatchObject({ at: '4h', what: 'RCPT 452', outcome: 'deferred', tone: 'warn' });
    expect(formatHistoryLine(deferred)).toBe(
      '4h · RCPT 452 <x@full.test>: Recipient address rejected: Mailbox full · deferred',
    );
    // A connection that nobody answers has no code.
    expect(formatHistoryLine(historyLine(deadHistory[0]!))).toBe(
      '52 s · Connection refused (mx.dead.test) · deferred',
    );
    expect(historyLine(attempt(400, 'accepted', 250, 'Ok: queued as 2', 'DATA'))).toMatchObject({
      what: 'DATA 250',
      outcome: 'accepted',
      tone: 'ok',
    });
    // Mail that came back: the console's kind labels; a DSN's diagnostic already starts with its code.
    const dsn = historyLine(inbound(440, 'dsn', 550, '550 5.1.1 <dsn.1@inbox.test>: User unknown'));
    expect(formatHistoryLine(dsn)).toBe('440 ms · DSN 550 5.1.1 <dsn.1@inbox.test>: User unknown · received');
    expect(dsn.tone).toBe('bad');
    const arf = historyLine(inbound(1_800_320, 'arf', null, ''));
    expect(formatHistoryLine(arf)).toBe(
      '30m · Complaint the recipient marked the message as spam · received',
    );
    expect(historyLine(inbound(120_240, 'auto_reply', null, 'I am out of the office')).what).toBe(
      'Auto-reply',
    );
    // Long replies are cut on paper.
    expect(formatHistoryLine(deferred, 20)).toBe('4h · RCPT 452 <x@full.test>: Recip… · deferred');
  });

  it('ends a history that failed after a deferral at the validity: failed at expiry', () => {
    const lines = historyLines(full, 84 * H);
    expect(lines).toHaveLength(22);
    expect(formatHistoryLine(lines.at(-1)!)).toBe('3d 12h · Validity ran out · failed at expiry');
    // A refusal is its own end; a sent message has none.
    const refused = group({ status: 'failed', history: [attempt(240, 'failed', 550, 'no such user')] });
    expect(historyLines(refused, 84 * H).map((l) => l.kind)).toEqual(['attempt']);
    const complained = group({
      reason: 'refused',
      history: [attempt(320, 'accepted', 250, 'Ok', 'DATA'), inbound(1_800_320, 'arf', null, '')],
    });
    expect(historyLines(complained, 84 * H).map((l) => l.kind)).toEqual(['attempt', 'inbound']);
  });

  it('collapses a long history to its first 3 and last 2 lines', () => {
    const dead = historyLines(group({ domain: 'dead.test', status: 'failed', history: deadHistory }), 84 * H);
    expect(dead).toHaveLength(27);
    const c = collapseHistory(dead);
    expect(c.head.map((l) => l.at)).toEqual(['52 s', '3h', '6h']);
    expect(c.hidden).toHaveLength(22);
    expect(c.tail.map((l) => l.outcome)).toEqual(['deferred', 'failed at expiry']);
    expect(hiddenLabel(c.hidden)).toBe('… 22 more attempts');
    // Six lines or fewer stay whole: hiding one line saves nothing.
    expect(collapseHistory([1, 2, 3, 4, 5, 6])).toEqual({ head: [1, 2, 3, 4, 5, 6], hidden: [], tail: [] });
    expect(collapseHistory([1, 2, 3, 4, 5, 6, 7]).hidden).toEqual([4, 5]);
    expect(hiddenLabel([historyLine(inbound(0, 'dsn', 550, '550 x')), historyLine(deadHistory[0]!)])).toBe(
      '… 2 more events',
    );
    expect(hiddenLabel([historyLine(deadHistory[0]!)])).toBe('… 1 more attempt');
  });

  it('lines up the same outcome of a domain across scenarios, with human labels', () => {
    const sentA = group({ count: 90, history: [attempt(400, 'accepted', 250, 'Ok', 'DATA')] });
    const a = result('A', {
      sent: 90,
      failed: 98,
      outcomes: [sentA, { ...full }],
    });
    const b = result('B', {
      sent: 90,
      failed: 98,
      outcomes: [
        { ...sentA },
        { ...full, count: 60 },
        group({
          domain: 'full.test',
          status: 'failed',
          failureType: 'hard',
          reason: 'user_unknown',
          count: 2,
        }),
      ],
    });
    const domains = outcomeRows([a, b]);
    expect(domains.map((d) => d.domain)).toEqual(['gmail.test', 'full.test']);
    const [mailboxFull, unknown] = domains[1]!.rows;
    expect(mailboxFull!.groups.map((g) => g?.count)).toEqual([98, 60]);
    expect(unknown!.groups.map((g) => g?.count ?? null)).toEqual([null, 2]);
    expect(describeOutcome(mailboxFull!)).toEqual({ status: 'Failed', type: 'Soft', reason: 'Mailbox full' });
    expect(describeOutcome(domains[0]!.rows[0]!)).toEqual({ status: 'Sent', type: null, reason: null });

    expect(
      filterRows(domains, { domain: '', status: 'failed', uneventful: true }).map((d) => d.domain),
    ).toEqual(['full.test']);
    expect(filterRows(domains, { domain: 'gmail.test', status: '', uneventful: false })).toEqual([]);
    expect(filterRows(domains, { domain: 'gmail.test', status: '', uneventful: true })).toHaveLength(1);
  });

  it('prints the groups that matter and counts the sent-without-incident ones left out', () => {
    const r = result('A', {
      sent: 95,
      failed: 100,
      outcomes: [
        group({ count: 90, history: [attempt(400, 'accepted', 250, 'Ok', 'DATA')] }),
        group({
          reason: 'refused',
          count: 2,
          history: [attempt(320, 'accepted', 250, 'Ok', 'DATA'), inbound(1_800_320, 'arf', null, '')],
        }),
        group({
          domain: 'corporate.test',
          count: 3,
          history: [
            attempt(240, 'accepted', 250, 'Ok', 'DATA'),
            inbound(120_240, 'auto_reply', null, 'Away'),
          ],
        }),
        group({ domain: 'aol.test', count: 5, history: [attempt(240, 'accepted', 250, 'Ok', 'DATA')] }),
        full,
        group({ domain: 'shop.test', status: 'ignored', failureType: 'ignored', reason: 'double', count: 2 }),
      ],
    });
    const printed = rowsThatMatter(outcomeRows([r]));
    expect(printed.domains.map((d) => [d.domain, d.rows.map((row) => row.status)])).toEqual([
      ['gmail.test', ['sent']],
      ['corporate.test', ['sent']],
      ['full.test', ['failed']],
      ['shop.test', ['ignored']],
    ]);
    expect(printed.leftOut).toBe(2);
    expect(printed.leftOutRecipients).toEqual([95]);
  });
});
