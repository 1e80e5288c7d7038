/** Runs a simulation's scenarios (placeholder: implemented next). */
import type { ScenarioResult, SimulationInput } from '../../shared/contract/simulation';
import type { Logger } from '../logger';
import type { SimulationProgress } from '../store/simulations-repo';

export interface RunSimulationOptions {
  input: SimulationInput;
  scratchDir: string;
  logger: Logger;
  onProgress: (progress: SimulationProgress) => void;
}

export async function runSimulation(_o: RunSimulationOptions): Promise<ScenarioResult[]> {
  await Promise.resolve();
  throw new Error('not implemented yet');
}

/** Records of a CSV text (lines that are not blank, minus the header). */
export function countCsvRecords(csv: string): number {
  let n = 0;
  for (const line of csv.split(/\r?\n/)) if (line.trim() !== '') n++;
  return Math.max(0, n - 1);
}
