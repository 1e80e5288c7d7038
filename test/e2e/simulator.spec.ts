/**
 * The campaign simulator end to end (issue 13): `relaydeck serve` on a temp data dir, Debian's Chromium driven by
 * playwright-core.
 * - Provider profiles: edits Yahoo-like's greylisting rate, sees a bad value refused on its field in plain
 *   language, applies a good one, is asked before leaving with unsaved changes, saves, finds it after a reload,
 *   exports the JSON and sees a bad file's import refused naming the profile and the field.
 * - Simulations: starts a two-scenario simulation (3.5 days vs 12 hours of validity) of a 300-recipient CSV
 *   across gmail.test, yahoo.test, corporate.test and dead.test, waits for it to be done, opens the comparison
 *   and exports its PDF.
 * Screenshots and the PDF go to test-results/e2e/ (simulator-*.png, simulator-comparison.pdf).
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import fs from 'node:fs';
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
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const yahooRow = `${byTestId('profile-row')}[data-profile-id="yahoo"]`;

async function download(testId: string, saveAs?: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.click(byTestId(testId)),
  ]);
  const target = saveAs ?? path.join(workspace.dir, file.suggestedFilename());
  await file.saveAs(target);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(target) };
}

/**
 * A screenshot once the compositor has drawn the last change: after a scroll inside the drawer, a capture taken
 * at once may show tiles of the scrolled layer not yet rasterised (blank from 256 px onwards, as if clipped).
 */
async function shot(name: string): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  await page.screenshot({ path: path.join(SHOTS, name) });
}

/** 300 recipients: 120 at gmail.test, 80 at yahoo.test, 60 at corporate.test, 40 at dead.test. */
function recipientsCsv(): string {
  // The columns of the demo template's {{fields}}.
  const rows = ['email,first_name,city'];
  const add = (domain: string, n: number) => {
    for (let i = 0; i < n; i++) rows.push(`reader${i}@${domain},Reader ${i},Lyon`);
  };
  add('gmail.test', 120);
  add('yahoo.test', 80);
  add('corporate.test', 60);
  add('dead.test', 40);
  return `${rows.join('\n')}\n`;
}

describe('provider profiles editor', () => {
  it('edits a rate, refuses a bad value on its field, saves, and keeps it after a reload', async () => {
    await page.goto(served.consoleUrl);
    await page.click(byTestId('nav-simulator-profiles'));
    await page.waitForSelector(yahooRow);
    expect(await page.locator(`${yahooRow} ${byTestId('profile-rates')}`).textContent()).toContain(
      'Greylisted 5\u00a0%',
    );
    await page.screenshot({ path: path.join(SHOTS, 'simulator-profiles.png') });

    await page.click(`${yahooRow} ${byTestId('profile-edit')}`);
    await page.waitForSelector(byTestId('profile-drawer'));
    await page.fill('#profile-rate-greylist', '150');
    await page.click(byTestId('profile-apply'));
    const error = page.locator(byTestId('error-profile-rate-greylist'));
    await error.waitFor();
    // Plain language with the field's unit, never the schema's wording.
    expect(await error.textContent()).toBe('must be between 0\u00a0% and 100\u00a0% (it is 150\u00a0%)');
    expect(await page.locator('#profile-rate-greylist').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#profile-rate-greylist').scrollIntoViewIfNeeded();
    // Every section is laid out across the drawer; `shot` waits for the scrolled drawer to be drawn whole.
    const widths = await page.$$eval('.profile-section', (els) =>
      els.map((e) => Math.round(e.getBoundingClientRect().width)),
    );
    const body = await page.$eval('.drawer-body', (e) => e.clientWidth);
    expect(widths.every((w) => w >= body - 40)).toBe(true);
    await shot('simulator-profile-editor.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await shot('simulator-profile-editor-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');

    await page.fill('#profile-rate-greylist', '12');
    await page.click(byTestId('profile-apply'));
    await page.waitForSelector(byTestId('profile-drawer'), { state: 'detached' });
    await page.waitForSelector(byTestId('unsaved-indicator'));
    expect(await page.locator(`${yahooRow} ${byTestId('profile-rates')}`).textContent()).toContain(
      'Greylisted 12\u00a0%',
    );

    // A duplicate opens as a new profile without domains (a domain belongs to one profile).
    await page.click(`${byTestId('profile-row')}[data-profile-id="gmail"] ${byTestId('profile-duplicate')}`);
    await page.waitForSelector(`${byTestId('profile-drawer')}:has-text("New provider profile")`);
    expect(await page.inputValue(byTestId('profile-name'))).toBe('Gmail-like (copy)');
    await page.click(byTestId('profile-apply'));
    expect(await page.locator(byTestId('error-profile-domains')).textContent()).toBe('at least one domain');
    await page.click(byTestId('drawer-close'));
    await page.waitForSelector(byTestId('profile-drawer'), { state: 'detached' });

    // Leaving with unsaved changes asks; Stay keeps the page and the draft.
    await page.click(byTestId('nav-simulations'));
    await page.waitForSelector(byTestId('leave-dialog'));
    await page.click(byTestId('confirm-cancel'));
    await page.waitForSelector(byTestId('leave-dialog'), { state: 'detached' });
    expect(await page.evaluate(() => window.location.hash)).toBe('#/simulator/profiles');
    await page.waitForSelector(byTestId('unsaved-indicator'));

    await page.click(byTestId('profiles-save'));
    await page.waitForSelector(`${byTestId('profiles-notice')}:has-text("Saved")`);
    expect(await page.locator(byTestId('unsaved-indicator')).count()).toBe(0);

    await page.reload();
    await page.waitForSelector(yahooRow);
    expect(await page.locator(`${yahooRow} ${byTestId('profile-rates')}`).textContent()).toContain(
      'Greylisted 12\u00a0%',
    );
  });

  it('exports the profiles as JSON and refuses a bad file naming the profile and the field', async () => {
    const exported = await download('profiles-export');
    expect(exported.name).toMatch(/^relaydeck-sandbox-profiles-\d{4}-\d\d-\d\d\.json$/);
    const doc = JSON.parse(exported.bytes.toString('utf8')) as {
      format: string;
      profiles: { id: string; name: string; rates: Record<string, number> }[];
    };
    expect(doc.format).toBe('relaydeck-sandbox-profiles');
    const yahoo = doc.profiles.find((p) => p.id === 'yahoo');
    expect(yahoo?.rates.greylist).toBeCloseTo(0.12);

    if (yahoo) yahoo.rates.greylist = 3;
    await page.setInputFiles(byTestId('profiles-import-input'), {
      name: 'bad-profiles.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(doc)),
    });
    const problems = page.locator(byTestId('profiles-import-problems'));
    await problems.waitFor();
    expect(await problems.textContent()).toContain(
      'Yahoo-like · Greylisted rate: must be between 0\u00a0% and 100\u00a0%',
    );
    // Nothing was loaded.
    expect(await page.locator(byTestId('unsaved-indicator')).count()).toBe(0);

    // Reset to shipped asks first, then restores the shipped rates.
    await page.click(byTestId('profiles-reset'));
    await page.waitForSelector(byTestId('profiles-reset-dialog'));
    await page.click(byTestId('confirm-ok'));
    await page.waitForSelector(`${byTestId('profiles-notice')}:has-text("Shipped profiles restored")`);
    expect(await page.locator(`${yahooRow} ${byTestId('profile-rates')}`).textContent()).toContain(
      'Greylisted 5\u00a0%',
    );
  });
});

describe('simulations', () => {
  let simulationId = '';

  it('starts a two-scenario simulation of a CSV list and follows it to done', async () => {
    await page.goto(served.consoleUrl);
    await page.click(byTestId('nav-simulations'));
    await page.waitForSelector(byTestId('new-simulation'));
    await page.waitForSelector(`${byTestId('sim-template')} option`, { state: 'attached' });
    // A bad value is refused on its field before anything is sent.
    await page.fill('#sim-s1-per-transaction', '500');
    await page.click(byTestId('sim-start'));
    await page.waitForSelector(byTestId('error-sim-s1-per-transaction'));
    expect(await page.locator(byTestId('error-sim-name')).textContent()).toBe('a simulation needs a name');

    await page.fill(byTestId('sim-name'), 'Spring list: 3.5-day vs 12-hour validity');
    await page.setInputFiles(byTestId('sim-csv-input'), {
      name: 'spring-list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(recipientsCsv()),
    });
    await page.waitForSelector('#sim-recipients-hint:has-text("300 rows")');
    await page.fill('#sim-s1-per-transaction', '1');
    await page.fill('#sim-s1-validity', '12h');
    await page.screenshot({ path: path.join(SHOTS, 'simulator-new.png') });
    await page.click(byTestId('sim-start'));
    await page.waitForSelector(byTestId('simulation-started'));

    const row = page.locator(byTestId('simulation-row')).first();
    await row.waitFor();
    simulationId = (await row.getAttribute('data-simulation-id')) ?? '';
    expect(simulationId).not.toBe('');
    const doneRow = `${byTestId('simulation-row')}[data-simulation-id="${simulationId}"]`;
    await page.waitForSelector(`${doneRow}[data-state="done"], ${doneRow}[data-state="failed"]`, {
      timeout: 110_000,
    });
    await page.locator(byTestId('simulations-card')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'simulator-list.png') });
    expect(await page.locator(doneRow).getAttribute('data-state')).toBe('done');
    expect(await page.locator(`${doneRow} td`).nth(3).textContent()).toBe('300');
  });

  it('compares the scenarios side by side and exports the PDF', async () => {
    await page.click(
      `${byTestId('simulation-row')}[data-simulation-id="${simulationId}"] ${byTestId('simulation-open')}`,
    );
    await page.waitForSelector(byTestId('cmp-kpis'));
    expect(await page.locator(byTestId('comparison-title')).textContent()).toBe(
      'Spring list: 3.5-day vs 12-hour validity',
    );
    const facts = await page.locator(byTestId('comparison-facts')).textContent();
    expect(facts).toContain('300 from spring-list.csv');
    expect(facts).toContain('Seed');
    // Profiles met by the recipients, the dead domain's included.
    expect(facts).toMatch(/Gmail-like.*Yahoo-like.*Corporate gateway.*Dead domain/);
    // Two scenarios: a difference column.
    expect(await page.locator(`${byTestId('cmp-kpis')} thead th`).allTextContents()).toEqual([
      'Figure',
      'A',
      'B',
      'B − A',
    ]);
    const toDeliver = page.locator(`${byTestId('cmp-kpis')} tr[data-row="to-deliver"] td`);
    expect(await toDeliver.allTextContents()).toEqual(['300', '300', '=']);
    // With a shorter validity the dead domain's messages expire sooner: final figures earlier in B.
    const finalAfter = page.locator(`${byTestId('cmp-effort')} tr[data-row="final-after"] td`);
    expect((await finalAfter.allTextContents())[2]).toMatch(/^−/);
    // The dead domain never delivers: its row is in the domains table with 0 % delivered.
    expect(await page.locator(`${byTestId('cmp-domains')} tr:has-text("dead.test")`).textContent()).toContain(
      '0.0%',
    );
    await page.waitForSelector(`${byTestId('cmp-timeline')} svg`);
    await page.screenshot({ path: path.join(SHOTS, 'simulator-comparison.png') });
    await page.evaluate(() => document.querySelector('#main')?.scrollTo(0, 100_000));
    await page.screenshot({ path: path.join(SHOTS, 'simulator-comparison-end.png') });

    // What happened, line by line: the groups that matter, each scenario's example side by side.
    await page.evaluate(() =>
      document.querySelector('[data-testid="cmp-outcomes-section"]')?.scrollIntoView({ block: 'start' }),
    );
    await shot('simulator-outcomes.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await shot('simulator-outcomes-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    // The dead domain's group: its worked example's history collapsed, then whole.
    await page.selectOption(byTestId('outcomes-domain'), 'dead.test');
    const deadRows = page.locator(`${byTestId('outcome-row')}[data-domain="dead.test"]`);
    expect(await deadRows.count()).toBe(1);
    const dead = deadRows.first();
    expect(await dead.getAttribute('data-status')).toBe('failed');
    expect(await dead.locator('th').textContent()).toContain('Soft · Unreachable');
    // Scenario A (3.5 days) retried for days: collapsed to its first and last lines, then the expiry.
    const historyA = dead.locator(byTestId('outcome-history')).first();
    const linesA = await historyA.locator('li').allTextContents();
    expect(linesA[0]).toMatch(/Connection\s*refused \(mx\.dead\.test\).*deferred/);
    expect(linesA[3]).toMatch(/^… \d+ more attempts$/);
    expect(linesA.at(-1)).toMatch(/^3d 12h.*Validity ran out.*failed at expiry$/);
    expect(await dead.locator(byTestId('outcome-example')).first().textContent()).toContain('@dead.test');
    await dead.locator(byTestId('outcome-history-more')).first().click();
    expect(await historyA.locator('li.cmp-line').count()).toBeGreaterThan(linesA.length);
    await dead.scrollIntoViewIfNeeded();
    await shot('simulator-outcomes-dead.png');

    const pdf = await download('comparison-export-pdf', path.join(SHOTS, 'simulator-comparison.pdf'));
    expect(pdf.name).toBe(`relaydeck-simulation-${simulationId}-comparison.pdf`);
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.bytes.length).toBeGreaterThan(10_000);

    // The printable view (what the PDF prints): the groups that matter, and how many uneventful ones are left out.
    await page.click(byTestId('comparison-printable'));
    await page.waitForSelector(`${byTestId('report')}[data-report-ready="true"]`);
    const printedDead = page.locator(`${byTestId('outcome-row')}[data-domain="dead.test"]`);
    expect(await printedDead.locator(byTestId('outcome-history')).first().textContent()).toMatch(
      /… \d+ more attempts.*failed at expiry/,
    );
    expect(await page.locator(`${byTestId('outcome-row')}[data-status="sent"]`).count()).toBe(0);
    expect(await page.locator(byTestId('cmp-outcomes-left-out')).textContent()).toMatch(
      /^Left out: \d+ groups? of messages sent without incident/,
    );
    expect(errors).toEqual([]);
  });
});
