/**
 * The pre-send delivery analysis (SPEC §5, issue 15): every check of a delivery about to be created, in the
 * order an analyst reads them — authentication, the message, the recipients, the delivery's settings. Nothing
 * is written; DNS goes through the injected resolver under one time budget, so an offline machine gets
 * "could not look up" warnings in seconds rather than a minute of timeouts per domain.
 */
import { networkInterfaces } from 'node:os';
import { countChecks, type AnalysisCheck, type AnalysisReport } from '../../shared/contract/analysis';
import type { RouteTarget } from '../../shared/contract';
import { domainOf } from '../../shared/domain/address';
import { compileTemplate } from '../../shared/domain/template';
import type { Clock } from '../clock';
import type { Recipient, RecipientSource } from '../campaign/csv-import';
import { keyTypeOf, listEnabledDkimKeyRows, type DkimKeyRow } from '../store/dkim-repo';
import type { Db } from '../store/db';
import { chooseKeyRows, usableKeyRow } from '../engine/dkim/key-choice';
import type { DeliveryRouting } from '../engine/relay/routing';
import { checkDkim, checkDmarc, checkSpf, type SigningKey } from './auth-checks';
import { checkReporting, checkValidity, describeRoutes } from './delivery-checks';
import { dnsCode, type AnalysisDns } from './dns';
import { checkMessage, type BuiltMessage } from './message-checks';
import { checkDomainsMx, checkExclusions, checkRoleAccounts, checkTypos } from './recipient-checks';
import { scanRecipients } from './recipients-scan';
import type { ReportingMode } from '../../shared/domain/statuses';
import type { MessageTemplate } from '../../shared/contract';

export interface AnalysisInput {
  template: MessageTemplate;
  recipients: RecipientSource;
  routing: DeliveryRouting;
  validityMs: number;
  reporting: ReportingMode;
}

export interface AnalysisDeps {
  db: Db;
  dns: AnalysisDns;
  clock: Clock;
  /** The route for messages no delivery route or smart host matches (setting), null = MX lookup. */
  defaultRoute: RouteTarget | null;
  /** The VERP base address setting; null = `bounces@<From domain>`. */
  returnPath: string | null;
  /** The message as it will be sent to `recipient` (DKIM aside), for the message checks. */
  buildMessage(template: MessageTemplate, recipient: Recipient | null): Promise<BuiltMessage>;
  /** The addresses mail leaves from (configured source addresses); absent = this machine's. */
  sourceAddresses?: readonly string[];
  /** EHLO name. */
  helo: string;
  /** Time budget of all DNS lookups of one analysis (default 15 s). */
  dnsBudgetMs?: number;
}

/** This machine's non-internal addresses: what receivers may see when no source address is configured. */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal)
    .map((i) => i.address);
}

/**
 * A resolver whose lookups fail at once with ETIMEOUT after the budget is spent, or after three lookups in a row
 * timed out (no DNS server answers: an offline machine).
 */
export function budgetedDns(dns: AnalysisDns, clock: Clock, budgetMs: number): AnalysisDns {
  const deadline = clock.now() + budgetMs;
  let timeouts = 0;
  const guard =
    <A extends unknown[], R>(lookup: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (clock.now() >= deadline || timeouts >= 3)
        throw Object.assign(new Error('DNS lookups stopped: no answer within the time allowed'), {
          code: 'ETIMEOUT',
        });
      try {
        const result = await lookup(...args);
        timeouts = 0;
        return result;
      } catch (err) {
        if (dnsCode(err) === 'ETIMEOUT') timeouts++;
        else timeouts = 0;
        throw err;
      }
    };
  return {
    resolveMx: guard((d: string) => dns.resolveMx(d)),
    resolve4: guard((h: string) => dns.resolve4(h)),
    resolve6: guard((h: string) => dns.resolve6(h)),
    resolveTxt: guard((n: string) => dns.resolveTxt(n)),
  };
}

function signingKeys(db: Db): SigningKey[] {
  const keyOf = (row: DkimKeyRow): SigningKey => ({
    domain: row.domain,
    selector: row.selector,
    type: keyTypeOf(row.algorithm),
    bits: row.bits,
    publicKey: row.public_key,
  });
  const rows = listEnabledDkimKeyRows(db);
  const keys: SigningKey[] = [];
  for (const chosen of chooseKeyRows(rows).values())
    for (const row of [chosen.rsa, chosen.ed25519]) if (row) keys.push(keyOf(row));
  // Enabled RSA keys too short to sign: the DKIM check names them (the engine never uses them).
  for (const row of rows) if (!usableKeyRow(row)) keys.push(keyOf(row));
  return keys;
}

function templateFields(template: MessageTemplate): string[] {
  const fields = new Set<string>();
  for (const [part, source] of [
    ['subject', template.subject],
    ['text', template.text],
    ['html', template.html],
    ['fromName', template.fromName],
  ] as const)
    for (const f of compileTemplate(source, part).template?.fields ?? []) fields.add(f);
  fields.delete('email');
  return [...fields];
}

export async function runAnalysis(deps: AnalysisDeps, input: AnalysisInput): Promise<AnalysisReport> {
  const ranAt = deps.clock.now();
  const dns = budgetedDns(deps.dns, deps.clock, deps.dnsBudgetMs ?? 15_000);
  const fromDomain = domainOf(input.template.fromAddress);
  const returnPathDomain = domainOf(deps.returnPath ?? `bounces@${fromDomain}`);

  const scan = scanRecipients(deps.db, input.recipients, templateFields(input.template), ranAt);
  const message = await deps.buildMessage(input.template, scan.first);

  const dkim = await checkDkim(dns, {
    fromDomain,
    envelopeDomain: returnPathDomain,
    keys: signingKeys(deps.db),
  });
  const ips = deps.sourceAddresses ?? machineAddresses();
  const spf = await checkSpf(dns, { returnPathDomain, ips, helo: deps.helo });
  const dmarc = await checkDmarc(dns, {
    fromDomain,
    dkimDomain: dkim.signingDomain,
    spfDomain: returnPathDomain,
    spfPasses: spf.passes,
  });

  const toDeliver = [...scan.facts.domains.values()].reduce((n, c) => n + c, 0);
  const routes = describeRoutes(scan.facts.domains, input.routing, deps.defaultRoute);
  const recipients: AnalysisCheck[] = [
    checkExclusions(scan.facts),
    checkRoleAccounts(scan.facts),
    checkTypos(scan.facts),
  ];
  // Only domains that go to real receivers are looked up: the sandbox and relay hosts answer for the others.
  if (routes.realDomains.size > 0)
    recipients.push(await checkDomainsMx(dns, { ...scan.facts, domains: routes.realDomains }));

  const checks = [
    ...dkim.checks,
    ...spf.checks,
    ...dmarc,
    ...checkMessage(message, scan.gaps, toDeliver),
    ...recipients,
    checkValidity(input.validityMs),
    checkReporting(input.reporting),
    routes.check,
  ];
  return { ranAt, checks, counts: countChecks(checks) };
}
