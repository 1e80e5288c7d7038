/**
 * Types of the mailauth 4 internals the signer builds on (the package ships types for its public entry
 * points only). Signatures as in node_modules/mailauth/lib/{tools.js,dkim/body/index.js,dkim/header/relaxed.js}.
 */
declare module 'mailauth/lib/tools' {
  export interface ParsedHeader {
    key: string | null;
    casedKey: string | undefined;
    line: Buffer;
  }
  export interface ParsedHeaders {
    parsed: ParsedHeader[];
    original: Buffer;
  }
  export interface SigningHeaderLines {
    /** The h= value: the signed header names joined by ": ". */
    keys: string;
    headers: ParsedHeader[];
  }
  export function parseHeaders(buf: Buffer): ParsedHeaders;
  export function getSigningHeaderLines(
    parsedHeaders: ParsedHeader[],
    fieldNames?: string,
    verify?: boolean,
  ): SigningHeaderLines;
  export function formatSignatureHeaderLine(
    type: 'DKIM' | 'ARC' | 'AS',
    values: Record<string, string | number | undefined>,
    folded?: boolean,
  ): string;
}

declare module 'mailauth/lib/dkim/body' {
  export interface BodyHasher {
    update(chunk: Buffer): void;
    digest(encoding: 'base64'): string;
  }
  export function dkimBody(
    canonicalization: string,
    hashAlgo: string,
    maxBodyLength: number | false,
  ): BodyHasher;
}

declare module 'mailauth/lib/dkim/header/relaxed' {
  import type { SigningHeaderLines } from 'mailauth/lib/tools';
  export function relaxedHeaders(
    type: 'DKIM',
    signingHeaderLines: SigningHeaderLines,
    options: {
      signingDomain: string;
      selector: string;
      algorithm: string;
      canonicalization: string;
      bodyHash: string;
      signTime?: Date;
    },
  ): {
    canonicalizedHeader: Buffer;
    signatureHeaderLine: string;
    dkimHeaderOpts: Record<string, string | number | undefined>;
  };
}
