/**
 * The delivery analysis's checks against a scripted DNS resolver: records present, absent, malformed, failing
 * lookups, too many SPF lookups, DMARC p=reject with misalignment; and the message and recipient checks.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AnalysisCheck } from '../../src/shared/contract/analysis';
import {
  checkDkim,
  checkDmarc,
  checkSpf,
  countSpfLookups,
  parseTagList,
  type SigningKey,
} from '../../src/main/analysis/auth-checks';
import { scriptedDns as scripted, type Zone } from '../support/analysis-dns';
import {
  checkFields,
  checkMessage,
  checkUnsubscribe,
  readHtml,
  visibleHost,
  type BuiltMessage,
} from '../../src/main/analysis/message-checks';
import {
  checkDomainsMx,
  checkExclusions,
  checkRoleAccounts,
  checkTypos,
  editDistance,
  isRoleAccount,
  providerTypo,
  type RecipientFacts,
} from '../../src/main/analysis/recipient-checks';

function rsaPublic(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

const KEY_2048 = rsaPublic(2048);
const OTHER_2048 = rsaPublic(2048);
const KEY_1024 = rsaPublic(1024);

function rsaKey(domain: string, selector = 's1', publicKey = KEY_2048, bits = 2048): SigningKey {
  return { domain, selector, type: 'rsa', bits, publicKey };
}

function byId(checks: readonly AnalysisCheck[], id: string): AnalysisCheck {
  const found = checks.find((c) => c.id === id || c.id.startsWith(`${id}.`));
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

describe('DKIM check', () => {
  const input = { fromDomain: 'example.com', envelopeDomain: 'bounce.example.com' };

  it('passes when the published key is the stored one, even split over several strings', async () => {
    const record = `v=DKIM1; k=rsa; p=${KEY_2048}`;
    const dns = scripted({
      's1._domainkey.example.com': { TXT: [[record.slice(0, 255), record.slice(255)]] },
    });
    const r = await checkDkim(dns, { ...input, keys: [rsaKey('example.com')] });
    expect(r.signingDomain).toBe('example.com');
    expect(r.checks.map((c) => c.result)).toEqual(['pass', 'pass', 'pass']);
    expect(byId(r.checks, 'dkim.key').title).toContain('selector s1 (rsa-sha256 2048-bit)');
    expect(dns.asked).toEqual(['TXT s1._domainkey.example.com']);
  });

  it('signs a subdomain with its parent domain’s key', async () => {
    const dns = scripted({ 's1._domainkey.example.com': { TXT: [[`v=DKIM1; p=${KEY_2048}`]] } });
    const r = await checkDkim(dns, {
      ...input,
      fromDomain: 'news.example.com',
      keys: [rsaKey('example.com')],
    });
    expect(r.signingDomain).toBe('example.com');
    expect(byId(r.checks, 'dkim.key').result).toBe('pass');
  });

  it('is an error when the record is absent', async () => {
    const r = await checkDkim(scripted({}), { ...input, keys: [rsaKey('example.com')] });
    const dnsCheck = byId(r.checks, 'dkim.dns');
    expect(dnsCheck.result).toBe('error');
    expect(dnsCheck.title).toBe('No DKIM record published at s1._domainkey.example.com');
    expect(dnsCheck.fix).toContain('DKIM page');
  });

  it('is an error when the record is malformed, revoked or another key', async () => {
    const cases: [string, RegExp][] = [
      ['v=DKIM1; k=rsa; MIIBIjAN', /not a DKIM key record/],
      ['v=DKIM2; p=' + KEY_2048, /malformed \(v=DKIM2\)/],
      ['v=DKIM1; k=rsa; p=', /revoked/],
      [`v=DKIM1; k=rsa; p=${OTHER_2048}`, /not the stored key/],
      [`v=DKIM1; k=ed25519; p=${KEY_2048}`, /not the stored key/],
    ];
    for (const [record, title] of cases) {
      const dns = scripted({ 's1._domainkey.example.com': { TXT: [[record]] } });
      const r = await checkDkim(dns, { ...input, keys: [rsaKey('example.com')] });
      const check = byId(r.checks, 'dkim.dns');
      expect(check.result, record).toBe('error');
      expect(check.title, record).toMatch(title);
    }
  });

  it('is a warning when the lookup fails, not an error about the record', async () => {
    const dns = scripted({ 's1._domainkey.example.com': { fail: 'ETIMEOUT' } });
    const r = await checkDkim(dns, { ...input, keys: [rsaKey('example.com')] });
    expect(byId(r.checks, 'dkim.dns')).toMatchObject({
      result: 'warning',
      title: expect.stringContaining('ETIMEOUT'),
    });
  });

  it('reports a From domain without a key: unsigned, or signed by the return-path domain', async () => {
    const none = await checkDkim(scripted({}), { ...input, keys: [rsaKey('other.org')] });
    expect(none.signingDomain).toBeNull();
    expect(none.checks).toEqual([expect.objectContaining({ id: 'dkim.key', result: 'error' })]);

    const dns = scripted({ 's1._domainkey.bounce.example.com': { TXT: [[`p=${KEY_2048}`]] } });
    const fallback = await checkDkim(dns, { ...input, keys: [rsaKey('bounce.example.com')] });
    expect(fallback.signingDomain).toBe('bounce.example.com');
    expect(byId(fallback.checks, 'dkim.key')).toMatchObject({
      result: 'warning',
      title: 'No DKIM key for example.com: signed by bounce.example.com instead',
    });
  });

  it('judges the key length, and an ed25519 key alone', async () => {
    const dns = scripted({
      's1._domainkey.example.com': { TXT: [[`p=${KEY_1024}`]] },
      'e1._domainkey.example.com': { TXT: [['k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=']] },
    });
    const short = await checkDkim(dns, { ...input, keys: [rsaKey('example.com', 's1', KEY_1024, 1024)] });
    expect(byId(short.checks, 'dkim.strength')).toMatchObject({
      result: 'warning',
      title: 'RSA key of 1024 bits: 2048 advised',
    });
    expect(byId(short.checks, 'dkim.dns').result).toBe('pass');

    const tiny = await checkDkim(dns, { ...input, keys: [rsaKey('example.com', 's1', KEY_1024, 768)] });
    expect(byId(tiny.checks, 'dkim.strength').result).toBe('error');

    const ed: SigningKey = {
      domain: 'example.com',
      selector: 'e1',
      type: 'ed25519',
      bits: null,
      publicKey: '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
    };
    const edOnly = await checkDkim(dns, { ...input, keys: [ed] });
    expect(byId(edOnly.checks, 'dkim.dns').result).toBe('pass');
    expect(byId(edOnly.checks, 'dkim.strength')).toMatchObject({
      result: 'error',
      title: 'No RSA key: signed with ed25519 only',
    });
  });

  it('parses tag lists strictly', () => {
    expect(parseTagList('v=DKIM1; k=rsa; p=AB CD')?.get('p')).toBe('ABCD');
    expect(parseTagList('v=DKIM1; p')).toBeNull();
    expect(parseTagList('p=a; p=b')).toBeNull();
  });
});

describe('SPF check', () => {
  const input = { returnPathDomain: 'bounce.example.com', ips: ['203.0.113.5'], helo: 'mta.example.com' };

  it('passes when the record allows the sending address', async () => {
    const dns = scripted({ 'bounce.example.com': { TXT: [['v=spf1 ip4:203.0.113.0/24 -all']] } });
    const r = await checkSpf(dns, input);
    expect(r.passes).toBe(true);
    expect(r.checks.map((c) => [c.id, c.result])).toEqual([
      ['spf.record', 'pass'],
      ['spf.lookups', 'pass'],
      ['spf.ips', 'pass'],
    ]);
    expect(byId(r.checks, 'spf.lookups').title).toBe('SPF uses 0 of 10 DNS lookups');
  });

  it('is an error when there is no record', async () => {
    const r = await checkSpf(
      scripted({ 'bounce.example.com': { TXT: [['google-site-verification=abc']] } }),
      input,
    );
    expect(r.checks).toEqual([
      expect.objectContaining({
        id: 'spf.record',
        result: 'error',
        title: 'No SPF record for bounce.example.com',
      }),
    ]);
    const nx = await checkSpf(scripted({}), input);
    expect(byId(nx.checks, 'spf.record').result).toBe('error');
  });

  it('is an error for -all and a warning for ~all when the address is not listed', async () => {
    const fail = await checkSpf(
      scripted({ 'bounce.example.com': { TXT: [['v=spf1 ip4:198.51.100.1 -all']] } }),
      input,
    );
    expect(byId(fail.checks, 'spf.ips')).toMatchObject({ result: 'error', details: ['203.0.113.5: fail'] });
    const soft = await checkSpf(
      scripted({ 'bounce.example.com': { TXT: [['v=spf1 ip4:198.51.100.1 ~all']] } }),
      input,
    );
    expect(byId(soft.checks, 'spf.ips').result).toBe('warning');
  });

  it('is an error when the record is malformed or doubled', async () => {
    const bad = await checkSpf(
      scripted({ 'bounce.example.com': { TXT: [['v=spf1 ip4:203.0.113.0/24 frobnicate:x -all']] } }),
      input,
    );
    expect(byId(bad.checks, 'spf.record')).toMatchObject({
      result: 'error',
      title: 'The SPF record of bounce.example.com is invalid',
    });
    const two = await checkSpf(
      scripted({
        'bounce.example.com': {
          TXT: [['v=spf1 ip4:203.0.113.5 -all'], ['v=spf1 include:_spf.example.net -all']],
        },
      }),
      input,
    );
    expect(byId(two.checks, 'spf.record')).toMatchObject({
      result: 'error',
      title: '2 SPF records for bounce.example.com',
    });
  });

  it('counts lookups through includes and fails past ten', async () => {
    const zone: Zone = {
      'bounce.example.com': {
        TXT: [['v=spf1 include:i0.example.net mx -all']],
        MX: [{ exchange: 'mx.example.com', priority: 5 }],
      },
    };
    for (let i = 0; i < 11; i++) {
      zone[`i${i}.example.net`] = {
        TXT: [[i < 10 ? `v=spf1 a:h${i}.example.net include:i${i + 1}.example.net -all` : 'v=spf1 -all']],
      };
      zone[`h${i}.example.net`] = { A: ['198.51.100.7'] };
    }
    const r = await checkSpf(scripted(zone), input);
    const lookups = byId(r.checks, 'spf.lookups');
    expect(lookups.result).toBe('error');
    expect(lookups.title).toBe('SPF needs more than 10 DNS lookups');
    expect(r.passes).toBe(false);

    const within = await checkSpf(
      scripted({
        'bounce.example.com': { TXT: [['v=spf1 include:a.example.net include:b.example.net -all']] },
        'a.example.net': {
          TXT: [['v=spf1 ip4:203.0.113.5 mx -all']],
          MX: [{ exchange: 'mx.example.net', priority: 10 }],
        },
        'b.example.net': { TXT: [['v=spf1 a -all']] },
      }),
      input,
    );
    expect(byId(within.checks, 'spf.lookups').title).toBe('SPF uses 4 of 10 DNS lookups');
  });

  it('counts the terms as RFC 7208 does', async () => {
    const txt = new Map([
      [
        'd.example',
        ['v=spf1 a mx ip4:1.2.3.4 ptr exists:%{i}.x.example include:e.example redirect=f.example'],
      ],
      ['e.example', ['v=spf1 a:foo.example/24 -all']],
      ['f.example', ['v=spf1 mx:bar.example -all']],
    ]);
    expect(await countSpfLookups(scripted({}), 'd.example', txt)).toBe(6 + 1 + 1);
  });

  it('does not judge private addresses, but still reads the record', async () => {
    const r = await checkSpf(
      scripted({ 'bounce.example.com': { TXT: [['v=spf1 ip4:203.0.113.0/24 -all']] } }),
      {
        ...input,
        ips: ['127.0.0.1'],
      },
    );
    expect(r.checks.map((c) => [c.id, c.result])).toEqual([
      ['spf.record', 'pass'],
      ['spf.lookups', 'pass'],
      ['spf.ips', 'info'],
    ]);
  });
});

describe('DMARC check', () => {
  it('is an error with p=reject when neither DKIM nor SPF is aligned with From', async () => {
    const dns = scripted({
      '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; rua=mailto:d@example.com']] },
    });
    const checks = await checkDmarc(dns, {
      fromDomain: 'example.com',
      dkimDomain: 'esp.example.net',
      spfDomain: 'bounce.esp.example.net',
      spfPasses: true,
    });
    expect(byId(checks, 'dmarc.record')).toMatchObject({
      result: 'pass',
      title: 'DMARC record found for example.com (p=reject)',
    });
    const alignment = byId(checks, 'dmarc.alignment');
    expect(alignment.result).toBe('error');
    expect(alignment.explanation).toContain('DKIM d=esp.example.net is not aligned');
    expect(alignment.explanation).toContain('With p=reject receivers refuse these messages');
  });

  it('passes with relaxed alignment of a parent domain’s DKIM key, or of SPF', async () => {
    const dns = scripted({ '_dmarc.example.com': { TXT: [['v=DMARC1; p=quarantine']] } });
    const viaDkim = await checkDmarc(dns, {
      fromDomain: 'news.example.com',
      dkimDomain: 'example.com',
      spfDomain: 'esp.example.net',
      spfPasses: true,
    });
    expect(byId(viaDkim, 'dmarc.alignment').result).toBe('pass');
    const viaSpf = await checkDmarc(dns, {
      fromDomain: 'example.com',
      dkimDomain: null,
      spfDomain: 'bounce.example.com',
      spfPasses: true,
    });
    expect(byId(viaSpf, 'dmarc.alignment').result).toBe('pass');
    const spfFails = await checkDmarc(dns, {
      fromDomain: 'example.com',
      dkimDomain: null,
      spfDomain: 'bounce.example.com',
      spfPasses: false,
    });
    expect(byId(spfFails, 'dmarc.alignment').result).toBe('error');
  });

  it('warns on p=none misalignment and on a missing record; errors on a malformed one', async () => {
    const none = await checkDmarc(scripted({ '_dmarc.example.com': { TXT: [['v=DMARC1; p=none']] } }), {
      fromDomain: 'example.com',
      dkimDomain: 'other.example',
      spfDomain: 'other.example',
      spfPasses: true,
    });
    expect(byId(none, 'dmarc.alignment').result).toBe('warning');

    const absent = await checkDmarc(scripted({}), {
      fromDomain: 'example.com',
      dkimDomain: 'example.com',
      spfDomain: 'example.com',
      spfPasses: true,
    });
    expect(absent).toEqual([
      expect.objectContaining({
        id: 'dmarc.record',
        result: 'warning',
        title: 'No DMARC record for example.com',
      }),
    ]);

    const malformed = await checkDmarc(scripted({ '_dmarc.example.com': { TXT: [['v=DMARC1; p=bogus']] } }), {
      fromDomain: 'example.com',
      dkimDomain: 'example.com',
      spfDomain: 'example.com',
      spfPasses: true,
    });
    expect(malformed).toEqual([expect.objectContaining({ id: 'dmarc.record', result: 'error' })]);
  });
});

describe('message checks', () => {
  const base: BuiltMessage = {
    sizeBytes: 4_000,
    headers: [
      ['From', 'Shop <news@example.com>'],
      ['List-Unsubscribe', '<mailto:unsub@example.com?subject=u>, <https://example.com/u/abc>'],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    ],
    text: 'Hello',
    html: '<p>Hello <img src="cid:logo" alt="Shop"> <a href="https://example.com/x">www.example.com</a></p>',
  };

  it('passes a well-formed bulk message', () => {
    expect(checkMessage(base, [], 10).every((c) => c.result === 'pass')).toBe(true);
  });

  it('requires one-click unsubscription', () => {
    expect(checkUnsubscribe({ ...base, headers: [] }).result).toBe('error');
    expect(checkUnsubscribe({ ...base, headers: [base.headers[1]!] })).toMatchObject({
      result: 'warning',
      title: 'No List-Unsubscribe-Post: List-Unsubscribe=One-Click header',
    });
    expect(
      checkUnsubscribe({
        ...base,
        headers: [['List-Unsubscribe', '<mailto:u@example.com>'], base.headers[2]!],
      }).title,
    ).toBe('List-Unsubscribe has no https link: no one-click unsubscription');
    expect(
      checkUnsubscribe({ ...base, headers: [['list-unsubscribe', 'https://example.com/u']] }).result,
    ).toBe('error');
  });

  it('flags size, a missing text part, images without alt and deceptive links', () => {
    const checks = checkMessage(
      {
        ...base,
        sizeBytes: 150_000,
        text: '',
        html:
          '<img src="https://cdn.example.com/a.png"><img src="b.png" alt="">' +
          '<a href="https://trk.esp.net/c/1">https://www.example.com/offer</a>' +
          '<a href="https://example.com/y">Our offer</a><a href="https://shop.example.com/z">example.com</a>',
      },
      [],
      10,
    );
    expect(byId(checks, 'message.size').result).toBe('warning');
    expect(byId(checks, 'message.text').result).toBe('warning');
    expect(byId(checks, 'message.images')).toMatchObject({
      result: 'warning',
      title: '1 of 2 images without alt text',
      details: ['https://cdn.example.com/a.png'],
    });
    expect(byId(checks, 'message.links')).toMatchObject({
      result: 'warning',
      details: ['“https://www.example.com/offer” → https://trk.esp.net/c/1'],
    });
  });

  it('reads visible hosts', () => {
    expect(visibleHost('www.Example.com')).toBe('www.example.com');
    expect(visibleHost(' https://a.example.org/path?q=1 ')).toBe('a.example.org');
    expect(visibleHost('Click here')).toBeNull();
    expect(visibleHost('v1.2')).toBeNull();
    expect(readHtml('<a href="https://x.example">x.example</a>').mismatchedLinks).toEqual([]);
  });

  it('names the fields empty for some recipients', () => {
    const c = checkFields([{ field: 'firstName', recipients: 12, exampleLines: [3, 7, 9] }], 100);
    expect(c.result).toBe('warning');
    expect(c.details).toEqual(['firstName: empty for 12 of 100 recipients (lines 3, 7, 9, …)']);
  });
});

describe('recipient checks', () => {
  function facts(domains: Record<string, number>, over: Partial<RecipientFacts> = {}): RecipientFacts {
    return {
      rows: Object.values(domains).reduce((a, b) => a + b, 0),
      excluded: { quarantined: 0, denylisted: 0, double: 0, address_not_specified: 0 },
      domains: new Map(Object.entries(domains)),
      roleAccounts: { count: 0, examples: [] },
      ...over,
    };
  }

  it('finds typos of big providers and only those', () => {
    expect(providerTypo('gmial.com')).toBe('gmail.com');
    expect(providerTypo('gmail.con')).toBe('gmail.com');
    expect(providerTypo('hotmial.com')).toBe('hotmail.com');
    expect(providerTypo('yaho.com')).toBe('yahoo.com');
    expect(providerTypo('outlok.com')).toBe('outlook.com');
    expect(providerTypo('gmail.co')).toBe('gmail.com');
    expect(providerTypo('yahoo.con')).toBe('yahoo.com');
    const fineDomains = [
      'gmail.com',
      'example.com',
      'gmx.de',
      'mail.com',
      'live.fr',
      'free.fr',
      'corp.test',
      'yahoo.de',
      'hotmail.it',
      'outlook.es',
    ];
    for (const fine of fineDomains) expect(providerTypo(fine), fine).toBeNull();
    expect(editDistance('gmial', 'gmail')).toBe(1);
    const c = checkTypos(facts({ 'gmial.com': 3, 'gmail.com': 50, 'hotmial.com': 1 }));
    expect(c).toMatchObject({ result: 'warning', title: '4 recipients on mistyped provider domains' });
    expect(c.details?.[0]).toBe('gmial.com (3 recipients): did you mean gmail.com?');
  });

  it('recognises role accounts', () => {
    expect(isRoleAccount('Info@example.com')).toBe(true);
    expect(isRoleAccount('sales+eu@example.com')).toBe(true);
    expect(isRoleAccount('zoe@example.com')).toBe(false);
    expect(
      checkRoleAccounts(
        facts({}, { roleAccounts: { count: 2, examples: ['info@a.example', 'sales@b.example'] } }),
      ).result,
    ).toBe('warning');
  });

  it('states exclusions by reason and errors when nothing is left', () => {
    const some = checkExclusions(
      facts(
        { 'example.com': 100 },
        { excluded: { quarantined: 3, denylisted: 1, double: 2, address_not_specified: 0 } },
      ),
    );
    expect(some).toMatchObject({ result: 'info', title: '94 recipients to deliver, 6 excluded' });
    expect(some.details).toEqual(['Quarantined: 3', 'Denylisted: 1', 'Duplicates: 2']);
    const all = checkExclusions(
      facts(
        { 'example.com': 2 },
        { excluded: { quarantined: 2, denylisted: 0, double: 0, address_not_specified: 0 } },
      ),
    );
    expect(all.result).toBe('error');
  });

  it('finds domains that take no mail: no such domain, null MX, no MX and no address', async () => {
    const dns = scripted({
      'good.example': { MX: [{ exchange: 'mx.good.example', priority: 10 }] },
      'implicit.example': { A: ['192.0.2.10'] },
      'nullmx.example': { MX: [{ exchange: '', priority: 0 }] },
      'empty.example': {},
      'flaky.example': { fail: 'ESERVFAIL' },
    });
    const c = await checkDomainsMx(
      dns,
      facts({
        'good.example': 10,
        'implicit.example': 4,
        'nullmx.example': 3,
        'gone.example': 2,
        'empty.example': 1,
        'flaky.example': 1,
      }),
    );
    expect(c.result).toBe('warning');
    expect(c.title).toBe('6 recipients on 3 domains that take no mail');
    expect(c.details).toEqual([
      'nullmx.example (3 recipients): takes no mail (null MX)',
      'gone.example (2 recipients): domain does not exist',
      'empty.example (1 recipient): no MX and no address',
      'flaky.example: lookup failed (ESERVFAIL), not judged',
    ]);
    const ok = await checkDomainsMx(dns, facts({ 'good.example': 1, 'implicit.example': 1 }));
    expect(ok.result).toBe('pass');
  });
});
