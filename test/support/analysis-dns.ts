/**
 * A scripted resolver for the delivery analysis: answers from a zone given in the test; an absent name is
 * NXDOMAIN (`ENOTFOUND`), an absent type NODATA (`ENODATA`), `fail` that code. Every question is logged.
 */
import type { AnalysisDns } from '../../src/main/analysis/dns';

export type Zone = Record<
  string,
  {
    TXT?: string[][];
    MX?: { exchange: string; priority: number }[];
    A?: string[];
    AAAA?: string[];
    fail?: string;
  }
>;

/** A resolver answering from `zone`: an absent name is NXDOMAIN, an absent type NODATA, `fail` that code. */
export function scriptedDns(zone: Zone): AnalysisDns & { asked: string[] } {
  const asked: string[] = [];
  const answer = <K extends 'TXT' | 'MX' | 'A' | 'AAAA'>(name: string, type: K) => {
    asked.push(`${type} ${name}`);
    const entry = zone[name.toLowerCase()];
    const fail = (code: string) =>
      Promise.reject(Object.assign(new Error(`${type} ${name}: ${code}`), { code }));
    if (!entry) return fail('ENOTFOUND');
    if (entry.fail) return fail(entry.fail);
    const records = entry[type];
    if (!records) return fail('ENODATA');
    return Promise.resolve(records as NonNullable<Zone[string][K]>);
  };
  return {
    asked,
    resolveTxt: (n) => answer(n, 'TXT'),
    resolveMx: (n) => answer(n, 'MX'),
    resolve4: (n) => answer(n, 'A'),
    resolve6: (n) => answer(n, 'AAAA'),
  };
}
