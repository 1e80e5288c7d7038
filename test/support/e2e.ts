/**
 * Shared plumbing of the end-to-end specs: the built renderer, a temp data dir, the console server
 * (`serve()` on an ephemeral port) and Debian's Chromium driven by playwright-core (never a downloaded browser).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createLogger, type Logger } from '../../src/main/logger';
import { serve, type Served } from '../../src/main/node/serve';

export const ROOT = path.resolve(__dirname, '../..');
export const RENDERER = path.join(ROOT, 'out/renderer');
/** Screenshots of every screen, kept as CI artifacts. */
export const SHOTS = path.join(ROOT, 'test-results/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

export interface Workspace {
  dir: string;
  dataDir: string;
  logger: Logger;
  remove(): void;
}

/** A temp dir with a data dir and a silent file logger; fails early when the renderer is not built. */
export function createWorkspace(): Workspace {
  if (!fs.existsSync(path.join(RENDERER, 'index.html')))
    throw new Error(`no built renderer in ${RENDERER}: run node scripts/build.mjs`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    logger: createLogger({ file: path.join(dir, 'e2e.log'), stderrLevel: 'silent' }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** `relaydeck serve` on the workspace's data dir and the built renderer. */
export function serveConsole(w: Workspace): Promise<Served> {
  return serve({ dataDir: w.dataDir, staticDir: RENDERER, logger: w.logger });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
