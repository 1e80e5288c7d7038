/**
 * The engine's seams. Everything the MTA side touches outside itself is injected through EngineDeps, so tests
 * reach every path (4xx, 5xx, timeouts, drops) deterministically and the sandbox can compress time.
 */
import type { EngineStore } from '../store/engine-store';
import type { Logger } from '../logger';
import type { HostPort, RouteTarget } from '../../shared/contract';
import type { SigningChoice } from '../../shared/domain/dkim';
import type { DestinationState, TLS_POLICIES } from '../../shared/contract/mta';
import type { AttemptRecord } from '../store/ledger';
import type { RevisionWatcher } from '../store/revision-watcher';
import type { Clock } from '../clock';
import type { Classifier } from './bounce/classifier';
import type { EnvelopeSender } from './bounce/verp';

/**
 * The DNS lookups of MX routing, in node:dns/promises shapes (tests inject fixtures). `ttl` is in seconds and
 * optional: an answer without one is reused for the engine's `mxCacheMs`. Failures reject with node:dns's error
 * codes (`ENOTFOUND` = NXDOMAIN, `ENODATA` = no record of that type, `ETIMEOUT`, `ESERVFAIL`, ...); the first two
 * may carry `ttl`, the zone's negative-caching time from its SOA record (RFC 2308).
 */
export interface DnsResolver {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number; ttl?: number }[]>;
  resolve4(host: string): Promise<(string | { address: string; ttl?: number })[]>;
  resolve6(host: string): Promise<(string | { address: string; ttl?: number })[]>;
}

/**
 * The SMTP stage a reply (or a silence: timeout, drop) answered. `data` is the reply to the DATA command
 * (354 or a refusal), `data-end` the final reply after the message's terminating dot. `none`: no SMTP was
 * spoken (message too large, no host, relay closed, compose error).
 */
export const SMTP_STAGES = [
  'connect',
  'greeting',
  'ehlo',
  'starttls',
  'mail',
  'rcpt',
  'data',
  'data-end',
  'none',
] as const;
export type SmtpStage = (typeof SMTP_STAGES)[number];

/** What the session was when a reply came: the facts the shaper learns a receiver's limits from. */
export interface SessionFacts {
  /** Transactions this session had completed before this one (0: the session's first). */
  completed: number;
  /** Other sessions open to the same destination from this relay when the reply came. */
  concurrent: number;
  /**
   * The receiver closed one of this relay's sessions without a reply after it had carried this many messages
   * (right after the last one's reply, or at the next MAIL): its message budget, reported with the next
   * outcome (the message itself went on another session).
   */
  cutAfter?: number;
}

/**
 * One SMTP reply seen while delivering, as a value: the record the ledger keeps of an attempt, plus the stage
 * it answered and the session's facts (the relay sets both; outcomes made elsewhere may leave them out and
 * are then placed by `command`).
 */
export interface SmtpOutcome extends AttemptRecord {
  stage?: SmtpStage;
  session?: SessionFacts | null;
}

/** How the relay talks to a destination, from its MX rule (SPEC §6). */
export interface RelayPolicy {
  /**
   * `required`: no STARTTLS or a failed handshake -> deferred, nothing sent; `disabled`: never STARTTLS;
   * `opportunistic`: when offered, and plaintext on a new connection when the handshake fails.
   */
  tls: (typeof TLS_POLICIES)[number];
  /** Connecting and waiting for the greeting. */
  connectMs: number;
  /** Waiting for the reply to any command (inactivity). */
  commandMs: number;
  /** Waiting for the final reply after the message data. */
  dataMs: number;
  maxMessagesPerConnection: number;
  /** Open connections kept; a session ending its transaction above this limit is closed. */
  maxConnections: number;
  /** The MX rule that set this policy (named in deferral texts). */
  ruleId: string;
}

export interface OutboundMessage {
  logId: number;
  envelope: { from: string; to: string };
  raw: Buffer;
  /** The destination's policy; the relay factory's defaults apply without one. */
  policy?: RelayPolicy;
}

/**
 * One transaction for several recipients of one destination with an identical message: one MAIL FROM, one
 * RCPT per recipient, one DATA. Outcomes come back per recipient, in order.
 */
export interface OutboundGroup {
  logIds: number[];
  envelope: { from: string; to: string[] };
  raw: Buffer;
  policy?: RelayPolicy;
}

/** Where the relay connects: resolved from routes, smart host, default route or MX. */
export interface Destination {
  /** Stable key used to group messages and connections, e.g. `smtp:127.0.0.1:2525` or `mx:example.com`. */
  key: string;
  hosts: HostPort[];
}

/** Sends messages to one destination over SMTP. One Relay per destination, reusing its connections. */
export interface Relay {
  send(message: OutboundMessage): Promise<SmtpOutcome>;
  /** One transaction for every recipient of the group; one outcome per recipient, in the group's order. */
  sendGroup(group: OutboundGroup): Promise<SmtpOutcome[]>;
  /** SMTP sessions currently open. */
  openConnections(): number;
  /**
   * The relay may hold at most this many sessions now (a lowered connection limit): idle sessions beyond it
   * QUIT at once, busy ones after their transaction. The next send's policy sets the limit again.
   */
  trim(maxConnections: number): void;
  close(): Promise<void>;
}

export type RelayFactory = (destination: Destination) => Relay;

/** One recipient's message, composed from its delivery's template (in a worker: the template is sent to it once). */
export interface ComposeJob {
  deliveryId: number;
  logId: number;
  email: string;
  messageId: string | null;
  /** JSON object of the recipient's CSV columns. */
  fieldsJson: string;
  /** The Date header's time (ms since the epoch). */
  date: number;
}

/** What a worker composes before sending: one recipient's message, or one message shared by a group. */
export type ComposeSpec =
  | { kind: 'one'; job: ComposeJob }
  | { kind: 'shared'; deliveryId: number; messageId: string | null; date: number };

/** A whole delivery attempt, done in a worker: compose, sign when `domain` has keys, send over SMTP. */
export interface TransmitJob {
  compose: ComposeSpec;
  /** The domain whose keys sign the message (null: unsigned). */
  domain: string | null;
  signTime: number;
  logIds: number[];
  envelope: { from: string; to: string[] };
  destination: Destination;
  policy: RelayPolicy;
}

/** A whole attempt handed to a sender: compose from the delivery's template, sign, send over SMTP. */
export interface TransmitRequest extends TransmitJob {
  /** The delivery's `template_json` (sent to each worker once). */
  templateJson: string;
}

export interface TransmitResult {
  /** One outcome per envelope recipient, in order. */
  outcomes: SmtpOutcome[];
  dkimDomain: string | null;
}

/**
 * The pipeline's one way to make an attempt: compose the message (one recipient's, or one shared by a group),
 * sign it when its domain has a DKIM key, send it over SMTP, and return one outcome per envelope recipient.
 * Two implementations: the delivery workers (`engine/workers/pool.ts`, the whole attempt in a worker thread)
 * and the in-process sender (`engine/relay/in-process-sender.ts`, an injected relay factory on the main
 * thread). Rejects with a `ComposeError` when the message cannot be composed, with another error when the
 * attempt could not be made (the message goes back to the queue and is retried, never sent unsigned).
 */
export interface Sender {
  transmit(request: TransmitRequest): Promise<TransmitResult>;
  /** SMTP sessions open to a destination. */
  openConnections(destinationKey: string): number;
  /** Drops a finished delivery's template. */
  forget(deliveryId: number): void;
}

/** A message as it leaves: signed when its domain has a DKIM key (`dkimDomain`), else unchanged. */
export interface SignResult {
  raw: Buffer;
  dkimDomain: string | null;
}

/**
 * DKIM signing as the engine sees it (SPEC §5; implemented by `engine/dkim`'s signer over the keyring and the
 * delivery workers). Every method rejects with a `DkimSignError` when signing failed or could not be done: the
 * message is retried, never sent unsigned.
 */
export interface MessageSigner {
  /**
   * Signs a composed message for its From domain. Without a key for the domain or its parents, resolves with
   * the message unchanged and `dkimDomain: null`. `raw` must not be reused.
   */
  sign(
    raw: Buffer,
    fromDomain: string,
    signTime?: number,
    envelopeDomain?: string | null,
  ): Promise<SignResult>;
  /**
   * Which domain's keys sign a message from `fromDomain` whose envelope sender (return path) is at
   * `envelopeDomain` (SPEC §5, `chooseSigning`): From's side with an RSA key, else the envelope's, else an
   * ed25519 key alone; null when none has a key (unsigned).
   */
  choose(fromDomain: string, envelopeDomain?: string | null): SigningChoice | null;
  /** The d= domain of `choose`, or null. */
  signingDomain(fromDomain: string, envelopeDomain?: string | null): string | null;
  /** The selectors of the keys that sign for a signing domain now, or null when it has none. */
  selectors?(domain: string): { rsa: string | null; ed25519: string | null } | null;
  /**
   * Composes a message from its delivery's template and signs it when `fromDomain` (or a parent domain) has a
   * key, in one worker, so the message crosses threads once. Used when the engine sends on the main thread (an
   * injected relay factory); with delivery workers the whole attempt happens in a worker. Rejects with a
   * `ComposeError` when the message cannot be composed.
   */
  composeAndSign(
    job: ComposeJob,
    templateJson: string,
    fromDomain: string,
    envelopeDomain?: string | null,
  ): Promise<SignResult>;
  /** Drops a finished delivery's template. */
  forget(deliveryId: number): void;
}

export interface EngineNotifier {
  deliveryChanged(deliveryId: string): void;
  logsChanged(deliveryId: string): void;
  /** Quarantine entries changed (optional: notifiers of tests may ignore it). */
  quarantineChanged?(): void;
}

export interface EngineDeps {
  clock: Clock;
  dns: DnsResolver;
  relayFactory: RelayFactory;
  /** The engine's port to the store (`createEngineStore(db)`): it holds no database handle of its own. */
  store: EngineStore;
  logger: Logger;
  notify: EngineNotifier;
  /** Route used when no delivery route or smart host matches (fresh install: the sandbox). null = MX. */
  defaultRoute: () => RouteTarget | null;
  /**
   * Address of the running built-in sandbox's listener for a recipient domain (one per profile), or null when
   * the sandbox is not running.
   */
  sandboxAddress: (domain: string) => HostPort | null;
  /** DKIM signer (SPEC §5); without one messages leave unsigned. */
  signer?: MessageSigner;
  /** The store's revision watcher, shared with the app: rules written by another process reach the shaper. */
  revisions: RevisionWatcher;
  /**
   * The delivery workers' sender: with it every message is composed, signed and sent over SMTP in a worker
   * thread (`relayFactory` is then unused); without it the main thread sends through `relayFactory`.
   */
  sender?: Sender;
  /** The stored, reloadable bounce classifier (SPEC §4.2); without one the shipped default rules classify. */
  bounceClassifier?: Pick<Classifier, 'classify'>;
  /** VERP MAIL FROM of each message (SPEC §4.3); without one the template's From address is the sender. */
  envelopeSender?: EnvelopeSender;
}

export interface Engine {
  /** Recovers leases of a previous run and starts delivering what is due. */
  start(): void;
  /** Something was queued or changed: re-plan the next wake-up now. */
  wake(): void;
  /** Stops taking new work and waits for in-flight sends to finish (or fail). */
  stop(): Promise<void>;
  /** Resolves when nothing is queued any more (used by `deliver --wait` and `run --until-idle`). */
  whenIdle(): Promise<void>;
  /** Messages currently in the queue (not final). */
  queued(): number;
  /** Re-reads the MX and automation rules from the store and applies them without restart. */
  reloadRules(): void;
  /** Live state of every destination the engine has used since it started. */
  destinations(): DestinationState[];
}

/** Tuning of the engine; every field has a production default (see `DEFAULT_ENGINE_OPTIONS`). */
export interface EngineOptions {
  /** Messages being routed, composed or sent at once, over every destination. */
  maxInFlight: number;
  /** Messages leased per lease query (at least; fewer when fewer slots are free and nothing is in flight). */
  leaseBatch: number;
  /** A rate-limit wait up to this long is spent in memory (parked); longer ones go back to the queue. */
  shortWaitMs: number;
  /** Messages of one destination that may wait in memory for one of its connections. */
  waitersPerDestination: number;
  /** Messages parked in memory over every destination (they do not hold in-flight slots). */
  maxParked: number;
  /** How long a dequeued message stays reserved; renewed while it is in flight. */
  leaseMs: number;
  /** Outcomes are written in batches: at most this long after the first one waits (0 = at once)... */
  feedbackFlushMs: number;
  /** ...or as soon as this many are waiting. */
  feedbackBatchSize: number;
  /**
   * A batch of outcomes that could not be written (the store busy beyond its timeout, the disk full) is kept and
   * written again this long later; its messages' leases are renewed meanwhile, so none is sent again.
   */
  feedbackRetryMs: number;
  /**
   * While someone waits for the queue to empty (`whenIdle`), it is read again this often: another process on
   * the data dir may be the one that empties it, and nothing else tells this one.
   */
  idleRecheckMs: number;
  /** A destination's relay (and its connections) is closed after this long without work. */
  relayIdleMs: number;
  /** How long an MX answer is reused when the resolver gives no TTL (fixture resolvers); real DNS answers use their TTLs. */
  mxCacheMs: number;
  /** Back-off of a message whose processing hit an unexpected error (a bug, not an SMTP reply). */
  internalErrorRetryMs: number;
  /**
   * How often a sleeping scheduler looks for messages another process queued (one PRAGMA); null: never (a
   * simulation's scratch store, which no other process writes).
   */
  foreignWritesCheckMs: number | null;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  maxInFlight: 50,
  leaseBatch: 16,
  shortWaitMs: 2_000,
  waitersPerDestination: 25,
  maxParked: 200,
  leaseMs: 60_000,
  feedbackFlushMs: 50,
  feedbackBatchSize: 200,
  feedbackRetryMs: 1_000,
  idleRecheckMs: 1_000,
  relayIdleMs: 5_000,
  mxCacheMs: 5 * 60_000,
  internalErrorRetryMs: 60_000,
  foreignWritesCheckMs: 1_000,
};

/** Optional parts of the engine's dependencies (kept apart so `EngineDeps` stays the agreed seam). */
export interface EngineExtras {
  options?: Partial<EngineOptions>;
  /** Source of randomness (retry jitter, MX tie-breaking); tests inject a fixed one. */
  random?: () => number;
}
