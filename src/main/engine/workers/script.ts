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

const cached = new Map<string, string>();

/** The delivery worker's script (see the module comment). */
export function deliveryWorkerScript(): string {
  return workerScript('delivery-worker', path.join(__dirname, 'delivery-worker.ts'));
}

/**
 * A worker's script: `<name>.cjs` next to the bundle in the built app, else `sourceEntry` (a .ts file) bundled
 * on demand. The CSV worker of the campaign side (`campaign/csv-worker.ts`) is found the same way.
 */
export function workerScript(name: string, sourceEntry: string): string {
  let file = cached.get(name);
  if (!file) {
    file =
      process.env.RELAYDECK_BUILD === '1'
        ? bundledScript(`${name}.cjs`)
        : buildFromSources(name, sourceEntry);
    cached.set(name, file);
  }
  return file;
}

function bundledScript(workerFile: string): string {
  const candidates = [path.join(__dirname, workerFile), path.join(__dirname, '..', 'main', workerFile)];
  for (const file of candidates) {
    // Workers cannot load from inside an asar archive: prefer the unpacked copy when there is one.
    const unpacked = file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (unpacked !== file && fs.existsSync(unpacked)) return unpacked;
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `the worker script is missing: expected ${candidates[0]} (rebuild with "node scripts/build.mjs")`,
  );
}

interface EsbuildApi {
  buildSync(options: Record<string, unknown>): { outputFiles: { contents: Uint8Array }[] };
}

function buildFromSources(name: string, entry: string): string {
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
  const file = path.join(dir, `${name}-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return file;
}
