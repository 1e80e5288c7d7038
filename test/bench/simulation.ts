/**
 * The campaign simulator's speed (issue 13): the demo campaign list (10,000 recipients across the shipped
 * provider profiles) and a 100,000-recipient one, a 3.5-day validity each, shipped rules, one scenario, run by
 * `runSimulation` in a child process each. Reports the real time, the simulated days per real second and the
 * figures' fingerprint (so two runs can be compared for determinism at a glance).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { DEFAULT_SANDBOX_PROFILES } from '../../src/main/defaults/sandbox-profiles';
import { DEMO_TEMPLATE } from '../../src/main/demo/content';
import { simulationCsv } from '../../src/main/demo/simulation-list';
import { silentLogger } from '../../src/main/logger';
import { runSimulation } from '../../src/main/simulate/run';
import { Scenario } from '../../src/shared/contract/simulation';
import { MAX_VALIDITY_MS } from '../../src/shared/domain/duration';

export const SIMULATION_SIZES = [10_000, 100_000] as const;

export interface SimulationBenchResult {
  recipients: number;
  realSeconds: number;
  simulatedDays: number;
  daysPerSecond: number;
  events: number;
  attempts: number;
  delivered: number;
  failed: number;
  expired: number;
  finalAfterHours: number | null;
  peakRssMb: number;
  /** A hash of the figures (every field but the real time). */
  fingerprint: string;
}

export async function runSimulationBench(input: { recipients: number }): Promise<SimulationBenchResult> {
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-bench-sim-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const started = performance.now();
    const [result] = await runSimulation({
      input: {
        name: 'bench',
        template: DEMO_TEMPLATE,
        recipients: { fileName: 'simulation.csv', csv: simulationCsv(input.recipients) },
        scenarios: [
          Scenario.parse({ name: 'shipped rules', validityMs: MAX_VALIDITY_MS, rules: DEFAULT_RULES }),
        ],
        profiles: DEFAULT_SANDBOX_PROFILES,
        seed: DEFAULT_SANDBOX_PROFILES.seed,
      },
      scratchDir,
      logger: silentLogger,
      onProgress: () => undefined,
    });
    const realSeconds = (performance.now() - started) / 1000;
    if (!result) throw new Error('no result');
    const { createHash } = await import('node:crypto');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ ...result, realMs: 0 }))
      .digest('hex')
      .slice(0, 12);
    const simulatedDays = result.simulatedMs / 86_400_000;
    return {
      recipients: input.recipients,
      realSeconds,
      simulatedDays,
      daysPerSecond: simulatedDays / realSeconds,
      events: result.events,
      attempts: result.attempts,
      delivered: result.delivery.kpi.success,
      failed: result.delivery.kpi.errors,
      expired: result.expired,
      finalAfterHours: result.finalAfterMs === null ? null : result.finalAfterMs / 3_600_000,
      peakRssMb: peakRss / 1024 / 1024,
      fingerprint,
    };
  } finally {
    clearInterval(sampler);
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

const int = (n: number) => n.toLocaleString('en-US');

export function simulationTable(results: SimulationBenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${int(r.recipients)} | ${r.realSeconds.toFixed(1)} s | ${r.simulatedDays.toFixed(2)} d | **${r.daysPerSecond.toFixed(3)}** | ${int(r.events)} | ${int(r.attempts)} | ${int(r.delivered)} / ${int(r.failed)} (${int(r.expired)} expired) | ${r.finalAfterHours === null ? '–' : `${r.finalAfterHours.toFixed(1)} h`} | ${r.peakRssMb.toFixed(0)} MB | \`${r.fingerprint}\` |`,
  );
  return [
    '| Recipients | Real time | Simulated | Simulated days per real second | Clock events | SMTP attempts | Delivered / failed | Figures final after | Peak RSS | Figures fingerprint |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function simulationMarkdown(
  results: SimulationBenchResult[],
  facts: Record<string, string>,
  at: Date,
): string {
  return [
    '## Campaign simulator (issue 13)',
    '',
    `One run on ${facts.CPU ?? 'this machine'} (${facts.Cores ?? '?'} cores), Node ${facts.Node ?? '?'}, commit ${facts.Commit ?? 'unknown'}, ${at.toISOString()}.`,
    '',
    'The demo campaign list (`src/main/demo/simulation-list.ts`: a third at Gmail-like, then Microsoft-like,',
    'Yahoo-like, a corporate greylisting gateway, full mailboxes, a tarpit and a dead domain) against the shipped',
    'provider profiles, shipped rules, a 3.5-day validity, one scenario, on the virtual clock: the engine, the',
    'campaign and the bounce side are the product’s own, only the network is simulated. Target: the 10,000-recipient',
    'campaign in under 30 s. The fingerprint hashes every figure of the result but the real time: the same code and',
    'seed give the same fingerprint on every run, however loaded the machine (the virtual clock never reads the wall',
    'clock). The 100,000-recipient campaign costs more per recipient: the queue the engine leases from is ten times',
    'larger.',
    '',
    simulationTable(results),
  ].join('\n');
}
