/**
 * Issue 14 points 7, 8 and 9 end to end (`relaydeck serve` on a temp data dir, Debian's Chromium):
 * - unsaved edits are guarded: an edited MX rule, then a console link or the browser's back button opens the
 *   "Leave without saving?" dialog; Stay keeps the page and the edit, Leave discards it; the New delivery form
 *   too;
 * - validation messages are plain English naming the field, in a form and in an API error banner, which shows
 *   no error code;
 * - "Add rule" in the bounce rules puts the rule before the generic fallbacks, wants a class chosen, and the
 *   reply tester tests the unsaved rule, showing the rules in force beside it.
 * Screenshots go to test-results/e2e/. Needs the built renderer (`node scripts/build.mjs`).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

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
  await page.waitForSelector(byTestId('nav-rules'));
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const gmailRow = `${byTestId('mx-rule-row')}[data-rule-id="gmail"]`;
const perHour = `${gmailRow} ${byTestId('mx-rule-per-hour')}`;
const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? '';
const hash = () => page.evaluate(() => window.location.hash);

describe('unsaved changes (issue 14.7)', () => {
  it('asks before leaving an edited MX rules page: Stay keeps the edit, Leave discards it', async () => {
    await page.click(byTestId('nav-rules'));
    await page.waitForSelector(gmailRow);
    const saved = await text(perHour);
    await page.click(`${gmailRow} ${byTestId('rule-edit')}`);
    await page.waitForSelector(byTestId('mx-rule-drawer'));
    await page.fill(byTestId('mx-per-hour'), '4321');
    await page.click(byTestId('mx-apply'));
    await page.waitForSelector(byTestId('unsaved-indicator'));
    expect(await text(perHour)).toBe('4,321/h');

    // A console link: held, the dialog names what would be lost.
    await page.click(byTestId('nav-deliveries'));
    await page.waitForSelector(byTestId('leave-dialog'));
    expect(await text(byTestId('leave-dialog-message'))).toBe(
      'You have unsaved changes to the MX rules. Leave and discard them, or stay to keep editing?',
    );
    expect(await hash()).toBe('#/rules');
    await page.screenshot({ path: path.join(SHOTS, 'unsaved-leave-dialog.png') });
    await page.click(byTestId('confirm-cancel'));
    await page.waitForSelector(byTestId('leave-dialog'), { state: 'detached' });
    expect(await hash()).toBe('#/rules');
    expect(await text(perHour)).toBe('4,321/h');
    await page.waitForSelector(byTestId('unsaved-indicator'));

    // The browser's back button: the address is put back, the same dialog; Stay again.
    await page.goBack();
    await page.waitForSelector(byTestId('leave-dialog'));
    expect(await hash()).toBe('#/rules');
    await page.click(byTestId('confirm-cancel'));
    await page.waitForSelector(byTestId('leave-dialog'), { state: 'detached' });
    expect(await text(perHour)).toBe('4,321/h');

    // Leave: the page goes, the edit with it.
    await page.click(byTestId('nav-deliveries'));
    await page.waitForSelector(byTestId('leave-dialog'));
    await page.click(byTestId('confirm-ok'));
    await page.waitForFunction(() => window.location.hash === '#/deliveries');
    await page.click(byTestId('nav-rules'));
    await page.waitForSelector(gmailRow);
    expect(await text(perHour)).toBe(saved);
    expect(await page.locator(byTestId('unsaved-indicator')).count()).toBe(0);
    // Without changes nothing asks.
    await page.click(byTestId('nav-deliveries'));
    await page.waitForFunction(() => window.location.hash === '#/deliveries');
    expect(await page.locator(byTestId('leave-dialog')).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('asks before leaving a New delivery form with something entered', async () => {
    await page.click(byTestId('nav-new-delivery'));
    await page.waitForSelector(byTestId('delivery-name'));
    await page.fill(byTestId('delivery-name'), 'Spring newsletter');
    await page.click(byTestId('nav-rules'));
    await page.waitForSelector(byTestId('leave-dialog'));
    expect(await text(byTestId('leave-dialog-message'))).toContain('unsaved changes to this new delivery');
    await page.click(byTestId('confirm-cancel'));
    await page.waitForSelector(byTestId('leave-dialog'), { state: 'detached' });
    expect(await page.inputValue(byTestId('delivery-name'))).toBe('Spring newsletter');
    await page.click(byTestId('nav-rules'));
    await page.click(byTestId('confirm-ok'));
    await page.waitForSelector(gmailRow);
    expect(errors).toEqual([]);
  });
});

describe('plain validation messages (issue 14.8)', () => {
  it('names the field and says what is allowed in a form and in an API error, without codes', async () => {
    await page.click(`${gmailRow} ${byTestId('rule-edit')}`);
    await page.waitForSelector(byTestId('mx-rule-drawer'));
    await page.fill(byTestId('mx-per-hour'), '0');
    await page.click(byTestId('mx-apply'));
    await page.waitForSelector(byTestId('error-mx-per-hour'));
    expect(await text(byTestId('error-mx-per-hour'))).toBe(
      'Messages per hour must be a whole number from 1 to 100,000,000 (it is 0)',
    );
    await page
      .locator(byTestId('mx-rule-drawer'))
      .screenshot({ path: path.join(SHOTS, 'plain-field-error.png') });
    await page.click(byTestId('drawer-close'));
    await page.waitForSelector(byTestId('mx-rule-drawer'), { state: 'detached' });

    // The server's refusal of a too long reply, in the reply tester's banner.
    await page.click(byTestId('nav-qualification'));
    await page.click('#qualification-tab-rules');
    await page.waitForSelector(byTestId('bounce-rule-row'));
    await page.fill(byTestId('tester-reply'), `550 ${'x'.repeat(20_000)}`);
    await page.click(byTestId('tester-run'));
    const banner = `${byTestId('reply-tester')} ${byTestId('error-banner')}`;
    await page.waitForSelector(banner);
    const said = await text(banner);
    expect(said).toContain('The reply could not be tested');
    expect(said).toContain('Reply must be at most 20,000 characters long (it has 20,004)');
    expect(said).not.toMatch(/invalid_input|Too big|expected|bounceRules\.test/);
    expect(await page.locator(banner).getAttribute('data-error-code')).toBe('invalid_input');
    await page
      .locator(byTestId('reply-tester'))
      .screenshot({ path: path.join(SHOTS, 'plain-api-error.png') });
    await page.fill(byTestId('tester-reply'), '');
    expect(errors).toEqual([]);
  });
});

describe('Add rule and the reply tester (issue 14.9)', () => {
  const REPLY = '550 5.1.1 <bob@example.com>: ACME gateway says nope';

  it('adds a rule before the generic fallbacks with a chosen class, and tests it before saving', async () => {
    await page.click(byTestId('nav-qualification'));
    await page.click('#qualification-tab-rules');
    await page.waitForSelector(byTestId('bounce-rule-row'));
    const rows = page.locator(byTestId('bounce-rule-row'));
    const total = await rows.count();
    const firstStatus = await page
      .locator(byTestId('bounce-rule-row'))
      .evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-rule-id')?.startsWith('status-')));
    expect(firstStatus).toBeGreaterThan(10);

    await page.click(byTestId('bounce-rule-add'));
    await page.waitForSelector(byTestId('bounce-rule-drawer'));
    expect(await text(`${byTestId('bounce-rule-drawer')} h2`)).toBe(`New bounce rule (#${firstStatus + 1})`);
    expect(await text(byTestId('br-placement'))).toContain('before the generic fallbacks');
    expect(await page.inputValue(byTestId('br-class'))).toBe('');
    await page.fill(byTestId('br-pattern'), 'acme gateway says nope');
    await page.fill(byTestId('br-enhanced'), '5.1.1');
    await page.click(byTestId('br-apply'));
    await page.waitForSelector(byTestId('error-br-class'));
    expect(await text(byTestId('error-br-class'))).toBe('Choose the bounce class this rule gives');
    await page
      .locator(byTestId('bounce-rule-drawer'))
      .screenshot({ path: path.join(SHOTS, 'bounce-rule-add.png') });
    await page.selectOption(byTestId('br-class'), '10');
    await page.click(byTestId('br-apply'));
    await page.waitForSelector(byTestId('bounce-rules-unsaved'));
    expect(await rows.count()).toBe(total + 1);
    expect(await rows.nth(firstStatus).getAttribute('data-rule-id')).toBe('custom-1');
    expect(await rows.first().getAttribute('data-rule-id')).not.toBe('custom-1');
    await page.waitForSelector(`${byTestId('bounce-rule-row')}.is-highlighted[data-rule-id="custom-1"]`);

    // The tester tests the unsaved table: the new rule decides; the rules in force decide otherwise.
    await page.fill(byTestId('tester-reply'), REPLY);
    await page.click(byTestId('tester-run'));
    await page.waitForSelector(`${byTestId('tester-rule')}:has-text("custom-1")`);
    expect(await text(byTestId('tester-rule'))).toContain(`#${firstStatus + 1} custom-1`);
    expect(await text(byTestId('tester-dirty'))).toContain('unsaved rules');
    expect(await text(byTestId('tester-in-force'))).toMatch(/^Decide differently: #\d+ /);
    expect(await text(byTestId('tester-in-force'))).not.toContain('custom-1');
    await page
      .locator(byTestId('reply-tester'))
      .screenshot({ path: path.join(SHOTS, 'reply-tester-draft.png') });

    // Discarding the draft tests the same reply again, with the rules in force.
    await page.click(byTestId('bounce-rules-discard'));
    await page.waitForSelector(byTestId('bounce-rules-unsaved'), { state: 'detached' });
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="tester-rule"]')?.textContent?.includes('custom-1'),
    );
    expect(await page.locator(byTestId('tester-in-force')).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('puts a new MX rule right before the generic * rule', async () => {
    await page.click(byTestId('nav-rules'));
    await page.waitForSelector(gmailRow);
    const count = await page.locator(byTestId('mx-rule-row')).count();
    await page.click(byTestId('mx-add'));
    await page.waitForSelector(byTestId('mx-rule-drawer'));
    expect(await text(`${byTestId('mx-rule-drawer')} h2`)).toBe(`New MX rule (#${count})`);
    expect(await text(byTestId('mx-placement'))).toContain('right before the generic * rule');
    await page.click(byTestId('drawer-close'));
    expect(errors).toEqual([]);
  });
});
