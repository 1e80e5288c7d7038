/**
 * The delivery-log exports of `relaydeck report` without `--kind`, unchanged since before report kinds:
 * - csv: UTF-8 BOM, a `KPI,value` block, an empty line, then the log table (the `log` kind's columns);
 * - json: one document `{delivery, kpi, rows}` (pretty-printed), the rows streamed one by one.
 */
import { stringify } from 'csv-stringify/sync';
import type { Delivery } from '../../../shared/contract/schemas';
import type { Db } from '../../store/db';
import { getDelivery, parseId } from '../../store/deliveries-repo';
import { toLogRow } from '../../store/mappers';
import { iso } from '../kinds/common';
import { LOG_COLUMNS, logReport } from '../kinds/log';
import { iterateLog } from '../../store/report-queries';
import { cellText } from './cells';
import type { Output } from './output';

const pct = (rate: number | null): string => (rate === null ? '' : `${(rate * 100).toFixed(2)}%`);

function kpiBlock(d: Delivery): (string | number)[][] {
  const kpi = d.kpi;
  return [
    ['KPI', 'value'],
    ['Delivery', d.name],
    ['Delivery id', d.id],
    ['State', d.state],
    ['Reporting', d.reporting],
    ['Figures final', d.figuresFinal ? 'yes' : `no (validity ends ${iso(d.validityEndsAt)})`],
    ['Initial population', kpi.initialPopulation],
    ['Excluded', kpi.excluded],
    ['Messages to deliver', kpi.toDeliver],
    ['Processed', kpi.processed],
    ['Success', kpi.success],
    ['Success rate', pct(kpi.successRate)],
    ['Errors', kpi.errors],
    ['Hard bounces', kpi.hardBounces],
    ['Hard bounce rate', pct(kpi.hardBounceRate)],
    ['Soft bounces (Failed, soft)', kpi.softBounces],
    ['Retrying after a soft bounce', kpi.softInProgress],
    ['Import errors', d.importErrors],
  ];
}

export async function writeLegacyCsv(db: Db, deliveryId: string, now: number, out: Output): Promise<void> {
  const delivery = getDelivery(db, parseId(deliveryId), now);
  await out.write(`\ufeff${stringify(kpiBlock(delivery))}\r\n`);
  const [section] = logReport({ db, delivery, now }).sections;
  if (!section) return;
  await out.write(stringify([LOG_COLUMNS.map((c) => c.key)]));
  let batch: string[][] = [];
  for (const row of section.rows()) {
    batch.push(LOG_COLUMNS.map((c) => cellText(c, row[c.key] ?? null)));
    if (batch.length === 500) {
      await out.write(stringify(batch));
      batch = [];
    }
  }
  if (batch.length > 0) await out.write(stringify(batch));
}

/** `JSON.stringify(value, null, 2)` nested `depth` levels deep. */
const nested = (value: unknown, depth: number): string =>
  JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

export async function writeLegacyJson(db: Db, deliveryId: string, now: number, out: Output): Promise<void> {
  const delivery = getDelivery(db, parseId(deliveryId), now);
  await out.write(
    `{\n  "delivery": ${nested(delivery, 1)},\n  "kpi": ${nested(delivery.kpi, 1)},\n  "rows": [`,
  );
  let first = true;
  for (const row of iterateLog(db, parseId(deliveryId))) {
    await out.write(`${first ? '' : ','}\n    ${nested(toLogRow(row), 2)}`);
    first = false;
  }
  await out.write(first ? ']\n}\n' : '\n  ]\n}\n');
}
