/**
 * The bounce pages end to end: `relaydeck serve` on a temp data dir, Debian's Chromium driven by playwright-core.
 * Tests a pasted Gmail reply in the bounce rules' reply tester and jumps to the rule that decided; sees the rule
 * checker refuse a catch-all rule with its problems under the rules it shadows; sees the
 * rejections of a small sandbox delivery in the qualification table and opens a rule prefilled from one; imports
 * an RFC 3464 DSN (.eml) on the Inbound mail page and finds it listed (unmatched) with its recipient in the
 * drawer; adds an address to the quarantine and finds it by searching its prefix. Screenshots of the three pages
 * (light and dark) go to test-results/e2e/.
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput } from '../../src/shared/contract/schemas';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

/** A Postfix-style RFC 3464 DSN about a message we never sent (so it stays unmatched). */
const DSN = [
  'Return-Path: <>',
  'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
  'To: bounces@relaydeck.test',
  'Subject: Undelivered Mail Returned to Sender',
  'Date: Mon, 3 Mar 2025 10:00:00 +0000',
  'Message-ID: <20250303100000.ABC123@mx.example.net>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
  '',
  '--BOUNDARY',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'I am sorry to have to inform you that your message could not be delivered.',
  '',
  '<ghost.recipient@example.net>: host mx.example.net said: 550 5.1.1 User unknown',
  '',
  '--BOUNDARY',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.example.net',
  'Arrival-Date: Mon, 3 Mar 2025 09:59:58 +0000',
  '',
  'Final-Recipient: rfc822; ghost.recipient@example.net',
  'Original-Recipient: rfc822;ghost.recipient@example.net',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mx.example.net',
  'Diagnostic-Code: smtp; 550 5.1.1 <ghost.recipient@example.net>: Recipient address rejected: User unknown',
  '',
  '--BOUNDARY',
  'Content-Type: text/rfc822-headers',
  '',
  'From: news@elsewhere.test',
  'To: ghost.recipient@example.net',
  'Subject: Not one of ours',
  'Message-ID: <not-ours-1@elsewhere.test>',
  '',
  '--BOUNDARY--',
  '',
].join('\r\n');

const GMAIL_REPLY = [
  '550-5.1.1 The email account that you tried to reach does not exist. Please try',
  "550-5.1.1 double-checking the recipient's email address for typos or",
  '550-5.1.1 unnecessary spaces. For more information, go to',
  '550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.123 - gsmtp',
].join('\n');

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.consoleUrl);
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const text = async (id: string) => (await page.locator(byTestId(id)).first().textContent())?.trim() ?? '';

async function shoot(name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
}

describe('Bounce qualification page', () => {
  it('qualifies a pasted reply in the tester and jumps to the rule that decided', async () => {
    await page.click(byTestId('nav-qualification'));
    await page.waitForSelector(byTestId('qualification-page'));
    await page.click('#qualification-tab-rules');
    await page.waitForSelector(byTestId('bounce-rule-row'));

    await page.fill(byTestId('tester-reply'), GMAIL_REPLY);
    await page.fill(byTestId('tester-mx'), 'gmail-smtp-in.l.google.com');
    await page.click(byTestId('tester-run'));
    await page.waitForSelector(byTestId('tester-result'));
    expect(await text('tester-reason')).toBe('User unknown · Hard');
    expect(await text('tester-normalised')).toContain('does not exist');
    // Why: the rule and the words of the reply it matched, marked in the normalised text.
    expect(await text('tester-why')).toMatch(/^rule "gmail-no-such-user" .*: the reply says "/);
    expect((await text('tester-matched')).toLowerCase()).toContain('does not exist');

    await page.click(byTestId('tester-rule-link'));
    const highlighted = page.locator(`${byTestId('bounce-rule-row')}.is-highlighted`);
    await highlighted.waitFor();
    expect(await text('tester-rule-link')).toContain(
      (await highlighted.getAttribute('data-rule-id')) ?? 'no highlighted rule',
    );
    await highlighted.scrollIntoViewIfNeeded();
    await shoot('qualification-rules');
    await page.locator(byTestId('reply-tester')).screenshot({ path: path.join(SHOTS, 'reply-tester.png') });
    expect(errors).toEqual([]);
  });

  it('refuses a rule that shadows the ones after it and shows the problems under those rules', async () => {
    // A new rule goes before the generic fallbacks; the default one (any 5xx reply, any text) catches what the
    // later 5xx fallbacks would.
    await page.click(byTestId('bounce-rule-add'));
    await page.waitForSelector(byTestId('bounce-rule-drawer'));
    await page.fill(byTestId('br-pattern'), 'user (unknown');
    await page.click(byTestId('br-apply'));
    await page.waitForSelector(byTestId('error-br-pattern'));
    expect(await text('error-br-pattern')).toMatch(/does not compile/);
    // A pattern that can backtrack catastrophically on a hostile reply is refused where it is typed.
    await page.fill(byTestId('br-pattern'), '(a+)+$');
    await page.click(byTestId('br-apply'));
    await page.waitForSelector(`${byTestId('error-br-pattern')}:has-text("catastrophic backtracking")`);
    expect(await text('error-br-pattern')).toMatch(/exponential time on hostile text/);
    await page
      .locator(byTestId('bounce-rule-drawer'))
      .screenshot({ path: path.join(SHOTS, 'bounce-rule-redos.png') });
    await page.fill(byTestId('br-pattern'), '');
    await page.selectOption(byTestId('br-class'), '10');
    await page.click(byTestId('br-apply'));
    await page.waitForSelector(byTestId('bounce-rules-unsaved'));
    expect(await page.locator(byTestId('bounce-rule-row')).first().getAttribute('data-rule-id')).not.toBe(
      'custom-1',
    );

    await page.click(byTestId('bounce-rules-save'));
    await page.waitForSelector(byTestId('bounce-rules-problems'));
    expect(await text('bounce-rules-problems')).toContain('The rule checker refused the rules');
    expect(await page.locator(byTestId('bounce-rule-problem')).count()).toBeGreaterThan(1);
    expect(await page.locator(byTestId('bounce-rule-problem')).first().textContent()).toContain('custom-1');
    await page.locator(byTestId('bounce-rule-problem')).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'bounce-rules-refused.png') });

    await page.click(byTestId('bounce-rules-discard'));
    await page.waitForSelector(byTestId('bounce-rules-unsaved'), { state: 'detached' });
    expect(await page.locator(byTestId('bounce-rule-problem')).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lists the rejections of a delivery and prefills a rule from one of them', async () => {
    const created = await served.app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name: 'E2E bounces',
        template: { fromAddress: 'news@relaydeck.test', subject: 'Hello', text: 'Hello' },
        recipients: {
          fileName: 'bounces.csv',
          csv: 'email\nalice@inbox.test\nunknown.bob@shop.test\nunknown.carol@mail.test\nspam.dan@corp.test\n',
        },
      }),
      { transport: 'http' },
    );
    await served.app.campaign.whenRelayed(Number(created.delivery.id));
    await served.app.engine.whenIdle();

    await page.click('#qualification-tab-replies');
    // Qualified replies are under Keep / Ignore; show every status.
    await page.waitForSelector(byTestId('qualification-filter-clear'));
    await page.click(byTestId('qualification-filter-clear'));
    const unknownRow = `${byTestId('qualification-row')}:has-text("5.1.1")`;
    await page.waitForSelector(unknownRow, { timeout: 15_000 });
    expect(await page.locator(unknownRow).first().textContent()).toMatch(/^2/);
    await shoot('qualification');

    await page.click(unknownRow);
    await page.waitForSelector(byTestId('qualification-drawer'));
    expect(await text('qualification-raw')).toContain('5.1.1');
    expect(await text('qualification-why')).toMatch(/^rule "user-unknown" .*the reply says "/);
    await page.screenshot({ path: path.join(SHOTS, 'qualification-drawer.png') });
    await page.click(byTestId('create-rule-from-reply'));
    await page.waitForSelector(byTestId('bounce-rule-drawer'));
    expect(await page.inputValue(byTestId('br-code'))).toBe('550');
    expect(await page.inputValue(byTestId('br-enhanced'))).toBe('5.1.1');
    expect(await page.inputValue(byTestId('br-pattern'))).toContain('\\{email\\}');
    await page.screenshot({ path: path.join(SHOTS, 'bounce-rule-from-reply.png') });
    await page.click(byTestId('drawer-close'));
    expect(errors).toEqual([]);
  });
});

describe('Inbound mail page', () => {
  it('imports a DSN .eml file and lists it, unmatched, with its recipient', async () => {
    await page.click(byTestId('nav-inmail'));
    await page.waitForSelector(byTestId('inmail-page'));
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="inmail-listener"]')?.textContent?.includes('…'),
    );

    await page.setInputFiles(byTestId('inmail-file-input'), {
      name: 'ghost-dsn.eml',
      mimeType: 'message/rfc822',
      buffer: Buffer.from(DSN),
    });
    await page.waitForSelector(`${byTestId('inmail-file-result')}:has-text("1 message")`);
    expect(await text('inmail-file-result')).toContain('1 unmatched');

    const row = `${byTestId('inmail-row')}:has-text("Undelivered Mail Returned to Sender")`;
    await page.waitForSelector(row);
    expect(await page.locator(row).textContent()).toContain('DSN');
    expect(await page.locator(`${row} ${byTestId('inmail-unmatched')}`).count()).toBe(1);
    await shoot('inmail');

    await page.click(row);
    await page.waitForSelector(byTestId('inmail-recipient'));
    expect(await text('inmail-recipient')).toContain('ghost.recipient@example.net');
    expect(await text('inmail-recipient')).toContain('User unknown');
    expect(await text('inmail-raw')).toContain('Final-Recipient: rfc822; ghost.recipient@example.net');
    await page.screenshot({ path: path.join(SHOTS, 'inmail-drawer.png') });
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });
});

describe('Quarantine page', () => {
  it('adds an address and finds it by searching the start of it', async () => {
    await page.click(byTestId('nav-quarantine'));
    await page.waitForSelector(byTestId('quarantine-page'));

    await page.click(byTestId('quarantine-add'));
    await page.waitForSelector(byTestId('quarantine-add-drawer'));
    await page.fill(byTestId('quarantine-address'), 'not-an-address');
    await page.click(byTestId('quarantine-save'));
    await page.waitForSelector(byTestId('error-quarantine-address'));
    await page.fill(byTestId('quarantine-address'), 'Zed.Quarantined@Example.org');
    await page.selectOption(byTestId('quarantine-status'), 'denylisted');
    await page.fill(byTestId('quarantine-note'), 'added by the e2e test');
    await page.click(byTestId('quarantine-save'));
    await page.waitForSelector(byTestId('quarantine-notice'));

    await page.fill(byTestId('quarantine-search'), 'ZED.Q');
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="quarantine-row"]');
      return rows.length === 1 && rows[0]?.textContent?.includes('zed.quarantined@example.org');
    });
    expect(await text('quarantine-row')).toContain('Denylisted');
    await page.fill(byTestId('quarantine-search'), 'zz');
    await page.waitForSelector(byTestId('quarantine-empty'));
    await page.fill(byTestId('quarantine-search'), '');
    await page.waitForSelector(byTestId('quarantine-row'));
    await shoot('quarantine');
    expect(errors).toEqual([]);
  });
});
