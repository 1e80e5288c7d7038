/**
 * Where the built parts of Relaydeck are, found from the running code. A leaf module (node built-ins only) so
 * any layer can ask without importing an entry point.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * `out/renderer`, found from the running code: the bundles run from `out/main/*.cjs` and the sources (tests,
 * tsx) from `src/main/paths.ts`, both two levels below the package root, so it is `../../out/renderer` from
 * either (never the sources' `../renderer`, the unbuilt one). Null when the renderer has not been built.
 */
export function defaultRendererDir(): string | null {
  const dir = path.resolve(__dirname, '../../out/renderer');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : null;
}
