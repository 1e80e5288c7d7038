/**
 * The pre-send analysis end to end (issue 15): `relaydeck serve` asks a scripted DNS server on 127.0.0.1 that
 * publishes the sender domain's DKIM key (generated through the API), an SPF record and a DMARC record in
 * monitoring mode. On New delivery the analysis runs before "Create and start", shows its warnings (and the
 * demo template's missing List-Unsubscribe, an error), needs the confirmation to send anyway, turns stale when
 * the form changes, and the delivery's page shows the analysis it was created with. Screenshots (light and
 * dark) go to test-results/e2e/.
 */
import path from 'node:path';
import type { Answer, Question } from 'dns-packet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitTxtStrings } from '../../src/shared/domain/dkim';
import type { DnsReply } from '../support/dns-server';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';
import type { Served } from '../../src/main/node/serve';

const TXT: Record<string, string> = {
  'relaydeck.test': 'v=spf1 ip4:127.0.0.0/8 ~all',
  // p=none: reports only, which the analysis warns about.
  '_dmarc.relaydeck.test': 'v=DMARC1; p=none',
};

function reply(q: Question): DnsReply {
  const name = q.name.toLowerCase();
  if (q.type === 'TXT' && TXT[name]) {
    return { answers: [{ type: 'TXT', name: q.name, ttl: 300, data: splitTxtStrings(TXT[name]) } as Answer] };
  }
  return name.endsWith('relaydeck.test') ? { answers: [] } : { rcode: 'NXDOMAIN' };
}

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace, reply);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 2600 } });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

async function shoot(name: string, selector: string): Promise<void> {
  const el = page.locator(selector);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
    await el.screenshot({ path: path.join(SHOTS, `${name}${scheme === 'dark' ? '-dark' : ''}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
}

describe('pre-send analysis', () => {
  it('shows warnings before start, needs the errors confirmed, and is kept with the delivery', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const key = await served.app.handlers['dkim.generate'](
      { domain: 'relaydeck.test', selector: 'e2e', algorithm: 'rsa-sha256', bits: 1024 },
      { transport: 'http' },
    );
    TXT[key.dnsName] = key.txtRecord;

    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));
    await page.click(byTestId('empty-new-delivery'));
    await page.waitForSelector(byTestId('new-delivery-form'));
    await page.fill(byTestId('delivery-name'), 'Analysed newsletter');
    await page.click(byTestId('use-demo-list'));
    await page.waitForSelector(byTestId('recipients-preview'));
    await page.click(byTestId('use-demo-template'));

    await page.click(byTestId('run-analysis'));
    await page.waitForSelector(byTestId('analysis-summary'));
    const result = async (id: string) =>
      page
        .locator(`${byTestId('analysis-check')}[data-check="${id}"]`)
        .first()
        .getAttribute('data-result');
    expect(await result('dkim.key')).toBe('pass');
    expect(await result('dmarc.record')).toBe('pass');
    expect(await result('dkim.strength')).toBe('warning'); // 1024 bits
    expect(await result('message.unsubscribe')).toBe('error');
    const summary = (await page.locator(byTestId('analysis-summary')).textContent()) ?? '';
    expect(summary).toMatch(/^1 error, \d+ warnings? · \d+ checks passed$/);
    expect(await page.locator(byTestId('analysis-area-authentication')).count()).toBe(1);
    await shoot('analysis-panel', byTestId('analysis-panel'));

    // Errors not confirmed: "Create and start" stays on the page and says why.
    await page.click(byTestId('submit-delivery'));
    await page.waitForSelector(`${byTestId('analysis-submit-note')} .field-error`);
    expect(await page.locator(byTestId('delivery-detail')).count()).toBe(0);

    // A change of the form marks the result stale; running it again asks for a new confirmation.
    await page.fill(byTestId('subject'), 'Spring offers');
    await page.waitForSelector(byTestId('analysis-stale'));
    await page.click(byTestId('run-analysis'));
    await page.waitForSelector(byTestId('analysis-stale'), { state: 'detached' });

    await page.check(byTestId('analysis-ack'));
    await shoot('analysis-acknowledged', byTestId('analysis-panel'));
    await page.click(byTestId('submit-delivery'));
    await page.waitForSelector(byTestId('delivery-detail'));

    await page.waitForSelector(byTestId('delivery-analysis'));
    await page.click(`${byTestId('delivery-analysis')} summary`);
    expect(await page.locator(byTestId('analysis-acknowledged')).textContent()).toContain(
      'Errors acknowledged: sent anyway',
    );
    await page.waitForSelector(`${byTestId('delivery-analysis')} ${byTestId('analysis-check')}`);
    await page.locator(byTestId('delivery-analysis')).scrollIntoViewIfNeeded();
    await shoot('delivery-analysis', byTestId('delivery-analysis'));
    expect(errors).toEqual([]);
  });
});
