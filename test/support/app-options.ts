/**
 * The collaborators `openApp` requires, as a test on this machine wants them: the system clock, the real
 * resolver (tests route to loopback, so it is not asked), the Chromium report printer, a silent logger and the
 * data dir's owner-only secrets file.
 * Spread it and add the data dir (and whatever the test changes).
 */
import type { AppOptions } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { silentLogger } from '../../src/main/logger';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { fileSecrets } from '../../src/main/secrets/secret-store';

export const TEST_APP: Pick<AppOptions, 'clock' | 'dns' | 'reportPrinter' | 'logger' | 'secrets'> = {
  clock: systemClock,
  dns: nodeDns,
  reportPrinter: chromiumPrinter,
  logger: silentLogger,
  secrets: fileSecrets,
};
