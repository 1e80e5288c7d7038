/**
 * The app's simulation service on a real data-dir store: simulations recorded, run one at a time in the
 * background, announced, kept; cancelled by close; an interrupted one marked failed at the next start.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/main/logger';
import { createSimulationService } from '../../src/main/simulate/service';
import { openDatabase, type Db } from '../../src/main/store/db';
import { insertSimulation } from '../../src/main/store/simulations-repo';
import { DEFAULT_SANDBOX_PROFILES } from '../../src/main/defaults/sandbox-profiles';
import { simulationCsv } from '../../src/main/demo/simulation-list';
import type { SimulationInput } from '../../src/shared/contract/simulation';
import { makeTempDir, type TempDir } from '../support/store-temp';

let tmp: TempDir;
let db: Db;
afterEach(() => {
  db?.close();
  tmp?.remove();
});

function open() {
  tmp = makeTempDir();
  db = openDatabase(path.join(tmp.dir, 'relaydeck.sqlite'));
  const changed: string[] = [];
  const service = createSimulationService({
    db,
    dataDir: tmp.dir,
    logger: silentLogger,
    notify: { simulationChanged: (id) => changed.push(id) },
    now: () => Date.UTC(2026, 11, 5),
  });
  return { service, changed };
}

const input = (name: string, size: number, validity = '6h'): SimulationInput => ({
  name,
  template: { fromAddress: 'news@sender.test', subject: 'Hi {{first_name}}', text: 'Hello' },
  recipients: { fileName: 'list.csv', csv: simulationCsv(size) },
  scenarios: [{ name: 'A', validityMs: validity === '6h' ? 6 * 3_600_000 : 3.5 * 86_400_000 }],
});

describe('simulation service', () => {
  it('runs two simulations started together, one after the other, and keeps their results', async () => {
    const { service, changed } = open();
    const first = service.start(input('first', 200));
    const second = service.start(input('second', 100));
    expect(first).toMatchObject({ state: 'running', recipients: 200, seed: DEFAULT_SANDBOX_PROFILES.seed });
    expect(second.id).not.toBe(first.id);
    await service.idle();
    const [a, b] = [service.get(first.id), service.get(second.id)];
    expect(a).toMatchObject({ state: 'done', error: null });
    expect(b).toMatchObject({ state: 'done', error: null });
    expect(a.results[0]!.delivery.kpi.processed).toBe(200);
    expect(b.results[0]!.delivery.kpi.processed).toBe(100);
    // The rules in force were recorded with the scenario; the progress reached the end.
    expect(a.results[0]!.scenario.rules?.format).toBe('relaydeck-rules');
    expect(a.progress.simulatedMs).toBeGreaterThan(0);
    expect(changed).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(service.list(10).map((s) => s.name)).toEqual(['second', 'first']);
    expect(service.remove(first.id)).toBe(true);
    expect(() => service.get(first.id)).toThrow(/does not exist/);
  }, 120_000);

  it('cancels a running simulation when closed, and marks one left running by a stopped process failed', async () => {
    const { service } = open();
    const started = service.start(input('long', 3000, '3.5d'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await service.close();
    expect(service.get(started.id)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^cancelled/),
    });
    const orphan = insertSimulation(db, {
      name: 'orphan',
      createdAt: 1,
      recipients: 1,
      seed: 1,
      templateName: 's',
      fileName: 'f.csv',
      scenarios: [],
      profiles: DEFAULT_SANDBOX_PROFILES,
    });
    createSimulationService({
      db,
      dataDir: tmp.dir,
      logger: silentLogger,
      notify: { simulationChanged() {} },
      now: () => 2,
    });
    expect(service.get(String(orphan))).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/interrupted/),
    });
  }, 60_000);
});
