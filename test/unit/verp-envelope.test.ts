/** VERP return-paths: round trip, per-delivery form, return-path setting, forged and foreign addresses. */
import { describe, expect, it } from 'vitest';
import { createEnvelopeSender, generateVerpKey, parseVerp } from '../../src/main/engine/bounce/verp';

const key = 'a'.repeat(64);

describe('VERP', () => {
  it('encodes the message in the envelope sender and parses it back', () => {
    const sender = createEnvelopeSender({ key, returnPath: () => null });
    const address = sender.forMessage('news@Example.COM', 123, 45);
    expect(address).toMatch(/^bounces\+123\.45\.[0-9a-f]{10}@example\.com$/);
    expect(parseVerp(address, key)).toEqual({ kind: 'message', logId: 123, deliveryId: 45 });
    expect(parseVerp(`<${address.toUpperCase()}>`, key)).toEqual({
      kind: 'message',
      logId: 123,
      deliveryId: 45,
    });
  });

  it('uses the return-path setting as the base address', () => {
    const sender = createEnvelopeSender({ key, returnPath: () => 'rp@bounce.example.net' });
    expect(sender.forMessage('news@example.com', 1, 2)).toMatch(
      /^rp\+1\.2\.[0-9a-f]{10}@bounce\.example\.net$/,
    );
  });

  it('encodes a delivery for group transactions', () => {
    const address = createEnvelopeSender({ key, returnPath: () => null }).forDelivery('a@example.com', 9);
    expect(address).toMatch(/^bounces\+d9\.[0-9a-f]{10}@example\.com$/);
    expect(parseVerp(address, key)).toEqual({ kind: 'delivery', deliveryId: 9 });
  });

  it('refuses forged tags, changed ids, other keys and ordinary addresses', () => {
    const address = createEnvelopeSender({ key, returnPath: () => null }).forMessage('a@example.com', 7, 3);
    const tag = /\.([0-9a-f]{10})@/.exec(address)?.[1] ?? '';
    expect(parseVerp(address.replace('+7.3.', '+8.3.'), key)).toBeNull();
    expect(parseVerp(address.replace(tag, '0'.repeat(10)), key)).toBeNull();
    expect(parseVerp(address.replace(tag, tag.slice(0, 8)), key)).toBeNull();
    expect(parseVerp(address, generateVerpKey())).toBeNull();
    expect(parseVerp('bounces@example.com', key)).toBeNull();
    expect(parseVerp('not an address', key)).toBeNull();
  });
});
