/**
 * The DKIM signing choice (SPEC §5, issue 15 item 3), shared by the engine's keyring, the message viewer's
 * rebuild and the delivery analysis: From's side with an RSA key, else the envelope sender's, else ed25519 alone.
 */
import { describe, expect, it } from 'vitest';
import { chooseSigningDomain, type SigningKey } from '../../src/main/analysis/auth-checks';
import { chooseKeyRows, chooseSigningRows } from '../../src/main/engine/dkim/key-choice';
import type { DkimKeyRow } from '../../src/main/store/dkim-repo';
import { chooseSigning, describeSigning } from '../../src/shared/domain/dkim';

let nextId = 1;
function key(
  domain: string,
  type: 'rsa' | 'ed25519',
  o: { selector?: string; bits?: number | null; enabled?: boolean; createdAt?: number } = {},
): DkimKeyRow {
  const id = nextId++;
  return {
    id,
    domain,
    selector: o.selector ?? `${type === 'rsa' ? 's' : 'e'}${id}`,
    algorithm: type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
    bits: type === 'rsa' ? (o.bits === undefined ? 2048 : o.bits) : null,
    key_path: `/keys/${domain}/${id}.pem`,
    public_key: 'AAAA',
    enabled: o.enabled === false ? 0 : 1,
    created_at: o.createdAt ?? id,
  };
}

/** What signs a message from `from` with an envelope sender at `envelope`: `d= rsa-selector+ed-selector basis`. */
function signs(rows: DkimKeyRow[], from: string, envelope: string | null): string | null {
  const c = chooseSigningRows(chooseKeyRows(rows), from, envelope);
  if (!c) return null;
  const selectors = [c.keys.rsa?.selector, c.keys.ed25519?.selector].filter(Boolean).join('+');
  return `${c.domain} ${selectors} ${c.basis}${c.fromSide ? '' : ' (not aligned)'}`;
}

describe('chooseSigning over stored keys', () => {
  it("signs with the From domain's RSA key, plus its ed25519 key as a second signature", () => {
    const rows = [
      key('example.com', 'rsa', { selector: 'r1' }),
      key('example.com', 'ed25519', { selector: 'e1' }),
      key('bounce.example.net', 'rsa', { selector: 'b1' }),
    ];
    expect(signs(rows, 'example.com', 'bounce.example.net')).toBe('example.com r1+e1 from');
  });

  it('uses the nearest parent of the From domain with an RSA key, before the envelope domain', () => {
    const rows = [
      key('example.com', 'rsa', { selector: 'parent' }),
      key('news.example.com', 'ed25519', { selector: 'child-ed' }),
      key('bounce.example.net', 'rsa', { selector: 'b1' }),
    ];
    // news.example.com has only ed25519: its parent's RSA key signs (rsa-sha256 always, SPEC §5).
    expect(signs(rows, 'news.example.com', 'bounce.example.net')).toBe('example.com parent from');
    expect(
      signs([...rows, key('news.example.com', 'rsa', { selector: 'child' })], 'news.example.com', null),
    ).toBe('news.example.com child+child-ed from');
  });

  it("falls back to the envelope sender's domain (or a parent) with an RSA key, not aligned with From", () => {
    const rows = [
      key('example.net', 'rsa', { selector: 'b1' }),
      key('example.net', 'ed25519', { selector: 'be' }),
    ];
    expect(signs(rows, 'shop.example.com', 'bounce.example.net')).toBe(
      'example.net b1+be envelope (not aligned)',
    );
    // Without a return-path setting the envelope domain is From's: nothing to fall back to.
    expect(signs(rows, 'shop.example.com', 'shop.example.com')).toBeNull();
  });

  it('signs with an ed25519 key alone only when no RSA key exists on either side, From side first', () => {
    const rows = [
      key('example.com', 'ed25519', { selector: 'from-ed' }),
      key('bounce.example.net', 'ed25519', { selector: 'env-ed' }),
    ];
    expect(signs(rows, 'example.com', 'bounce.example.net')).toBe('example.com from-ed ed25519-only');
    expect(signs(rows.slice(1), 'example.com', 'bounce.example.net')).toBe(
      'bounce.example.net env-ed ed25519-only (not aligned)',
    );
    // An RSA key on the envelope side wins over an ed25519 key on From's side.
    expect(
      signs(
        [...rows, key('bounce.example.net', 'rsa', { selector: 'env-rsa' })],
        'example.com',
        'bounce.example.net',
      ),
    ).toBe('bounce.example.net env-rsa+env-ed envelope (not aligned)');
  });

  it('never uses an RSA key under 1024 bits', () => {
    const rows = [
      key('example.com', 'rsa', { selector: 'weak', bits: 768, createdAt: 100 }),
      key('example.com', 'rsa', { selector: 'ok', bits: 1024, createdAt: 1 }),
    ];
    // The newer key is too short: the older 1024-bit one signs.
    expect(signs(rows, 'example.com', null)).toBe('example.com ok from');
    // Only a short key on From's side: the envelope domain's key signs instead.
    expect(
      signs(
        [rows[0]!, key('bounce.example.net', 'rsa', { selector: 'b1' })],
        'example.com',
        'bounce.example.net',
      ),
    ).toBe('bounce.example.net b1 envelope (not aligned)');
    expect(signs([rows[0]!], 'example.com', null)).toBeNull();
    expect(signs([key('example.com', 'rsa', { bits: null })], 'example.com', null)).toBeNull();
  });

  it('ignores disabled keys', () => {
    const rows = [
      key('example.com', 'rsa', { selector: 'off', enabled: false }),
      key('example.com', 'ed25519', { selector: 'ed', enabled: false }),
      key('bounce.example.net', 'rsa', { selector: 'b1' }),
    ];
    expect(signs(rows, 'example.com', 'bounce.example.net')).toBe(
      'bounce.example.net b1 envelope (not aligned)',
    );
    expect(signs(rows.slice(0, 2), 'example.com', 'example.com')).toBeNull();
  });

  it('is case- and trailing-dot-insensitive and signs nothing for a domain without a dot', () => {
    const keysOf = (d: string) => (d === 'example.com' ? { rsa: true, ed25519: false } : undefined);
    expect(chooseSigning('News.Example.COM.', null, keysOf)?.domain).toBe('example.com');
    expect(chooseSigning('localhost', 'localhost', keysOf)).toBeNull();
  });
});

describe('describeSigning', () => {
  it('says in words who signed, and whether it is aligned with From', () => {
    expect(describeSigning({ domain: 'example.com', rsa: true, ed25519: true }, 'news.example.com')).toBe(
      'Signed by example.com (rsa-sha256 + ed25519)',
    );
    expect(describeSigning({ domain: 'bounce.example.net', rsa: true, ed25519: false }, 'example.com')).toBe(
      'Signed by bounce.example.net (rsa-sha256): not aligned with From',
    );
    expect(describeSigning({ domain: 'example.com', rsa: false, ed25519: true }, 'example.com')).toMatch(
      /^Signed by example.com \(ed25519\): no RSA signature/,
    );
    expect(describeSigning(null, 'example.com')).toBe('Unsigned');
  });
});

describe("the delivery analysis's DKIM choice", () => {
  const rsa = (domain: string, bits = 2048): SigningKey => ({
    domain,
    selector: 's1',
    type: 'rsa',
    bits,
    publicKey: 'AAAA',
  });
  const ed = (domain: string): SigningKey => ({
    domain,
    selector: 'e1',
    type: 'ed25519',
    bits: null,
    publicKey: 'AAAA',
  });

  it("is the engine's: an RSA key on the envelope side wins over ed25519 alone on From's, short keys never sign", () => {
    expect(
      chooseSigningDomain('example.com', 'bounce.example.net', [
        ed('example.com'),
        rsa('bounce.example.net'),
      ]),
    ).toEqual({
      domain: 'bounce.example.net',
      aligned: false,
      basis: 'envelope',
    });
    expect(chooseSigningDomain('example.com', 'example.com', [ed('example.com')])).toEqual({
      domain: 'example.com',
      aligned: true,
      basis: 'ed25519-only',
    });
    expect(
      chooseSigningDomain('example.com', 'bounce.example.net', [
        rsa('example.com', 768),
        rsa('bounce.example.net'),
      ]),
    ).toMatchObject({
      domain: 'bounce.example.net',
      basis: 'envelope',
    });
  });
});
