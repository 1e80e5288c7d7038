/**
 * DKIM key material with node:crypto: generating RSA / ed25519 key pairs, reading an imported PEM private
 * key (PKCS#1 or PKCS#8) with clear errors, and the public part published in the TXT record's `p=` tag.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../../../shared/contract/errors';
import type { DkimKeyType } from '../../../shared/domain/dkim';

export const MIN_RSA_BITS = 1024;
export const MAX_RSA_BITS = 8192;
export const DEFAULT_RSA_BITS = 2048;

export interface KeyMaterial {
  type: DkimKeyType;
  /** RSA modulus length; null for ed25519. */
  bits: number | null;
  /** The private key as PKCS#8 PEM (the file's content). */
  privatePem: string;
  /** The `p=` value: base64 SubjectPublicKeyInfo DER (RSA) or the raw 32-byte key (ed25519, RFC 8463). */
  publicKey: string;
}

const generateKeyPair = promisify(crypto.generateKeyPair);

/** Generates a key pair off the event loop (a 4096-bit RSA key takes about a second). */
export async function generateKeyMaterial(type: DkimKeyType, bits = DEFAULT_RSA_BITS): Promise<KeyMaterial> {
  switch (type) {
    case 'rsa': {
      if (!Number.isInteger(bits) || bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new AppError('invalid_input', `bits: an RSA key has ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`, [
          { field: 'bits', message: `expected ${MIN_RSA_BITS} to ${MAX_RSA_BITS}, got ${bits}` },
        ]);
      }
      const { privateKey } = await generateKeyPair('rsa', { modulusLength: bits });
      return materialOf(privateKey);
    }
    case 'ed25519': {
      const { privateKey } = await generateKeyPair('ed25519');
      return materialOf(privateKey);
    }
  }
}

/**
 * Reads a PEM private key given by a user. Errors are `invalid_input` naming `field` (the API field or the
 * CLI option), e.g. `privateKeyPem: an RSA key must have at least 1024 bits (this one has 512)`.
 */
export function readPrivateKeyPem(pem: string, field = 'privateKeyPem'): KeyMaterial {
  const bad = (message: string) =>
    new AppError('invalid_input', `${field}: ${message}`, [{ field, message }]);
  const text = pem.trim();
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    if (/-----BEGIN [A-Z0-9 ]*PUBLIC KEY-----/.test(text))
      throw bad(
        'this is a public key; paste the private key (-----BEGIN PRIVATE KEY----- or RSA PRIVATE KEY)',
      );
    throw bad(
      'not a PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
    );
  }
  if (/ENCRYPTED/.test(text)) throw bad('the key is encrypted; export it without a passphrase');
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    throw bad(`the PEM cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw bad(`an RSA key must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
    if (bits > MAX_RSA_BITS)
      throw bad(`an RSA key must have at most ${MAX_RSA_BITS} bits (this one has ${bits})`);
  } else if (type !== 'ed25519') {
    throw bad(`DKIM signs with RSA or ed25519 keys; this is a${type ? `n ${type}` : 'n unknown'} key`);
  }
  return materialOf(key);
}

/**
 * Parses a stored private key (PKCS#8 PEM written by this module). Throws for an RSA key under 1024 bits (a
 * file replaced by hand): such a key never signs (SPEC §5).
 */
export function parseStoredKey(pem: string): KeyObject {
  const key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType === 'rsa' && bits < MIN_RSA_BITS)
    throw new Error(`an RSA key of ${bits} bits is under the ${MIN_RSA_BITS} bits DKIM requires`);
  return key;
}

function materialOf(privateKey: KeyObject): KeyMaterial {
  const publicKey = crypto.createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  if (privateKey.asymmetricKeyType === 'ed25519') {
    // The SPKI of an ed25519 key is a fixed 12-byte prefix followed by the raw 32-byte key.
    return {
      type: 'ed25519',
      bits: null,
      privatePem,
      publicKey: spki.subarray(spki.length - 32).toString('base64'),
    };
  }
  return {
    type: 'rsa',
    bits: privateKey.asymmetricKeyDetails?.modulusLength ?? null,
    privatePem,
    publicKey: spki.toString('base64'),
  };
}
