/**
 * Serves the built renderer (`out/renderer`) to the browser console: GET/HEAD only, `index.html` for `/`,
 * content types by extension, and no way out of the directory (`..`, encoded separators, NUL, symlinks
 * pointing outside).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path to a file inside `root`, or null when it cannot be one of ours. `root` must be absolute and
 * already resolved through symlinks (see `realRoot`).
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((segment) => segment === '..')) return null;
  const file = path.resolve(root, relative);
  return isInside(root, file) ? file : null;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The directory's real path, or null when it has no `index.html` (renderer not built). */
export function realRoot(dir: string): string | null {
  try {
    const root = fs.realpathSync(dir);
    return fs.statSync(path.join(root, 'index.html')).isFile() ? root : null;
  } catch {
    return null;
  }
}

/** Responds with the file, or returns false (nothing written) when there is no such file. */
export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  const candidate = resolveStaticPath(root, pathname);
  if (!candidate) return false;
  let file: string;
  let size: number;
  try {
    file = await fs.promises.realpath(candidate);
    const stat = await fs.promises.stat(file);
    if (!stat.isFile() || !isInside(root, file)) return false;
    size = stat.size;
  } catch {
    return false;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeFor(file));
  res.setHeader('Content-Length', size);
  // index.html names the hashed bundles of the current build: never cache it; the bundles can be cached.
  res.setHeader('Cache-Control', file.endsWith('.html') ? 'no-store' : 'public, max-age=3600');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await new Promise<void>((resolve) => {
    const stream = fs.createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
  return true;
}
