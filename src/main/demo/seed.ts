/** Seeds a fresh data directory once: demo template and list, default route to the sandbox, demo files. */
import fs from 'node:fs';
import path from 'node:path';
import { writeTransaction, type Db } from '../store/db';
import { insertRecipientList } from '../store/lists-repo';
import { getSetting, setSetting } from '../store/settings-repo';
import { insertTemplate } from '../store/templates-repo';
import {
  DEMO_CSV,
  DEMO_EML,
  DEMO_LIST_FILE,
  DEMO_LIST_NAME,
  DEMO_TEMPLATE,
  DEMO_TEMPLATE_NAME,
} from './content';
import { SIMULATION_LIST_FILE, SIMULATION_LIST_NAME, simulationCsv } from './simulation-list';

export const DEMO_DIR = 'demo';

/**
 * The simulator's demo campaign list (10,000 recipients across the provider profiles), added once to every
 * data dir, including those seeded before the simulator existed. Returns true when it seeded.
 */
export function seedSimulationList(db: Db, dataDir: string, now: number): boolean {
  const seeded = writeTransaction(db, () => {
    if (getSetting(db, 'demoSimulationSeededAt') !== undefined) return false;
    insertRecipientList(
      db,
      { name: SIMULATION_LIST_NAME, fileName: SIMULATION_LIST_FILE, csv: simulationCsv() },
      now,
    );
    setSetting(db, 'demoSimulationSeededAt', now);
    return true;
  })();
  if (seeded) {
    const dir = path.join(dataDir, DEMO_DIR);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, SIMULATION_LIST_FILE), simulationCsv());
  }
  return seeded;
}

/** Returns true when it seeded (first start of this data dir). */
export function seedDemo(db: Db, dataDir: string, now: number): boolean {
  const seeded = writeTransaction(db, () => {
    if (getSetting(db, 'demoSeededAt') !== undefined) return false;
    insertTemplate(db, DEMO_TEMPLATE_NAME, DEMO_TEMPLATE, now);
    insertRecipientList(db, { name: DEMO_LIST_NAME, fileName: DEMO_LIST_FILE, csv: DEMO_CSV }, now);
    if (getSetting(db, 'defaultRoute') === undefined) setSetting(db, 'defaultRoute', { kind: 'sandbox' });
    setSetting(db, 'demoSeededAt', now);
    return true;
  })();
  if (seeded) {
    const dir = path.join(dataDir, DEMO_DIR);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, DEMO_LIST_FILE), DEMO_CSV);
    fs.writeFileSync(path.join(dir, 'message.eml'), DEMO_EML);
  }
  return seeded;
}
