/**
 * Where the delivery worker's code comes from. Node 20 cannot start a worker from a .ts file, so:
 * - in the bundled app (scripts/build.mjs defines RELAYDECK_BUILD=1) it is `delivery-worker.cjs` next to the
 *   bundle (out/main/, or out/main/ seen from out/bench/; app.asar.unpacked when packaged);
 * - when running the TypeScript sources (vitest), delivery-worker.ts is bundled on demand with esbuild (a dev
 *   dependency) into node_modules/.cache/relaydeck/, named by its content hash so a stale build is never
 *   used and concurrent test processes share it. Dependencies stay external and resolve from the repo.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const WORKER_FILE = 'delivery-worker.cjs';

let cached: string | null = null;

export function deliveryWorkerScript(): string {
  cached ??= process.env.RELAYDECK_BUILD === '1' ? bundledScript() : buildFromSources();
  return cached;
}

function bundledScript(): string {
  const candidates = [path.join(__dirname, WORKER_FILE), path.join(__dirname, '..', 'main', WORKER_FILE)];
  for (const file of candidates) {
    // Workers cannot load from inside an asar archive: prefer the unpacked copy when there is one.
    const unpacked = file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (unpacked !== file && fs.existsSync(unpacked)) return unpacked;
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `the delivery worker is missing: expected ${candidates[0]} (rebuild with "node scripts/build.mjs")`,
  );
}

interface EsbuildApi {
  buildSync(options: Record<string, unknown>): { outputFiles: { contents: Uint8Array }[] };
}

function buildFromSources(): string {
  const entry = path.join(__dirname, 'delivery-worker.ts');
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const esbuild = createRequire(entry)('esbuild') as EsbuildApi;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${entry}`);
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = path.join(root, 'node_modules', '.cache', 'relaydeck');
  const file = path.join(dir, `delivery-worker-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return file;
}
