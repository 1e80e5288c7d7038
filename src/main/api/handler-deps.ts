/**
 * What the API handlers are built from. Its own module so the handler files (handlers-*.ts) and the assembly
 * (handlers.ts) share it without importing each other. Every collaborator is given by the composition root
 * (`openApp`, or a test): the handlers build none of their own, so nothing runs on a clock, printer or
 * classifier the caller did not choose.
 */
import type { AnalysisDns } from '../analysis/dns';
import type { Campaign } from '../campaign/campaign';
import type { Clock } from '../clock';
import type { DkimSigner } from '../engine/dkim';
import type { Sandbox } from '../engine/sandbox';
import type { Engine } from '../engine/types';
import type { BounceSide } from '../inmail';
import type { Logger } from '../logger';
import type { MessageService } from '../message/service';
import type { ReportPrinter } from '../reports/pdf/printer';
import type { SecretStore } from '../secrets/secret-store';
import type { SimulationService } from '../simulate/service';
import type { Db } from '../store/db';
import type { EventBus } from './event-bus';

export interface HandlerDeps {
  db: Db;
  engine: Engine;
  bus: EventBus;
  sandbox: Sandbox | null;
  dataDir: string;
  version: string;
  clock: Clock;
  logger: Logger;
  /** The campaign runtime (relay loops), shared with the app. */
  campaign: Campaign;
  /** The engine's DKIM signer, reloaded after key changes; undefined when this process does not sign. */
  signer: DkimSigner | undefined;
  /** The bounce side: classifier, inMail pipeline, listener and IMAP poller. */
  bounce: BounceSide;
  /** Prints PDF reports (Electron's hidden window, or headless Chromium without Electron). */
  reportPrinter: ReportPrinter;
  /** The data dir's secrets (the IMAP password, the VERP key): never in the database, never returned. */
  secrets: SecretStore;
  /** Campaign simulations against the sandbox profiles (run in the background). */
  simulations: SimulationService;
  /** The message viewer and proof sends (built from the app's DNS and relay factory; a default otherwise). */
  messages?: MessageService;
  /** The delivery analysis's lookups (TXT for DKIM, SPF and DMARC; MX for the recipients' domains). */
  analysisDns: AnalysisDns;
}
