/**
 * The pre-send analysis kept with a delivery (issue 15, migration 19): the report the analyst saw when creating
 * it and whether they confirmed sending despite its errors.
 */
import { AnalysisReport, type DeliveryAnalysis } from '../../shared/contract/analysis';
import type { Db } from './db';
import { stmt } from './statements';

export function saveDeliveryAnalysis(
  db: Db,
  deliveryId: number,
  report: AnalysisReport,
  acknowledgedErrors: boolean,
  now: number,
): void {
  stmt(
    db,
    `INSERT OR REPLACE INTO delivery_analysis(delivery_id, report_json, acknowledged_errors, recorded_at)
     VALUES (?, ?, ?, ?)`,
  ).run(deliveryId, JSON.stringify(report), acknowledgedErrors ? 1 : 0, now);
}

interface Row {
  report_json: string;
  acknowledged_errors: number;
  recorded_at: number;
}

export function getDeliveryAnalysis(db: Db, deliveryId: number): DeliveryAnalysis | null {
  const row = stmt(
    db,
    `SELECT report_json, acknowledged_errors, recorded_at FROM delivery_analysis WHERE delivery_id = ?`,
  ).get(deliveryId) as Row | undefined;
  if (!row) return null;
  return {
    report: AnalysisReport.parse(JSON.parse(row.report_json)),
    acknowledgedErrors: row.acknowledged_errors === 1,
    recordedAt: row.recorded_at,
  };
}
