import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearerToken,
  checkHostAndOrigin,
  contentSecurityPolicy,
  generateToken,
  loopbackBindHost,
  tokenMatches,
} from '../../src/main/api/http-security';
import { contentTypeFor, realRoot, resolveStaticPath } from '../../src/main/api/static-files';
import { httpStatus } from '../../src/main/api/http-server';
import { ERROR_CODES, type ErrorCode } from '../../src/shared/contract';

describe('token', () => {
  it('is 32 random bytes in base64url, new every time', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    const t = generateToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, `${t}x`)).toBe(false);
    expect(tokenMatches(t, t.slice(0, -1))).toBe(false);
    expect(tokenMatches(t, '')).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, undefined)).toBe(false);
  });

  it('is read from a Bearer authorization header only', () => {
    expect(bearerToken('Bearer abc_-1')).toBe('abc_-1');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('bind address', () => {
  it('accepts loopback only', () => {
    expect(loopbackBindHost(undefined)).toBe('127.0.0.1');
    expect(loopbackBindHost('127.0.0.1')).toBe('127.0.0.1');
    expect(loopbackBindHost('localhost')).toBe('127.0.0.1');
    expect(loopbackBindHost('::1')).toBe('::1');
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '']) {
      expect(() => loopbackBindHost(host)).toThrow(/only binds to loopback/);
    }
  });
});

describe('Host and Origin checks', () => {
  const port = 41234;

  it('accepts the loopback names of this port, with or without our own Origin', () => {
    for (const host of ['127.0.0.1:41234', 'localhost:41234', 'LOCALHOST:41234']) {
      expect(checkHostAndOrigin({ host }, '127.0.0.1', port)).toBeNull();
    }
    expect(
      checkHostAndOrigin({ host: '127.0.0.1:41234', origin: 'http://127.0.0.1:41234' }, '127.0.0.1', port),
    ).toBeNull();
    expect(
      checkHostAndOrigin({ host: 'localhost:41234', origin: 'http://localhost:41234' }, '127.0.0.1', port),
    ).toBeNull();
    expect(checkHostAndOrigin({ host: '[::1]:41234', origin: 'http://[::1]:41234' }, '::1', port)).toBeNull();
  });

  it('refuses other hosts (DNS rebinding) and a missing Host', () => {
    for (const host of [
      'evil.example:41234',
      '127.0.0.1:1',
      '127.0.0.1',
      'localhost',
      '127.0.0.2:41234',
      undefined,
    ]) {
      expect(checkHostAndOrigin({ host }, '127.0.0.1', port)).toMatchObject({ code: 'forbidden' });
    }
  });

  it('refuses any other Origin, including null and other ports and schemes', () => {
    for (const origin of [
      'http://evil.example',
      'null',
      'http://127.0.0.1:41235',
      'https://127.0.0.1:41234',
      'http://127.0.0.1:41234/',
      'file://',
      '',
    ]) {
      expect(checkHostAndOrigin({ host: '127.0.0.1:41234', origin }, '127.0.0.1', port)).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('Origin'),
      });
    }
  });
});

describe('content security policy', () => {
  it('allows only our own origin and its event socket', () => {
    const csp = contentSecurityPolicy('127.0.0.1', 5000);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:5000 ws://localhost:5000");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|\*/);
  });
});

describe('HTTP status of each error code', () => {
  it('maps every registry code to an error status', () => {
    const statuses = Object.fromEntries(Object.keys(ERROR_CODES).map((c) => [c, httpStatus(c as ErrorCode)]));
    expect(statuses).toMatchObject({
      invalid_input: 400,
      unauthorized: 401,
      forbidden: 403,
      unknown_method: 404,
      not_found: 404,
      conflict: 409,
      internal: 500,
    });
    for (const status of Object.values(statuses)) expect(status).toBeGreaterThanOrEqual(400);
  });
});

describe('static paths', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('maps / to index.html and stays inside the root', () => {
    const root = '/srv/renderer';
    expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html');
    expect(resolveStaticPath(root, '/assets/app-1.js')).toBe('/srv/renderer/assets/app-1.js');
    expect(resolveStaticPath(root, '/assets/a%20b.css')).toBe('/srv/renderer/assets/a b.css');
    for (const bad of [
      '/../secret',
      '/assets/../../secret',
      '/%2e%2e/secret',
      '/..%2fsecret',
      '/a%5c..%5csecret',
      '/a%00.js',
      '/%E0%A4%A',
    ]) {
      expect(resolveStaticPath(root, bad)).toBeNull();
    }
  });

  it('knows the content types of a built renderer', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('icon.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('blob.bin')).toBe('application/octet-stream');
  });

  it('finds a root only when it has an index.html', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    expect(realRoot(dir)).toBeNull();
    expect(realRoot(path.join(dir, 'missing'))).toBeNull();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    expect(realRoot(dir)).toBe(fs.realpathSync(dir));
  });
});
