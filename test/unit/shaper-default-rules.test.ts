import { describe, expect, it } from 'vitest';
import { RulesDocument } from '../../src/shared/contract/mta';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import {
  automationFor,
  compileAutomationRules,
  matchAutomation,
  matchMxRule,
} from '../../src/main/engine/shaper/rule-match';

const compiled = compileAutomationRules(DEFAULT_RULES.automationRules);

function ruleFor(hosts: string[], domain = 'example.com'): string {
  return matchMxRule(DEFAULT_RULES.mxRules, { hosts, domain }).id;
}

function automationHit(mxHost: string, reply: string): string | undefined {
  return matchAutomation(automationFor(compiled, [mxHost]), reply)?.rule.id;
}

describe('shipped MX rules: each default rule matches its provider MX hosts', () => {
  const cases: [string, string[], string][] = [
    ['loopback', ['127.0.0.1'], 'the sandbox and local sinks'],
    ['localhost', ['localhost'], 'a sink addressed by name'],
    ['gmail', ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com'], 'gmail.com'],
    ['gmail', ['aspmx.l.google.com'], 'a Google Workspace domain'],
    ['googlemail', ['gmr-smtp-in.l.googlemail.com'], 'legacy googlemail MX'],
    ['yahoo', ['mta5.am0.yahoodns.net', 'mta6.am0.yahoodns.net'], 'yahoo.com / aol.com'],
    ['microsoft-consumer', ['hotmail-com.olc.protection.outlook.com'], 'hotmail.com'],
    ['microsoft-365', ['contoso-com.mail.protection.outlook.com'], 'a Microsoft 365 tenant'],
    ['icloud', ['mx01.mail.icloud.com'], 'icloud.com'],
    ['gmx-webde', ['mx00.emig.gmx.net'], 'gmx.de'],
    ['webde', ['mx-ha03.web.de'], 'web.de'],
    ['orange', ['smtp-in.orange.fr'], 'orange.fr'],
    ['free', ['mx1.free.fr'], 'free.fr'],
    ['mailru', ['mxs.mail.ru'], 'mail.ru'],
    ['yandex', ['mx.yandex.net'], 'yandex.ru'],
    ['qq', ['mx3.qq.com'], 'qq.com'],
    ['netease', ['163mx01.mxmail.netease.com', 'mx.163.com'], '163.com'],
    ['comcast', ['mx1a1.comcast.net'], 'comcast.net'],
    ['generic', ['mx.example.org'], 'anything else'],
  ];
  it.each(cases)('%s: %j (%s)', (id, hosts) => {
    expect(ruleFor(hosts)).toBe(id);
  });

  it('the defaults are a valid rules document: generic "*" last, ids unique, patterns compile', () => {
    expect(RulesDocument.safeParse(DEFAULT_RULES).success).toBe(true);
    expect(DEFAULT_RULES.mxRules.at(-1)?.match.mask).toBe('*');
    expect(DEFAULT_RULES.mxRules.every((r) => r.enabled)).toBe(true);
  });
});

describe('MX rule matching', () => {
  const base = DEFAULT_RULES.mxRules.at(-1)!;
  it('is ordered (first enabled match wins), by MX host or recipient domain, generic last', () => {
    const rules = [
      { ...base, id: 'off', match: { kind: 'mx' as const, mask: '*.example.net' }, enabled: false },
      { ...base, id: 'by-domain', match: { kind: 'domain' as const, mask: 'shop.test' } },
      { ...base, id: 'by-mx', match: { kind: 'mx' as const, mask: '*.example.net' } },
      { ...base, id: 'by-mx-later', match: { kind: 'mx' as const, mask: 'mx1.example.net' } },
      base,
    ];
    expect(matchMxRule(rules, { hosts: ['mx1.example.net'], domain: 'a.test' }).id).toBe('by-mx');
    expect(matchMxRule(rules, { hosts: ['mx1.example.net'], domain: 'shop.test' }).id).toBe('by-domain');
    expect(matchMxRule(rules, { hosts: ['mx.other.org'], domain: 'a.test' }).id).toBe('generic');
  });
});

describe('shipped automation rules, with real provider replies', () => {
  const cases: [string, string, string][] = [
    [
      'yahoo-ts01',
      'mta7.am0.yahoodns.net',
      '421 4.7.0 [TS01] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
    ],
    [
      'yahoo-ts02',
      'mta7.am0.yahoodns.net',
      '421 4.7.0 [TS02] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
    ],
    [
      'yahoo-ts03',
      'mta5.am0.yahoodns.net',
      '421 4.7.0 [TS03] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes',
    ],
    [
      'yahoo-ts04',
      'mta6.am0.yahoodns.net',
      '554 5.7.9 [TS04] Messages from 192.0.2.10 permanently deferred due to user complaints; see https://postmaster.yahooinc.com/error-codes',
    ],
    [
      'gmail-4-7-28',
      'gmail-smtp-in.l.google.com',
      '421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. a1si123.45 - gsmtp',
    ],
    [
      'gmail-4-7-0-rate',
      'aspmx.l.google.com',
      '421 4.7.0 Try again later, closing connection. (MAIL FROM) rate limited - gsmtp',
    ],
    [
      'microsoft-s3150',
      'hotmail-com.olc.protection.outlook.com',
      "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
    ],
    [
      'microsoft-s3140',
      'hotmail-com.olc.protection.outlook.com',
      "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
    ],
    [
      'microsoft-4-7-650',
      'contoso-com.mail.protection.outlook.com',
      '451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent]',
    ],
    [
      'orange-blocked',
      'smtp-in.orange.fr',
      '421 mwinf5c10 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR005_104 [104]',
    ],
  ];
  it.each(cases)('%s matches on %s', (id, host, reply) => {
    expect(automationHit(host, reply)).toBe(id);
  });

  it('a rule applies only within its scope', () => {
    expect(
      automationHit(
        'mx.example.org',
        '421 4.7.0 [TS03] All messages from 192.0.2.10 will be permanently deferred',
      ),
    ).toBeUndefined();
  });
});
