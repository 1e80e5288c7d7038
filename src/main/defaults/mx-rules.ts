/**
 * The shipped MX and automation rules (SPEC §6). Limits are conservative starting points taken from what the
 * big receivers publish or are known to tolerate for a sender without history; analysts tune them in the
 * console (or `relaydeck rules import`). Order matters: first enabled match wins, the generic `*` rule is last.
 */
import { RulesDocument, type AutomationRule, type MxRule } from '../../shared/contract/mta';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** RFC 5321 §4.5.3.2 minimums: 5 min per command, 10 min for the final reply to DATA; connect 30 s. */
const STANDARD_TIMEOUTS = { connectMs: 30 * SECOND, commandMs: 5 * MINUTE, dataMs: 10 * MINUTE };

function mx(
  id: string,
  mask: string,
  description: string,
  limits: Pick<MxRule, 'maxConnections' | 'maxMessagesPerConnection' | 'messagesPerHour'> &
    Partial<Pick<MxRule, 'tls' | 'timeouts'>>,
  kind: 'mx' | 'domain' = 'mx',
): MxRule {
  return {
    id,
    description,
    match: { kind, mask },
    tls: 'opportunistic',
    timeouts: STANDARD_TIMEOUTS,
    enabled: true,
    ...limits,
  };
}

export const DEFAULT_MX_RULES: readonly MxRule[] = [
  mx('loopback', '127.0.0.1', 'Loopback receivers: the built-in sandbox, local sinks and test servers', {
    maxConnections: 25,
    maxMessagesPerConnection: 10_000,
    messagesPerHour: null,
    timeouts: { connectMs: 10 * SECOND, commandMs: MINUTE, dataMs: 2 * MINUTE },
  }),
  mx('localhost', 'localhost', 'Loopback receivers addressed by name', {
    maxConnections: 25,
    maxMessagesPerConnection: 10_000,
    messagesPerHour: null,
    timeouts: { connectMs: 10 * SECOND, commandMs: MINUTE, dataMs: 2 * MINUTE },
  }),
  mx('gmail', '*.google.com', 'Gmail and Google Workspace (aspmx.l.google.com, gmail-smtp-in.l.google.com)', {
    maxConnections: 20,
    maxMessagesPerConnection: 100,
    messagesPerHour: 60_000,
    tls: 'opportunistic',
  }),
  mx('googlemail', '*.googlemail.com', 'Google legacy MX names (*.googlemail.com)', {
    maxConnections: 20,
    maxMessagesPerConnection: 100,
    messagesPerHour: 60_000,
  }),
  mx('yahoo', '*.yahoodns.net', 'Yahoo, AOL and Verizon Media (mta5.am0.yahoodns.net)', {
    maxConnections: 10,
    maxMessagesPerConnection: 20,
    messagesPerHour: 20_000,
  }),
  mx(
    'microsoft-consumer',
    '*.olc.protection.outlook.com',
    'Outlook.com, Hotmail, Live, MSN (*.olc.protection.outlook.com)',
    {
      maxConnections: 10,
      maxMessagesPerConnection: 30,
      messagesPerHour: 20_000,
    },
  ),
  mx('microsoft-365', '*.protection.outlook.com', 'Microsoft 365 tenants (*.mail.protection.outlook.com)', {
    maxConnections: 10,
    maxMessagesPerConnection: 50,
    messagesPerHour: 30_000,
  }),
  mx('icloud', '*.mail.icloud.com', 'iCloud, me.com, mac.com (mx01.mail.icloud.com)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('gmx-webde', '*.gmx.net', 'GMX and Web.de (mx00.emig.gmx.net, mx-ha03.web.de share United Internet)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('webde', '*.web.de', 'Web.de (mx-ha03.web.de)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('orange', '*.orange.fr', 'Orange and Wanadoo (smtp-in.orange.fr)', {
    maxConnections: 3,
    maxMessagesPerConnection: 20,
    messagesPerHour: 6_000,
  }),
  mx('free', '*.free.fr', 'Free (mx1.free.fr)', {
    maxConnections: 3,
    maxMessagesPerConnection: 20,
    messagesPerHour: 6_000,
  }),
  mx('mailru', '*.mail.ru', 'Mail.ru (mxs.mail.ru)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('yandex', '*.yandex.net', 'Yandex (mx.yandex.net)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('qq', '*.qq.com', 'QQ mail (mx3.qq.com)', {
    maxConnections: 3,
    maxMessagesPerConnection: 20,
    messagesPerHour: 5_000,
  }),
  mx('netease', '*.163.com', 'NetEase 163/126 (163mx01.mxmail.netease.com, *.163.com)', {
    maxConnections: 3,
    maxMessagesPerConnection: 20,
    messagesPerHour: 5_000,
  }),
  mx('comcast', '*.comcast.net', 'Comcast (mx1a1.comcast.net)', {
    maxConnections: 5,
    maxMessagesPerConnection: 50,
    messagesPerHour: 10_000,
  }),
  mx('generic', '*', 'Every other destination', {
    maxConnections: 10,
    maxMessagesPerConnection: 100,
    messagesPerHour: null,
  }),
];

function automation(rule: Omit<AutomationRule, 'enabled'>): AutomationRule {
  return { ...rule, enabled: true };
}

export const DEFAULT_AUTOMATION_RULES: readonly AutomationRule[] = [
  automation({
    id: 'yahoo-ts01',
    description: 'Yahoo [TS01]: unusual traffic from the IP — slow down for an hour',
    scope: '*.yahoodns.net',
    pattern: '\\[TS01\\]',
    trigger: { kind: 'count', count: 3, windowMs: 10 * MINUTE },
    action: { kind: 'throttle', rateFactor: 0.5, maxConnections: 2, durationMs: HOUR },
  }),
  automation({
    id: 'yahoo-ts02',
    description: 'Yahoo [TS02]: complaints or content — suspend for an hour',
    scope: '*.yahoodns.net',
    pattern: '\\[TS02\\]',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: HOUR },
  }),
  automation({
    id: 'yahoo-ts03',
    description: 'Yahoo [TS03]: messages deferred for poor reputation — suspend for 4 hours',
    scope: '*.yahoodns.net',
    pattern: '\\[TS03\\]',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: 4 * HOUR },
  }),
  automation({
    id: 'yahoo-ts04',
    description: 'Yahoo [TS04]: permanently deferred for poor reputation — suspend for 12 hours',
    scope: '*.yahoodns.net',
    pattern: '\\[TS04\\]',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: 12 * HOUR },
  }),
  automation({
    id: 'gmail-4-7-28',
    description: 'Gmail 4.7.28: unusual rate of unsolicited mail — halve the rate for 2 hours',
    scope: '*.google.com',
    pattern: '4\\.7\\.28',
    trigger: { kind: 'immediate' },
    action: { kind: 'throttle', rateFactor: 0.5, maxConnections: 5, durationMs: 2 * HOUR },
  }),
  automation({
    id: 'gmail-4-7-0-rate',
    description: 'Gmail 4.7.0 rate limiting — slow down for 30 minutes after repeated replies',
    scope: '*.google.com',
    pattern: '4\\.7\\.0 .*(rate|too many)',
    trigger: { kind: 'count', count: 5, windowMs: 10 * MINUTE },
    action: { kind: 'throttle', rateFactor: 0.7, maxConnections: null, durationMs: 30 * MINUTE },
  }),
  automation({
    id: 'microsoft-s3150',
    description: 'Microsoft S3150: the sending IP is blocked — suspend for 6 hours',
    scope: '*.outlook.com',
    pattern: '\\bS3150\\b',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: 6 * HOUR },
  }),
  automation({
    id: 'microsoft-s3140',
    description: 'Microsoft S3140: the sending IP is on a block list — suspend for 6 hours',
    scope: '*.outlook.com',
    pattern: '\\bS3140\\b',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: 6 * HOUR },
  }),
  automation({
    id: 'microsoft-4-7-650',
    description: 'Microsoft 4.7.650: IP reputation deferral — slow down for an hour',
    scope: '*.outlook.com',
    pattern: '4\\.7\\.650',
    trigger: { kind: 'count', count: 3, windowMs: 15 * MINUTE },
    action: { kind: 'throttle', rateFactor: 0.5, maxConnections: 2, durationMs: HOUR },
  }),
  automation({
    id: 'orange-blocked',
    description: 'Orange OFR_xxx / "trop de connexions": slow down for 30 minutes',
    scope: '*.orange.fr',
    pattern: '\\bOFR_\\d+|trop de connexions',
    trigger: { kind: 'immediate' },
    action: { kind: 'throttle', rateFactor: 0.5, maxConnections: 1, durationMs: 30 * MINUTE },
  }),
];

export const DEFAULT_RULES: RulesDocument = RulesDocument.parse({
  format: 'relaydeck-rules',
  version: 1,
  mxRules: DEFAULT_MX_RULES,
  automationRules: DEFAULT_AUTOMATION_RULES,
  adaptive: {},
});
