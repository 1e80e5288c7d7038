/**
 * `npm run bench` (issue 3 item 9): the engine's throughput, latency, CPU and memory against a loopback
 * smtp-sink, with the sink's own ceiling measured in the same run; writes docs/benchmarks.md.
 *
 * Usage: node out/bench/index.cjs [--messages N] [--queued N] [--skip-dkim] [--skip-no-dkim] [--skip-queued]
 *   [--skip-scale] [--skip-adaptive] [--adaptive-only] [--adaptive-messages N] [--skip-simulation]
 *   [--simulation-only] [--no-write]
 * Each scenario runs in a child process of this same file (`--scenario NAME JSON`). Every wait is bounded and
 * the whole run is capped; nothing but 127.0.0.1 is contacted.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ADAPTIVE_MESSAGES,
  ADAPTIVE_RECEIVERS,
  CAP_FACTOR,
  adaptiveMarkdown,
  adaptiveTable,
  idealSeconds,
  runAdaptiveDelivery,
  runAdaptiveReceiver,
  type AdaptiveResult,
} from './adaptive';
import { writeSection } from './doc-sections';
import { markdown, machine, table, type BenchResults } from './report';
import { fillQueue, holdQueue, runDelivery, type QueueFillResult } from './scenarios';
import { runScaleBench, scaleMarkdown, writeScaleSection } from './scale';
import {
  SIMULATION_SIZES,
  runSimulationBench,
  simulationMarkdown,
  simulationTable,
  type SimulationBenchResult,
} from './simulation';
import { measureCeiling, startSink } from './sink';

const ROOT = path.resolve(__dirname, '../..');
const TOTAL_LIMIT_MS = 9.5 * 60_000;
const SCENARIOS = {
  delivery: runDelivery,
  fill: fillQueue,
  hold: holdQueue,
  'adaptive-delivery': runAdaptiveDelivery,
  simulation: runSimulationBench,
} as const;
type ScenarioName = keyof typeof SCENARIOS;

async function child(): Promise<void> {
  const name = process.argv[3] as ScenarioName;
  const input: unknown = JSON.parse(process.argv[4] ?? '{}');
  const scenario = SCENARIOS[name] as (input: unknown) => Promise<unknown>;
  try {
    const result = await scenario(input);
    process.send?.({ ok: true, result });
  } catch (err) {
    process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  process.disconnect?.();
}

/** Runs a scenario in a child process; rejects on failure or after `timeoutMs`. */
function inChild<T>(name: ScenarioName, input: object, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const proc = fork(process.argv[1] ?? __filename, ['--scenario', name, JSON.stringify(input)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      done(new Error(`scenario ${name} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const done = (err: Error | null, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    };
    proc.on('message', (m: { ok: boolean; result?: T; error?: string }) =>
      m.ok ? done(null, m.result) : done(new Error(`scenario ${name} failed: ${m.error}`)),
    );
    proc.on('exit', (code) => done(new Error(`scenario ${name} exited (${code}) without a result`)));
  });
}

/** A failed scenario is reported in the table (and on stderr) instead of losing the other figures. */
async function attempt<T>(run: () => Promise<T>): Promise<T | { skipped: string }> {
  try {
    return await run();
  } catch (err) {
    console.error('bench: scenario failed:', err);
    return { skipped: `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '100000' },
      queued: { type: 'string', default: '1000000' },
      'skip-dkim': { type: 'boolean', default: false },
      'skip-no-dkim': { type: 'boolean', default: false },
      'skip-scale': { type: 'boolean', default: false },
      'skip-queued': { type: 'boolean', default: false },
      'skip-adaptive': { type: 'boolean', default: false },
      'adaptive-only': { type: 'boolean', default: false },
      'skip-simulation': { type: 'boolean', default: false },
      'simulation-only': { type: 'boolean', default: false },
      'adaptive-messages': { type: 'string', default: String(ADAPTIVE_MESSAGES) },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const adaptiveMessages = Number(values['adaptive-messages']);
  if (values['simulation-only']) {
    await simulationSection(!values['no-write']);
    return;
  }
  if (values['adaptive-only']) {
    await adaptiveSection(adaptiveMessages, !values['no-write']);
    return;
  }
  const messages = Number(values.messages);
  const queued = Number(values.queued);
  const began = Date.now();
  const left = () => TOTAL_LIMIT_MS - (Date.now() - began);
  const overall = setTimeout(() => {
    console.error('bench: the whole run exceeded its time limit; stopping');
    process.exit(2);
  }, TOTAL_LIMIT_MS);
  overall.unref();

  const sink = await startSink(1000);
  try {
    const step = (msg: string) =>
      console.error(`bench: ${msg} (${((Date.now() - began) / 1000).toFixed(0)} s)`);
    step(`smtp-sink on 127.0.0.1:${sink.port}; measuring its ceiling`);
    const ceiling = await measureCeiling(sink.port, 100_000, Math.min(120_000, left()));
    step(`ceiling ${Math.round(ceiling.msgsPerSec)} msgs/s; delivery of ${messages} without DKIM`);
    let noDkim: BenchResults['noDkim'] = { skipped: 'skipped (--skip-no-dkim)' };
    if (!values['skip-no-dkim']) {
      noDkim = await attempt(() =>
        inChild<Awaited<ReturnType<typeof runDelivery>>>(
          'delivery',
          { messages, port: sink.port, dkim: false, timeoutMs: 170_000 },
          Math.min(180_000, left()),
        ),
      );
    }
    let dkim: BenchResults['dkim'] = { skipped: 'skipped (--skip-dkim)' };
    if (!values['skip-dkim']) {
      step('delivery with DKIM rsa-sha256 2048');
      dkim = await attempt(() =>
        inChild(
          'delivery',
          { messages, port: sink.port, dkim: true, timeoutMs: 170_000 },
          Math.min(180_000, left()),
        ),
      );
    }
    let queuedResult: BenchResults['queued'] = { skipped: 'skipped (--skip-queued)' };
    if (!values['skip-queued']) {
      step(`preparing and relaying ${queued} messages into the queue`);
      queuedResult = await attempt(async () => {
        const fill = await inChild<QueueFillResult>(
          'fill',
          { messages: queued, port: sink.port, timeoutMs: 200_000 },
          Math.min(210_000, left()),
        );
        try {
          step('engine running over the filled queue');
          const hold = await inChild<Awaited<ReturnType<typeof holdQueue>>>(
            'hold',
            { dataDir: fill.dataDir, holdMs: 20_000 },
            Math.min(90_000, left()),
          );
          return { fill, hold };
        } finally {
          fs.rmSync(fill.dataDir, { recursive: true, force: true });
        }
      });
    }
    const results: BenchResults = {
      date: new Date(),
      ceiling,
      noDkim,
      dkim,
      queued: queuedResult,
      totalSeconds: (Date.now() - began) / 1000,
    };
    console.log(table(results));
    // A run of the scale section alone leaves the engine figures of the last full run in place.
    const ranEngine = !values['skip-no-dkim'] || !values['skip-dkim'] || !values['skip-queued'];
    if (!values['no-write'] && ranEngine) {
      const file = path.join(ROOT, 'docs/benchmarks.md');
      writeSection(file, 'engine', markdown(results, machine(ROOT)), 'top');
      console.error(`bench: wrote ${path.relative(ROOT, file)}`);
    }
    if (!values['skip-scale']) {
      step('console queries on a delivery of 1,000,000 messages (test/bench/scale.ts)');
      const scale = runScaleBench({ messages: 1_000_000, runs: 30 });
      console.log(scaleMarkdown(scale, 30));
      if (!values['no-write'])
        writeScaleSection(path.join(ROOT, 'docs/benchmarks.md'), scaleMarkdown(scale, 30));
    }
  } finally {
    clearTimeout(overall);
    await sink.close();
  }
  if (!values['skip-adaptive']) await adaptiveSection(adaptiveMessages, !values['no-write']);
  if (!values['skip-simulation']) await simulationSection(!values['no-write']);
}

/** The `simulation` section (test/bench/simulation.ts): each campaign size in its own child process. */
async function simulationSection(write: boolean): Promise<void> {
  const results: SimulationBenchResult[] = [];
  for (const recipients of SIMULATION_SIZES) {
    console.error(`bench: simulation: ${recipients} recipients over 3.5 simulated days`);
    results.push(await inChild<SimulationBenchResult>('simulation', { recipients }, 15 * 60_000));
  }
  console.log(simulationTable(results));
  if (write) {
    const file = path.join(ROOT, 'docs/benchmarks.md');
    writeSection(file, 'simulation', simulationMarkdown(results, machine(ROOT), new Date()), 'end');
    console.error(`bench: wrote ${path.relative(ROOT, file)} (simulation)`);
  }
}

/**
 * The `adaptive` section (test/bench/adaptive.ts), with its own time limit: each of its runs is capped at
 * CAP_FACTOR × its ideal time (plus start and stop), so a stalling engine ends it in bounded time.
 */
async function adaptiveSection(messages: number, write: boolean): Promise<void> {
  const began = Date.now();
  const budgetMs = ADAPTIVE_RECEIVERS.reduce(
    (sum, r) => sum + 2 * ((idealSeconds(r.limits, messages) ?? 0) * CAP_FACTOR * 1000 + 150_000),
    0,
  );
  const overall = setTimeout(() => {
    console.error('bench: the adaptive section exceeded its time limit; stopping');
    process.exit(2);
  }, budgetMs);
  overall.unref();
  try {
    const results: AdaptiveResult[] = [];
    // RELAYDECK_BENCH_RECEIVER=<id> runs one receiver only (diagnosis; the figures are then not written).
    const only = process.env.RELAYDECK_BENCH_RECEIVER;
    if (only) write = false;
    for (const receiver of ADAPTIVE_RECEIVERS.filter((r) => !only || r.id === only)) {
      console.error(
        `bench: adaptive: receiver ${receiver.id}, 2 deliveries of ${messages} (${((Date.now() - began) / 1000).toFixed(0)} s)`,
      );
      results.push(
        await runAdaptiveReceiver(
          receiver,
          (name, input, timeoutMs) => inChild(name, input, timeoutMs),
          messages,
        ),
      );
    }
    console.log(adaptiveTable(results));
    if (write) {
      const file = path.join(ROOT, 'docs/benchmarks.md');
      writeSection(file, 'adaptive', adaptiveMarkdown(results, machine(ROOT), new Date()), 'end');
      console.error(`bench: wrote ${path.relative(ROOT, file)} (adaptive)`);
    }
  } finally {
    clearTimeout(overall);
  }
}

if (process.argv[2] === '--scenario') void child();
else
  main().catch((err: unknown) => {
    console.error('bench failed:', err);
    process.exitCode = 1;
  });
