/** In-memory relays for engine tests that do not need a real SMTP server. */
import type { Destination, RelayFactory, RelayPolicy, SmtpOutcome } from '../../src/main/engine/types';
import { parseSmtpReply, replyKind } from '../../src/shared/domain/smtp-reply';

export interface ScriptedSend {
  destination: string;
  to: string;
  /** 1 for the first attempt to this recipient. */
  attempt: number;
  raw: string;
}

/** An outcome as a relay would report it for a raw reply (`null` = no reply, e.g. connection refused). */
export function reply(raw: string | null, command = 'RCPT'): SmtpOutcome {
  if (raw === null) {
    return {
      kind: 'deferred',
      code: null,
      enhanced: null,
      text: 'connection refused',
      command: 'CONNECT',
      mxHost: 'fake',
      ip: null,
      tls: false,
      durationMs: 0,
    };
  }
  const p = parseSmtpReply(raw);
  return {
    kind: replyKind(p.code ?? 0),
    code: p.code,
    enhanced: p.enhanced,
    text: p.text,
    command,
    mxHost: 'fake',
    ip: '192.0.2.1',
    tls: false,
    durationMs: 1,
  };
}

/** A relay factory whose replies come from `script(recipient, attempt)`; records every send. */
export function scriptedRelays(script: (to: string, attempt: number) => SmtpOutcome | Promise<SmtpOutcome>): {
  factory: RelayFactory;
  sent: ScriptedSend[];
  opened: Destination[];
  closed: string[];
} {
  const sent: ScriptedSend[] = [];
  const opened: Destination[] = [];
  const closed: string[] = [];
  const attempts = new Map<string, number>();
  const factory: RelayFactory = (destination) => {
    opened.push(destination);
    // Each send holds a session, kept open afterwards (as the SMTP relay keeps idle sessions): the relay reports
    // as open the most sends it has had at once.
    let inFlight = 0;
    let open = 0;
    const sendOne = async (to: string, raw: Buffer): Promise<SmtpOutcome> => {
      const attempt = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, attempt);
      sent.push({ destination: destination.key, to, attempt, raw: raw.toString('utf8') });
      inFlight++;
      open = Math.max(open, inFlight);
      try {
        return await script(to, attempt);
      } finally {
        inFlight--;
      }
    };
    return {
      send: (message) => sendOne(message.envelope.to, message.raw),
      sendGroup: (group) => Promise.all(group.envelope.to.map((to) => sendOne(to, group.raw))),
      openConnections: () => open,
      trim: () => undefined,
      async close() {
        closed.push(destination.key);
      },
    };
  };
  return { factory, sent, opened, closed };
}

/** A relay policy with generous timeouts for tests against loopback peers. */
export const TEST_POLICY: RelayPolicy = {
  tls: 'opportunistic',
  connectMs: 5_000,
  commandMs: 5_000,
  dataMs: 5_000,
  maxMessagesPerConnection: 100,
  maxConnections: 10,
  ruleId: 'test-rule',
};
