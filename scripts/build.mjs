#!/usr/bin/env node
// Builds every runnable part into out/: the CLI and the Electron main process (esbuild, CommonJS, dependencies
// left in node_modules), the sandboxed preload (one self-contained file) and the renderer (vite).
// Usage: node scripts/build.mjs [--main-only | --renderer-only]
import { build as esbuild } from 'esbuild';
import { existsSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const started = Date.now();

const nodeEntries = [
  { in: 'src/main/node/cli.ts', out: 'out/main/cli.cjs', banner: '#!/usr/bin/env node' },
  { in: 'src/main/electron/main.ts', out: 'out/main/electron.cjs' },
  // Self-contained (mailauth bundled in): packaged, it is unpacked from app.asar and loads nothing from it.
  {
    in: 'src/main/engine/workers/delivery-worker.ts',
    out: 'out/main/delivery-worker.cjs',
    selfContained: true,
  },
  // The CSV reader's worker thread (campaign side), self-contained like the delivery worker.
  { in: 'src/main/campaign/csv-worker.ts', out: 'out/main/csv-worker.cjs', selfContained: true },
  { in: 'test/bench/index.ts', out: 'out/bench/index.cjs' },
];

async function buildMain() {
  for (const entry of nodeEntries) {
    if (!existsSync(path.join(root, entry.in))) continue;
    await esbuild({
      absWorkingDir: root,
      entryPoints: [entry.in],
      outfile: entry.out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: entry.selfContained ? undefined : 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
      banner: entry.banner ? { js: entry.banner } : undefined,
      define: { 'process.env.RELAYDECK_BUILD': '"1"' },
    });
    if (entry.banner) chmodSync(path.join(root, entry.out), 0o755);
  }
  if (existsSync(path.join(root, 'src/main/electron/preload.ts'))) {
    // A sandboxed preload may only require('electron'): bundle everything else into it.
    await esbuild({
      absWorkingDir: root,
      entryPoints: ['src/main/electron/preload.ts'],
      outfile: 'out/preload/preload.cjs',
      bundle: true,
      platform: 'browser',
      format: 'cjs',
      external: ['electron'],
      target: 'chrome120',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
  }
}

async function buildRenderer() {
  if (!existsSync(path.join(root, 'src/renderer/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

if (!args.has('--renderer-only')) await buildMain();
if (!args.has('--main-only')) await buildRenderer();
console.error(`relaydeck: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
