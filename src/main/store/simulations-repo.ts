/** Simulations (migration 14): what was simulated, its progress and every scenario's outcome. */
import {
  SandboxProfilesDocument,
  Scenario,
  ScenarioResult,
  type Simulation,
  type SimulationSummary,
} from '../../shared/contract/simulation';
import { z } from 'zod';
import type { Db } from './db';
import { stmt } from './statements';

interface SimulationRow {
  id: number;
  name: string;
  created_at: number;
  state: 'running' | 'done' | 'failed';
  error: string | null;
  recipients: number;
  seed: number;
  template_name: string;
  file_name: string;
  scenarios_json: string;
  profiles_json: string;
  progress_json: string;
  results_json: string | null;
  real_ms: number | null;
}

export interface NewSimulation {
  name: string;
  createdAt: number;
  recipients: number;
  seed: number;
  templateName: string;
  fileName: string;
  scenarios: Scenario[];
  profiles: SandboxProfilesDocument;
}

export type SimulationProgress = SimulationSummary['progress'];

const SUMMARY_COLUMNS =
  'id, name, created_at, state, error, recipients, seed, template_name, file_name, scenarios_json, profiles_json, progress_json, real_ms';

export function insertSimulation(db: Db, s: NewSimulation): number {
  const progress: SimulationProgress = {
    scenario: 0,
    simulatedMs: 0,
    validityMs: s.scenarios[0]?.validityMs ?? 0,
  };
  const result = stmt(
    db,
    `INSERT INTO simulations (name, created_at, state, recipients, seed, template_name, file_name, scenarios_json,
       profiles_json, progress_json)
     VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.name,
    s.createdAt,
    s.recipients,
    s.seed,
    s.templateName,
    s.fileName,
    JSON.stringify(s.scenarios),
    JSON.stringify(s.profiles),
    JSON.stringify(progress),
  );
  return Number(result.lastInsertRowid);
}

export function setSimulationProgress(db: Db, id: number, progress: SimulationProgress): void {
  stmt(db, `UPDATE simulations SET progress_json = ? WHERE id = ? AND state = 'running'`).run(
    JSON.stringify(progress),
    id,
  );
}

export function finishSimulation(db: Db, id: number, results: ScenarioResult[], realMs: number): void {
  stmt(db, `UPDATE simulations SET state = 'done', results_json = ?, real_ms = ? WHERE id = ?`).run(
    JSON.stringify(results),
    Math.round(realMs),
    id,
  );
}

export function failSimulation(db: Db, id: number, error: string): void {
  stmt(db, `UPDATE simulations SET state = 'failed', error = ? WHERE id = ? AND state = 'running'`).run(
    error,
    id,
  );
}

/** Simulations left running by a process that ended (they never finish): failed, with the reason. */
export function abandonRunningSimulations(db: Db): number {
  return stmt(
    db,
    `UPDATE simulations SET state = 'failed', error = 'interrupted: the app stopped while it ran' WHERE state = 'running'`,
  ).run().changes;
}

export function listSimulations(db: Db, limit: number): SimulationSummary[] {
  const rows = stmt(db, `SELECT ${SUMMARY_COLUMNS} FROM simulations ORDER BY id DESC LIMIT ?`).all(
    limit,
  ) as SimulationRow[];
  return rows.map(summaryOf);
}

export function getSimulation(db: Db, id: number): Simulation | null {
  const row = stmt(db, `SELECT ${SUMMARY_COLUMNS}, results_json FROM simulations WHERE id = ?`).get(id) as
    SimulationRow | undefined;
  if (!row) return null;
  return {
    ...summaryOf(row),
    templateName: row.template_name,
    fileName: row.file_name,
    profiles: SandboxProfilesDocument.parse(JSON.parse(row.profiles_json)),
    results: row.results_json ? z.array(ScenarioResult).parse(JSON.parse(row.results_json)) : [],
  };
}

export function deleteSimulation(db: Db, id: number): boolean {
  return stmt(db, 'DELETE FROM simulations WHERE id = ?').run(id).changes > 0;
}

function summaryOf(row: SimulationRow): SimulationSummary {
  const scenarios = z.array(Scenario).parse(JSON.parse(row.scenarios_json));
  return {
    id: String(row.id),
    name: row.name,
    createdAt: row.created_at,
    state: row.state,
    error: row.error,
    recipients: row.recipients,
    seed: row.seed,
    scenarioNames: scenarios.map((s) => s.name),
    progress: JSON.parse(row.progress_json) as SimulationProgress,
    realMs: row.real_ms,
  };
}
