/**
 * The simulator's demo campaign: a recipient list spread over the sandbox's provider profiles the way a B2C
 * list is spread over mailbox providers (a third at Gmail, Microsoft and Yahoo next, a corporate share behind
 * greylisting gateways, a few full mailboxes, a tarpit and a dead domain), with the test addresses that force
 * each outcome. Generated, deterministic: the same list for the same size.
 */
import { DEMO_CITIES } from './content';

export const SIMULATION_LIST_NAME = 'Simulation campaign (10,000 recipients across the provider profiles)';
export const SIMULATION_LIST_FILE = 'simulation-recipients.csv';
export const SIMULATION_LIST_SIZE = 10_000;

/** Recipients per 10,000 by domain (sums to 10,000 with the test addresses below). */
const SHARES: [domain: string, per10k: number][] = [
  ['gmail.test', 3450],
  ['googlemail.test', 200],
  ['outlook.test', 1000],
  ['hotmail.test', 500],
  ['live.test', 200],
  ['yahoo.test', 1000],
  ['aol.test', 300],
  ['icloud.test', 500],
  ['me.test', 100],
  ['comcast.test', 300],
  ['corporate.test', 600],
  ['acme.test', 300],
  ['inbox.test', 600],
  ['mail.test', 300],
  ['shop.test', 200],
  ['full.test', 300],
  ['tarpit.test', 50],
  ['dead.test', 50],
];

/** Test addresses per 10,000: each forces an outcome at any profile (see TEST_ADDRESS_RULES). */
const TEST_ADDRESSES: [localPrefix: string, domain: string, per10k: number][] = [
  ['unknown', 'gmail.test', 10],
  ['grey', 'outlook.test', 10],
  ['full', 'yahoo.test', 5],
  ['dsn', 'inbox.test', 5],
  ['complain', 'gmail.test', 5],
  ['ooo', 'corporate.test', 10],
  ['spam', 'mail.test', 5],
];

const FIRST = [
  'Alice',
  'Bruno',
  'Chloé',
  'Dmitri',
  'Elin',
  'Farid',
  'Grace',
  'Hugo',
  'Inès',
  'Jonas',
  'Kenji',
  'Léa',
];
const LAST = ['martin', 'silva', 'berg', 'novak', 'dubois', 'garcia', 'nakamura', 'olsen', 'rossi', 'haddad'];

/** The list as CSV (email, first_name, city) with `size` recipients (shares scaled; at least one per domain). */
export function simulationCsv(size: number = SIMULATION_LIST_SIZE): string {
  const rows: string[] = ['email,first_name,city'];
  let n = 0;
  const add = (local: string, domain: string) => {
    const first = FIRST[n % FIRST.length]!;
    rows.push(`${local}@${domain},${first},${DEMO_CITIES[n % DEMO_CITIES.length]!}`);
    n++;
  };
  const scaled = (per10k: number) => Math.max(1, Math.round((per10k * size) / 10_000));
  for (const [prefix, domain, per10k] of TEST_ADDRESSES)
    for (let i = 0; i < scaled(per10k); i++) add(`${prefix}.${i + 1}`, domain);
  for (const [domain, per10k] of SHARES) {
    for (let i = 0; i < scaled(per10k) && n < size; i++) {
      const first = FIRST[(n * 7) % FIRST.length]!.toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]/g, '');
      add(`${first}.${LAST[n % LAST.length]!}${n}`, domain);
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
