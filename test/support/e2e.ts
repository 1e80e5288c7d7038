/**
 * Shared plumbing of the end-to-end specs: the built renderer, a temp data dir, the console server
 * (`serve()` on an ephemeral port) and Debian's Chromium driven by playwright-core (never a downloaded browser).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createLogger, type Logger } from '../../src/main/logger';
import type { Question } from 'dns-packet';
import type { Page } from 'playwright-core';
import { serve, type Served } from '../../src/main/node/serve';
import { startDnsServer, type DnsReply } from './dns-server';

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

/**
 * `relaydeck serve` on the workspace's data dir and the built renderer, its DNS lookups (MX, the pre-send
 * analysis) sent to a scripted DNS server on 127.0.0.1 (no spec asks a real one): `dns` answers, by default
 * NXDOMAIN for every name.
 */
export async function serveConsole(
  w: Workspace,
  dns: (q: Question) => DnsReply = () => ({ rcode: 'NXDOMAIN' }),
): Promise<Served> {
  const dnsServer = await startDnsServer(dns);
  const served = await serve({
    dataDir: w.dataDir,
    staticDir: RENDERER,
    logger: w.logger,
    dnsServers: [dnsServer.address],
  }).catch(async (err: unknown) => {
    await dnsServer.close();
    throw err;
  });
  return {
    ...served,
    async close() {
      await served.close();
      await dnsServer.close();
    },
  };
}

/**
 * New delivery's "Create and start": the pre-send analysis runs first; when it finds errors (the specs' DNS
 * publishes nothing by default), confirms sending anyway and creates. Ends on the delivery's page.
 */
export async function createAndStart(page: Page): Promise<void> {
  await page.click(byTestId('submit-delivery'));
  const next = await Promise.race([
    page.waitForSelector(byTestId('delivery-detail')).then(() => 'created' as const),
    page.waitForSelector(byTestId('analysis-ack')).then(() => 'confirm' as const),
  ]);
  if (next === 'confirm') {
    await page.check(byTestId('analysis-ack'));
    await page.click(byTestId('submit-delivery'));
    await page.waitForSelector(byTestId('delivery-detail'));
  }
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
