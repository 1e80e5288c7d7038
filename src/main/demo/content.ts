/**
 * First-start demo content: a template and a recipient list that exercises every behaviour of the built-in
 * sandbox (accepted, unknown user, greylisted then accepted, mailbox full, spam content, unknown domain) plus
 * the preparation exclusions (duplicates, a row without address) and an import error (invalid address), and a
 * few hundred readers at the receiver with hidden limits, for adaptive shaping to be seen.
 */
import type { MessageTemplate } from '../../shared/contract/schemas';

export const DEMO_TEMPLATE_NAME = 'Relaydeck demo newsletter';

export const DEMO_TEMPLATE: MessageTemplate = {
  fromName: 'Relaydeck Demo',
  fromAddress: 'news@relaydeck.test',
  subject: 'Hello {{first_name}}, your Relaydeck demo newsletter',
  text: [
    'Hello {{first_name}},',
    '',
    'This is the Relaydeck demo newsletter, sent to you in {{city}} through the built-in sandbox.',
    '',
    'Regards,',
    'The Relaydeck team',
  ].join('\n'),
  html: [
    '<!doctype html>',
    '<html><body>',
    '<p>Hello {{first_name}},</p>',
    '<p>This is the <strong>Relaydeck</strong> demo newsletter, sent to you in {{city}} through the built-in sandbox.</p>',
    '<p>Regards,<br>The Relaydeck team</p>',
    '</body></html>',
  ].join('\n'),
};

export const DEMO_LIST_NAME = 'Demo recipients (sandbox)';
export const DEMO_LIST_FILE = 'recipients.csv';

const ROWS: [email: string, firstName: string, city: string][] = [
  ['alice@inbox.test', 'Alice', 'Lyon'],
  ['bruno@inbox.test', 'Bruno', 'Porto'],
  ['chloe@mail.test', 'Chloé', 'Genève'],
  ['dmitri@mail.test', 'Dmitri', 'Tallinn'],
  ['elin@corp.test', 'Elin', 'Uppsala'],
  ['farid@corp.test', 'Farid', 'Marseille'],
  ['grace@shop.test', 'Grace', 'Dublin'],
  ['hugo@shop.test', 'Hugo', 'Bilbao'],
  ['ines@inbox.test', 'Inès', 'Nantes'],
  ['jonas@mail.test', 'Jonas', 'Malmö'],
  ['kenji@corp.test', 'Kenji', 'Osaka'],
  ['lea@shop.test', 'Léa', 'Rennes'],
  ['mateo@inbox.test', 'Mateo', 'Valencia'],
  ['nora@mail.test', 'Nora', 'Bergen'],
  ['oscar@corp.test', 'Oscar', 'Göteborg'],
  ['paula@shop.test', 'Paula', 'Sevilla'],
  ['quentin@inbox.test', 'Quentin', 'Lille'],
  ['rosa@mail.test', 'Rosa', 'Bologna'],
  ['samir@corp.test', 'Samir', 'Casablanca'],
  ['tove@shop.test', 'Tove', 'Lund'],
  ['unknown.user@inbox.test', 'Uma', 'Nice'],
  ['unknown-victor@mail.test', 'Victor', 'Brest'],
  ['nobody@corp.test', 'Wanda', 'Kraków'],
  ['grey.xavier@corp.test', 'Xavier', 'Metz'],
  ['greylist.yara@mail.test', 'Yara', 'Beirut'],
  ['grey-zoe@shop.test', 'Zoé', 'Annecy'],
  ['full.mailbox@inbox.test', 'Adam', 'Tours'],
  ['full-bea@mail.test', 'Béa', 'Dijon'],
  ['spam.trap@shop.test', 'Carl', 'Bremen'],
  ['spammy.dora@corp.test', 'Dora', 'Split'],
  ['emil@nowhere.example', 'Emil', 'Aarhus'],
  ['fatou@inbox.test', 'Fatou', 'Dakar'],
  ['gustav@mail.test', 'Gustav', 'Örebro'],
  ['hana@corp.test', 'Hana', 'Kyoto'],
  ['ivan@shop.test', 'Ivan', 'Sofia'],
  // Duplicates (differing only by case): Ignored, reason "double".
  ['Alice@Inbox.test', 'Alice', 'Lyon'],
  ['bruno@inbox.test', 'Bruno', 'Porto'],
  // No address: Ignored, reason "address not specified".
  ['', 'Jade', 'Ajaccio'],
  // Not an address: reported as an import error with its line number.
  ['karl.at.mail.test', 'Karl', 'Graz'],
  ['linnea@inbox.test', 'Linnea', 'Visby'],
  // Accepted, then answered later at the bounce mailbox (the Inbound mail page): an RFC 3464 DSN (user
  // unknown found after acceptance), an abuse complaint (ARF), an out-of-office auto-reply.
  ['dsn.mia@mail.test', 'Mia', 'Turku'],
  ['complain.nils@corp.test', 'Nils', 'Luleå'],
  ['ooo.olga@shop.test', 'Olga', 'Tartu'],
];

/**
 * Readers at `throttled.test`, the sandbox receiver with hidden limits (3 connections, 20 messages per
 * connection, 20 recipients/s, a penalty box): the engine is not told them, so the delivery shows it finding
 * them (the Destinations page and the shaping log).
 */
export const DEMO_THROTTLED_READERS = 300;
/** Cities of the demo lists' `city` column. */
export const DEMO_CITIES = [
  'Lyon',
  'Porto',
  'Genève',
  'Tallinn',
  'Uppsala',
  'Dublin',
  'Bilbao',
  'Osaka',
  'Bergen',
  'Lund',
];
const THROTTLED_ROWS: [string, string, string][] = Array.from({ length: DEMO_THROTTLED_READERS }, (_, i) => {
  const n = String(i + 1).padStart(3, '0');
  return [`reader${n}@throttled.test`, `Reader ${n}`, DEMO_CITIES[i % DEMO_CITIES.length] ?? 'Lyon'];
});

export const DEMO_CSV =
  ['email,first_name,city', ...[...ROWS, ...THROTTLED_ROWS].map((r) => r.join(','))].join('\r\n') + '\r\n';

/** The demo message as an .eml file, for `relaydeck deliver --message`. */
export const DEMO_EML = [
  `From: ${DEMO_TEMPLATE.fromName} <${DEMO_TEMPLATE.fromAddress}>`,
  `Subject: ${DEMO_TEMPLATE.subject}`,
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="relaydeck-demo"',
  '',
  '--relaydeck-demo',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  DEMO_TEMPLATE.text,
  '',
  '--relaydeck-demo',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  DEMO_TEMPLATE.html,
  '',
  '--relaydeck-demo--',
  '',
].join('\r\n');
