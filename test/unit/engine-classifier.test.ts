import { describe, expect, it } from 'vitest';
import { classifyReply, type ClassifiableReply } from '../../src/main/engine/bounce/basic-classifier';
import { createClassifier } from '../../src/main/engine/bounce/classifier';
import { parseSmtpReply } from '../../src/shared/domain/smtp-reply';

/** Builds the classifier's input from a raw reply line, as the relay does. */
function fromRaw(raw: string, command = 'RCPT'): ClassifiableReply {
  const p = parseSmtpReply(raw);
  return { code: p.code, enhanced: p.enhanced, text: p.text, command };
}
const noReply = (text: string, command: string | null = 'CONNECT'): ClassifiableReply => ({
  code: null,
  enhanced: null,
  text,
  command,
});

/** The engine's outcomes (relay, routing, composition) with the qualification the engine must record. */
const CASES: {
  rule: string;
  input: ClassifiableReply;
  reason: string;
  type: string;
  bounceClass: number;
}[] = [
  {
    rule: 'compose-error',
    input: noReply('the message could not be composed: bad template', 'COMPOSE'),
    reason: 'not_defined',
    type: 'not_defined',
    bounceClass: 1,
  },
  {
    rule: 'dns-domain-not-found',
    input: noReply('DNS: domain nowhere.example does not exist (NXDOMAIN)', 'DNS'),
    reason: 'invalid_domain',
    type: 'soft',
    bounceClass: 21,
  },
  {
    rule: 'dns-failure',
    input: noReply('DNS: MX lookup for example.com failed (ETIMEOUT)', 'DNS'),
    reason: 'unreachable',
    type: 'soft',
    bounceClass: 21,
  },
  {
    rule: 'no-reply',
    input: noReply('connection refused (mx.example.com)'),
    reason: 'unreachable',
    type: 'soft',
    bounceClass: 24,
  },
  {
    rule: 'user-unknown',
    input: fromRaw(
      '550 5.1.1 <bob@inbox.test>: Recipient address rejected: User unknown in virtual mailbox table',
    ),
    reason: 'user_unknown',
    type: 'hard',
    bounceClass: 10,
  },
  {
    rule: 'domain-not-found',
    input: fromRaw('550 5.1.2 <bob@nowhere.test>: Recipient address rejected: Domain not found'),
    reason: 'invalid_domain',
    type: 'soft',
    bounceClass: 21,
  },
  {
    rule: 'mailbox-full',
    input: fromRaw('452 4.2.2 <full@inbox.test>: Mailbox full, try again later'),
    reason: 'mailbox_full',
    type: 'soft',
    bounceClass: 22,
  },
  {
    rule: 'message-too-large',
    input: fromRaw('552 5.2.3 Message size exceeds fixed maximum message size', 'DATA'),
    reason: 'message_too_large',
    type: 'ignored',
    bounceClass: 23,
  },
  {
    rule: 'greylisting',
    input: fromRaw(
      '451 4.7.1 <grey@inbox.test>: Recipient address rejected: Greylisted, please try again later',
    ),
    reason: 'unreachable',
    type: 'soft',
    bounceClass: 20,
  },
  {
    // Was class 51 (spam block) in the first table: a refusal of the content is class 52, Spam Content.
    rule: 'spam-content',
    input: fromRaw('554 5.7.1 Message rejected: spam content detected', 'DATA'),
    reason: 'refused',
    type: 'soft',
    bounceClass: 52,
  },
  {
    rule: 'yahoo-deferred-ts',
    input: fromRaw(
      '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
      'MAIL',
    ),
    reason: 'refused',
    type: 'soft',
    bounceClass: 50,
  },
  {
    rule: 'transient-failure',
    input: fromRaw('421 Service not available, closing transmission channel', 'MAIL'),
    reason: 'unreachable',
    type: 'soft',
    bounceClass: 70,
  },
  {
    rule: 'code:5xx',
    input: fromRaw('554 Transaction failed', 'DATA'),
    reason: 'not_defined',
    type: 'not_defined',
    bounceClass: 40,
  },
];

describe('engine classifier adapter', () => {
  const classifier = createClassifier();

  it.each(CASES)('$rule: $input.text', ({ rule, input, reason, type, bounceClass }) => {
    expect(classifier.classify(input).ruleId).toBe(rule);
    expect(classifyReply(input)).toEqual({ reason, type, bounceClass });
  });

  it('does not take a "domain does not exist" reply for an unknown user', () => {
    expect(classifyReply(fromRaw('550 5.1.2 Domain does not exist')).reason).toBe('invalid_domain');
  });

  it('treats a 4.7.1 policy block that is not greylisting as a soft refusal', () => {
    expect(classifyReply(fromRaw('450 4.7.1 Client host rejected: blocked by policy'))).toEqual({
      reason: 'refused',
      type: 'soft',
      bounceClass: 50,
    });
  });

  it('accepts another classifier (edited rules)', () => {
    const custom = createClassifier([{ id: 'all', description: '', pattern: '', bounceClass: 60 }]);
    expect(classifyReply(fromRaw('550 5.1.1 x'), custom)).toEqual({
      reason: 'error_ignored',
      type: 'ignored',
      bounceClass: 60,
    });
  });
});
