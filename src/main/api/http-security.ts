/**
 * The browser console's access checks, as pure functions: the per-launch token (compared in constant time),
 * the loopback-only bind address, and the Host / Origin checks that stop other web pages (CSRF, DNS
 * rebinding) from reaching the API.
 */
import crypto from 'node:crypto';
import type { ErrorCode } from '../../shared/contract';

/** 32 random bytes, URL-safe: fits in `#token=`, `?token=` and `Authorization: Bearer`. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison (hashing first makes the lengths equal without leaking them). */
export function tokenMatches(expected: string, provided: string | null | undefined): boolean {
  if (typeof provided !== 'string' || provided.length === 0) return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(provided).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

const LOOPBACK_BIND_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** The address to listen on; anything that is not loopback is refused (the console is local only). */
export function loopbackBindHost(host: string | undefined): string {
  const h = host ?? '127.0.0.1';
  if (!LOOPBACK_BIND_HOSTS.has(h)) {
    throw new Error(
      `Refusing to listen on "${h}": the console server only binds to loopback (127.0.0.1 or ::1)`,
    );
  }
  return h === 'localhost' ? '127.0.0.1' : h;
}

/** Host names a browser may use to reach this server (in Host headers and origins). */
function loopbackHostNames(bindHost: string): string[] {
  return bindHost === '::1' ? ['[::1]', 'localhost'] : ['127.0.0.1', 'localhost'];
}

/** `http://127.0.0.1:PORT` and `http://localhost:PORT` (or `[::1]`): the only origins allowed to call. */
export function allowedOrigins(bindHost: string, port: number): string[] {
  return loopbackHostNames(bindHost).map((name) => `http://${name}:${port}`);
}

export interface RequestHeaders {
  host?: string | undefined;
  origin?: string | undefined;
}

export type AccessDenial = { code: Extract<ErrorCode, 'forbidden' | 'unauthorized'>; message: string };

/**
 * Host must name this server on a loopback name (a DNS-rebound name carries the attacker's host); Origin, when
 * present, must be exactly this server's own origin.
 */
export function checkHostAndOrigin(
  headers: RequestHeaders,
  bindHost: string,
  port: number,
): AccessDenial | null {
  const hosts = loopbackHostNames(bindHost).map((name) => `${name}:${port}`);
  if (!headers.host || !hosts.includes(headers.host.toLowerCase())) {
    return {
      code: 'forbidden',
      message: `Host "${headers.host ?? ''}" is not this console's loopback address`,
    };
  }
  if (headers.origin !== undefined && !allowedOrigins(bindHost, port).includes(headers.origin)) {
    return { code: 'forbidden', message: `Origin "${headers.origin}" is not allowed` };
  }
  return null;
}

/** The Content-Security-Policy sent with every response (the console loads nothing from elsewhere). */
export function contentSecurityPolicy(bindHost: string, port: number): string {
  const sockets = loopbackHostNames(bindHost)
    .map((name) => `ws://${name}:${port}`)
    .join(' ');
  return [
    "default-src 'self'",
    `connect-src 'self' ${sockets}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
