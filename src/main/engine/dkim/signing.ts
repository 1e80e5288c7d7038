/**
 * DKIM signing of one message (RFC 6376, RFC 8463) with mailauth's canonicalization: relaxed/relaxed,
 * rsa-sha256 and, when the domain also has an ed25519 key, a second ed25519-sha256 signature over the same
 * body hash. From is over-signed (listed twice in h=) so that a From header added later breaks the signature.
 *
 * mailauth's own `dkimSign` parses the private key of every message (it accepts PEM only) and signs only the
 * headers that are present; this module uses mailauth's building blocks (header parsing, relaxed body hash,
 * relaxed header canonicalization, signature formatting) with keys parsed once (KeyObjects). Runs in the
 * signing workers.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { dkimBody } from 'mailauth/lib/dkim/body';
import { relaxedHeaders } from 'mailauth/lib/dkim/header/relaxed';
import { formatSignatureHeaderLine, getSigningHeaderLines, parseHeaders } from 'mailauth/lib/tools';

/** Headers signed when present (SPEC §5). */
export const SIGNED_HEADERS: readonly string[] = [
  'From',
  'Subject',
  'Date',
  'To',
  'Message-ID',
  'MIME-Version',
  'Content-Type',
  'Reply-To',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
];
/** Headers listed once more in h= than they occur, so that none can be added (RFC 6376 §8.15). */
export const OVERSIGNED_HEADERS: readonly string[] = ['From'];

const CANONICALIZATION = 'relaxed/relaxed';

export interface SigningKey {
  selector: string;
  key: KeyObject;
}

/** The keys a domain signs with: the newest enabled RSA key and the newest enabled ed25519 key. */
export interface DomainKeys {
  domain: string;
  rsa: SigningKey | null;
  ed25519: SigningKey | null;
}

/** Returns the message with its DKIM-Signature header(s) prepended (line endings normalised to CRLF). */
export function signMessage(input: Buffer, keys: DomainKeys, signTime: Date): Buffer {
  const raw = toCrlf(input);
  const split = raw.indexOf('\r\n\r\n');
  const headerEnd = split === -1 ? raw.length : split + 2;
  const headers = parseHeaders(raw.subarray(0, headerEnd));
  const hasher = dkimBody(CANONICALIZATION, 'sha256', false);
  if (split !== -1) hasher.update(raw.subarray(split + 4));
  const bodyHash = hasher.digest('base64');

  const lines = getSigningHeaderLines(headers.parsed, SIGNED_HEADERS.join(':'));
  const signingLines = { ...lines, keys: [lines.keys, ...OVERSIGNED_HEADERS].filter(Boolean).join(': ') };

  const signatures: string[] = [];
  const sign = (signer: SigningKey, algorithm: 'rsa-sha256' | 'ed25519-sha256') => {
    const { canonicalizedHeader, dkimHeaderOpts } = relaxedHeaders('DKIM', signingLines, {
      signingDomain: keys.domain,
      selector: signer.selector,
      algorithm,
      canonicalization: CANONICALIZATION,
      bodyHash,
      signTime,
    });
    const signature =
      algorithm === 'rsa-sha256'
        ? crypto.sign('sha256', canonicalizedHeader, signer.key)
        : // RFC 8463 §3: ed25519 signs the SHA-256 hash of the canonicalized header.
          crypto.sign(null, crypto.createHash('sha256').update(canonicalizedHeader).digest(), signer.key);
    signatures.push(
      formatSignatureHeaderLine('DKIM', { ...dkimHeaderOpts, b: signature.toString('base64') }, true),
    );
  };
  if (keys.rsa) sign(keys.rsa, 'rsa-sha256');
  if (keys.ed25519) sign(keys.ed25519, 'ed25519-sha256');
  if (signatures.length === 0) return raw;
  return Buffer.concat([Buffer.from(`${signatures.join('\r\n')}\r\n`), raw]);
}

/** Converts bare LF line endings to CRLF (SMTP transmits CRLF; the signature must cover those bytes). */
export function toCrlf(raw: Buffer): Buffer {
  let bare = false;
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, i + 1)) {
    if (i === 0 || raw[i - 1] !== 0x0d) {
      bare = true;
      break;
    }
  }
  if (!bare) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
