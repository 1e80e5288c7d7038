/**
 * The delivery analysis's DNS checks through the production resolver against a DNS server on 127.0.0.1: a DKIM
 * key published as several character-strings (a 2048-bit key does not fit in one), SPF with includes and an MX
 * mechanism, DMARC p=reject, and recipient domains with a null MX or none at all. Over UDP, and over TCP when
 * the answer is truncated, as a real resolver does.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Answer, Question } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDkim, checkDmarc, checkSpf } from '../../src/main/analysis/auth-checks';
import { checkDomainsMx } from '../../src/main/analysis/recipient-checks';
import { systemClock } from '../../src/main/clock';
import { createDnsResolver } from '../../src/main/engine/relay/node-dns';
import { dkimTxtRecord, splitTxtStrings } from '../../src/shared/domain/dkim';
import { startDnsServer, type DnsReply, type DnsServer } from '../support/dns-server';

const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');

const TXT: Record<string, string[][]> = {
  'rd202612._domainkey.example.com': [splitTxtStrings(dkimTxtRecord('rsa', publicKey))],
  'bounce.example.com': [['v=spf1 include:_spf.example.net mx -all']],
  '_spf.example.net': [['v=spf1 ip4:203.0.113.0/28 ~all']],
  '_dmarc.example.com': [['v=DMARC1; p=reject; adkim=r; aspf=r']],
};

function reply(q: Question): DnsReply {
  const name = q.name.toLowerCase();
  const answer = (a: { type: string; data: unknown }): DnsReply => ({
    answers: [{ name: q.name, ttl: 300, ...a } as Answer],
  });
  if (q.type === 'TXT' && TXT[name]) {
    return {
      answers: TXT[name].map((strings) => ({ type: 'TXT', name: q.name, ttl: 300, data: strings }) as Answer),
      // The DKIM answer is long: a real server would truncate it over UDP; the client must retry over TCP.
      truncateOverUdp: name.includes('_domainkey'),
    };
  }
  if (q.type === 'MX' && name === 'bounce.example.com')
    return answer({ type: 'MX', data: { preference: 10, exchange: 'mx.example.com' } });
  if (q.type === 'MX' && name === 'shop.example')
    return answer({ type: 'MX', data: { preference: 5, exchange: 'mx.shop.example' } });
  if (q.type === 'MX' && name === 'nullmx.example')
    return answer({ type: 'MX', data: { preference: 0, exchange: '' } });
  if (q.type === 'A' && name === 'mx.example.com') return answer({ type: 'A', data: '198.51.100.25' });
  if (
    ['bounce.example.com', 'example.com', 'shop.example', 'nullmx.example', 'mx.example.com'].includes(name)
  )
    return { answers: [] }; // NODATA
  return { rcode: 'NXDOMAIN' };
}

let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer(reply);
});
afterAll(() => server.close());

describe('delivery analysis over real DNS on loopback', () => {
  it('reads DKIM, SPF, DMARC and MX records as a receiver would', async () => {
    const dns = createDnsResolver({ servers: [server.address], clock: systemClock, timeoutMs: 2_000 });

    const dkim = await checkDkim(dns, {
      fromDomain: 'example.com',
      envelopeDomain: 'bounce.example.com',
      keys: [{ domain: 'example.com', selector: 'rd202612', type: 'rsa', bits: 2048, publicKey }],
    });
    expect(dkim.checks.map((c) => [c.id, c.result])).toEqual([
      ['dkim.key', 'pass'],
      ['dkim.dns.rd202612.rsa', 'pass'],
      ['dkim.strength', 'pass'],
    ]);
    expect(server.queries).toContainEqual({
      transport: 'tcp',
      type: 'TXT',
      name: 'rd202612._domainkey.example.com',
    });

    // 203.0.113.5 is in the included range, 198.51.100.25 is the MX's address; anything else meets -all (an
    // include that does not match goes on to the next term, whatever its own ~all says).
    const spf = await checkSpf(dns, {
      returnPathDomain: 'bounce.example.com',
      ips: ['203.0.113.5', '198.51.100.25'],
      helo: 'mta.example.com',
    });
    expect(spf.checks.map((c) => [c.id, c.result, c.title])).toEqual([
      ['spf.record', 'pass', 'SPF record found for bounce.example.com'],
      ['spf.lookups', 'pass', 'SPF uses 2 of 10 DNS lookups'],
      ['spf.ips', 'pass', 'SPF passes for 203.0.113.5, 198.51.100.25'],
    ]);
    const outside = await checkSpf(dns, {
      returnPathDomain: 'bounce.example.com',
      ips: ['192.0.2.77'],
      helo: 'mta',
    });
    expect(outside.checks.at(-1)).toMatchObject({
      id: 'spf.ips',
      result: 'error',
      details: ['192.0.2.77: fail'],
    });

    const aligned = await checkDmarc(dns, {
      fromDomain: 'example.com',
      dkimDomain: dkim.signingDomain,
      spfDomain: 'bounce.example.com',
      spfPasses: spf.passes,
    });
    expect(aligned.map((c) => [c.id, c.result])).toEqual([
      ['dmarc.record', 'pass'],
      ['dmarc.alignment', 'pass'],
    ]);
    const misaligned = await checkDmarc(dns, {
      fromDomain: 'example.com',
      dkimDomain: 'esp.example.net',
      spfDomain: 'esp.example.net',
      spfPasses: true,
    });
    expect(misaligned.at(-1)).toMatchObject({ id: 'dmarc.alignment', result: 'error' });

    const mx = await checkDomainsMx(dns, {
      rows: 6,
      excluded: { quarantined: 0, denylisted: 0, double: 0, address_not_specified: 0 },
      domains: new Map([
        ['shop.example', 3],
        ['nullmx.example', 2],
        ['nowhere.example', 1],
      ]),
      roleAccounts: { count: 0, examples: [] },
    });
    expect(mx.details).toEqual([
      'nullmx.example (2 recipients): takes no mail (null MX)',
      'nowhere.example (1 recipient): domain does not exist',
    ]);
  });
});
