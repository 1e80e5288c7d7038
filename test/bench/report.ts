/** The benchmark's report: machine facts, a table of figures against the targets, as Markdown. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Ceiling } from './sink';
import type { DeliveryResult, QueueFillResult, QueueHoldResult } from './scenarios';

export const TARGETS = {
  noDkimMsgsPerSec: 5_000,
  dkimMsgsPerSec: 1_500,
  queuedPeakRssMb: 400,
};

export interface BenchResults {
  date: Date;
  ceiling: Ceiling;
  noDkim: DeliveryResult | { skipped: string };
  dkim: DeliveryResult | { skipped: string };
  queued: { fill: QueueFillResult; hold: QueueHoldResult } | { skipped: string };
  totalSeconds: number;
}

export function machine(root: string): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (working tree has uncommitted changes)';
  } catch {
    // not a git checkout: keep "unknown"
  }
  return {
    CPU: os.cpus()[0]?.model ?? 'unknown',
    Cores: String(os.cpus().length),
    Memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    OS: `${os.type()} ${os.release()} (${os.arch()})`,
    Node: process.version,
    Commit: commit,
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => x.toFixed(1);
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The main thread's CPU per message, when the OS tells it (the rest is the workers, GC and libuv threads). */
function mainShare(d: DeliveryResult): string {
  if (d.mainCpuSeconds === null || d.mainCpuSeconds === undefined) return '';
  return `; main thread ${n0((d.mainCpuSeconds * 1e6) / Math.max(1, d.accepted))} µs/msg`;
}

export function table(r: BenchResults): string {
  const rows: string[][] = [['Figure', 'Result', 'Target', 'Status']];
  const delivery = (label: string, d: DeliveryResult, target: number) => {
    rows.push([
      `${label}: end-to-end throughput`,
      `${n0(d.msgsPerSec)} msgs/s (${n0(d.accepted)} of ${n0(d.messages)} accepted in ${n1(d.seconds)} s${d.complete ? '' : ', stopped by the time limit'})`,
      `≥ ${n0(target)} msgs/s`,
      verdict(d.msgsPerSec >= target && d.accepted === d.messages),
    ]);
    rows.push([`${label}: relay → acceptance p50 / p99`, `${n0(d.p50Ms)} ms / ${n0(d.p99Ms)} ms`, '—', '—']);
    rows.push([
      `${label}: CPU time (all threads) / peak RSS`,
      `${n1(d.cpuSeconds)} s (${n0((d.cpuSeconds * 1e6) / Math.max(1, d.accepted))} µs/msg${mainShare(d)}) / ${n0(d.peakRssMb)} MB`,
      '—',
      '—',
    ]);
    rows.push([
      `${label}: preparation of the list (not in the throughput)`,
      `${n1(d.prepareSeconds)} s`,
      '—',
      '—',
    ]);
  };
  if ('skipped' in r.noDkim)
    rows.push(['Without DKIM', r.noDkim.skipped, `≥ ${n0(TARGETS.noDkimMsgsPerSec)} msgs/s`, 'not run']);
  else delivery('Without DKIM', r.noDkim, TARGETS.noDkimMsgsPerSec);
  if ('skipped' in r.dkim)
    rows.push([
      'With DKIM rsa-sha256 2048',
      r.dkim.skipped,
      `≥ ${n0(TARGETS.dkimMsgsPerSec)} msgs/s`,
      'not run',
    ]);
  else if (r.dkim.dkim !== 'on')
    rows.push([
      'With DKIM rsa-sha256 2048',
      `DKIM: pending (${r.dkim.dkimNote ?? 'messages not signed'}); unsigned run: ${n0(r.dkim.msgsPerSec)} msgs/s`,
      `≥ ${n0(TARGETS.dkimMsgsPerSec)} msgs/s`,
      'pending',
    ]);
  else delivery('With DKIM rsa-sha256 2048', r.dkim, TARGETS.dkimMsgsPerSec);
  if ('skipped' in r.queued)
    rows.push(['Peak RSS, 1,000,000 queued', r.queued.skipped, `< ${TARGETS.queuedPeakRssMb} MB`, 'not run']);
  else {
    const { fill, hold } = r.queued;
    rows.push([
      `Peak RSS, engine running over ${n0(hold.queuedAtStart)} queued (${n1(hold.holdSeconds)} s, ${n0(hold.queuedAtStart - hold.queuedAtEnd)} delivered meanwhile)`,
      `${n0(hold.peakRssMb)} MB`,
      `< ${TARGETS.queuedPeakRssMb} MB`,
      verdict(hold.peakRssMb < TARGETS.queuedPeakRssMb && hold.queuedAtStart >= 1_000_000),
    ]);
    rows.push([
      `Peak RSS, preparing and relaying ${n0(fill.messages)} into the queue (engine off)`,
      `${n0(fill.peakRssMb)} MB in ${n1(fill.seconds)} s`,
      '—',
      '—',
    ]);
  }
  rows.push([
    'Sink ceiling (smtp-sink, measured by smtp-source)',
    `${n0(r.ceiling.msgsPerSec)} msgs/s (${n0(r.ceiling.messages)} in ${n1(r.ceiling.seconds)} s)`,
    '—',
    '—',
  ]);
  return markdownTable(rows);
}

function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

export function markdown(r: BenchResults, facts: Record<string, string>): string {
  const ceiling = r.ceiling.msgsPerSec;
  return `## Sending engine

Written by \`npm run bench\` (\`test/bench/index.ts\`); re-run it to refresh this section (the bench replaces
only the sections between its markers). Figures of one run on the machine below, ${r.date.toISOString()} (whole bench: ${n0(r.totalSeconds)} s).

### Machine

${Object.entries(facts)
  .map(([k, v]) => `- ${k}: ${v}`)
  .join('\n')}

### Figures

${table(r)}

### What is measured

- **Sink**: Debian postfix's \`smtp-sink -c 127.0.0.1:PORT 1000\` on an ephemeral loopback port; its ceiling in the
  same run: \`${r.ceiling.command}\` (${n0(ceiling)} msgs/s). The end-to-end figures cannot exceed it: the
  sink and the engine share the machine's ${facts.Cores} cores.
- **Delivery**: ${'skipped' in r.noDkim ? 'the' : n0(r.noDkim.messages)} messages of about 5 KB to 1,000 recipient domains
  (\`user<i>@d<j>.bench.test\`), routed with \`*\` to the sink, through the real code path (\`openApp\`: SQLite
  store, campaign relay, durable queue, scheduler, SMTP relay on its own client (engine/relay/smtp-client.ts), feedback transactions), sandbox off,
  default engine options. Each scenario runs in its own child process.
- **Threads**: each message is composed, DKIM-signed when its domain has a key and sent over SMTP in one of the
  delivery workers (one thread per core, each keeping its own sessions); the main thread runs the queue, the
  shaper and the feedback transactions.
- **Throughput**: accepted messages / (last acceptance recorded − relay start), from \`deliveries.started_at\`
  and the \`attempts\` rows. Preparation (CSV import, exclusions) happens before the relay starts and is shown
  apart.
- **Latency**: per message, the accepted attempt's \`at\` − \`delivery_log.relayed_at\`. With a whole list relayed
  at once this is dominated by queueing behind earlier messages, so p50 ≈ half the run.
- **CPU**: \`process.cpuUsage()\` from the end of the list preparation to the end of the run (getrusage of the
  whole process, so worker threads included); the main thread's share from \`/proc/self/task/<pid>/stat\`.
- **Peak RSS**: the larger of 100 ms samples and the kernel's high-water mark (\`resourceUsage().maxRSS\`).
- **1,000,000 queued**: a delivery of 1,000,000 recipients prepared and relayed into the queue with the engine
  off (one process), then the data dir opened with the engine running and delivering to the sink for a fixed
  time (a second process), whose peak RSS is the figure compared with the target.
`;
}
