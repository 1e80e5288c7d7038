/**
 * Validation messages in plain English, through zod 4's own error customisation: every issue a schema raises
 * without a message of its own is worded here from the issue's data (its code, bounds, allowed values, the
 * value given) and the schema that owns it, naming the field by its label: "Rate must be more than 0 and less
 * than 1 (it is 1.5)", "Messages per hour must be a whole number from 1 to 100,000,000 (it is 0)", "Name is
 * required". Nothing parses zod's English strings.
 *
 * Installed once for the whole process (`z.config({ customError })`) as soon as a module of the contract is
 * loaded, so the API's `invalid_input` details, the CLI's import errors and the console's client-side checks
 * read the same. A form whose fields show values in other units than the schema (a percentage for a ratio, a
 * duration for milliseconds) passes its own `PlainOptions` for one parse: `schema.safeParse(v, plainParse(o))`.
 * Messages a schema gives itself (`.regex(re, '…')`, `ctx.addIssue`) are kept as written: they are written to
 * read the same way.
 */
import { z } from 'zod';
import { formatDuration } from '../domain/duration';

export interface PlainOptions {
  /** The label of the field at `path` ("Messages per hour"), when the caller knows it better than `fieldLabel`. */
  label?(path: readonly PropertyKey[]): string | undefined;
  /** How a number of the field at `path` reads ("150 %", "10m"), when not as a plain number. */
  value?(path: readonly PropertyKey[], n: number): string | undefined;
  /** Without the label ("must be at most 100 %", "required"), for a page that shows the label beside it. */
  bare?: boolean;
}

/** Labels of the contract's field names (the last key of a path), where splitting the name is not enough. */
const LABELS: Record<string, string> = {
  id: 'Id',
  mxRules: 'MX rules',
  automationRules: 'Automation rules',
  classMapping: 'Class mapping',
  ids: 'Ids',
  csv: 'CSV content',
  fileName: 'File name',
  fromAddress: 'Sender address',
  fromName: 'Sender name',
  html: 'HTML body',
  text: 'Text body',
  mask: 'Domain mask',
  host: 'Host',
  port: 'Port',
  smarthost: 'Smart host',
  validityMs: 'Validity',
  timeScale: 'Time compression',
  maxConnections: 'Max connections',
  maxMessagesPerConnection: 'Messages per connection',
  messagesPerHour: 'Messages per hour',
  connectMs: 'Connect timeout',
  commandMs: 'Command timeout',
  dataMs: 'Data timeout',
  tls: 'TLS policy',
  rateFactor: 'Rate',
  windowMs: 'Window',
  durationMs: 'Duration',
  decreaseFactor: 'Rate decrease',
  increaseShare: 'Rate increase',
  breakerRatio: 'Breaker error ratio',
  breakerMinAttempts: 'Breaker minimum attempts',
  breakerBlockMs: 'Breaker block',
  suspendMs: 'Longest suspension',
  signalWindowMs: 'Signal window',
  increasePeriodMs: 'Increase period',
  suspendAfterSignals: 'Signals before suspension',
  mxScope: 'MX scope',
  enhanced: 'Enhanced code',
  code: 'Reply code',
  bounceClass: 'Bounce class',
  replyOnly: 'Replies only',
  intervalSec: 'Poll interval',
  cursor: 'Cursor',
  limit: 'Page size',
  contentBase64: 'File content',
  recipientsPerTransaction: 'Recipients per transaction',
  deliveryId: 'Delivery',
  reply: 'Reply',
  mxHost: 'MX host',
  greetingDelayMs: 'Greeting delay',
  replyDelayMs: 'Reply delay',
  greylistDelayMs: 'Greylist delay',
  asyncDelayMs: 'Asynchronous delay',
  disconnectRate: 'Dropped connections',
};

/** Where the last key is only a discriminator or a part, the parent's name says what the field is. */
const BY_PARENT: Record<string, string> = {
  'trigger.kind': 'Trigger',
  'action.kind': 'Action',
  'target.kind': 'Route target',
  'match.kind': 'Match on',
  'match.mask': 'Mask',
  'sort.key': 'Sort column',
  'sort.dir': 'Sort direction',
};

/** `messagesPerHour` -> "Messages per hour"; `connectMs` -> "Connect". */
function humanise(key: string): string {
  const words = key
    .replace(/(Ms|Sec)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : key;
}

/**
 * The label of the field at `path` ("Messages per hour" for `mxRules.3.messagesPerHour`); an item of a list
 * reads "Domains, item 3"; the whole input reads "The value".
 */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const keys = path.map(String);
  let end = keys.length;
  let item: number | null = null;
  if (end > 0 && /^\d+$/.test(keys[end - 1]!)) {
    item = Number(keys[end - 1]) + 1;
    end -= 1;
  }
  const last = keys[end - 1];
  if (last === undefined) return item === null ? 'The value' : `Item ${item}`;
  const parent = keys[end - 2];
  const name =
    (parent !== undefined ? BY_PARENT[`${parent}.${last}`] : undefined) ?? LABELS[last] ?? humanise(last);
  return item === null ? name : `${name}, item ${item}`;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** A number as the field shows it: durations for `…Ms` fields, else grouped digits. */
function defaultValue(path: readonly PropertyKey[], n: number): string {
  const last = String(path.at(-1) ?? '');
  if (/Ms$/.test(last) && Number.isFinite(n) && n >= 0) return formatDuration(n);
  return numberFormat.format(n);
}

const shown = (v: unknown): string => {
  if (typeof v === 'number' && Number.isNaN(v)) return 'not a number';
  if (typeof v === 'string') return v.length > 60 ? `"${v.slice(0, 57)}…"` : `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'not a single value';
};

const KIND_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a group of fields',
  date: 'a date',
  bigint: 'a whole number',
  null: 'empty',
};

const listOf = (values: readonly unknown[]): string => {
  const words = values.slice(0, 12).map((v) => (typeof v === 'string' ? v : String(v)));
  const more = values.length > 12 ? `, … (${values.length} choices)` : '';
  return words.length === 1 ? `${words[0]!}` : `one of: ${words.join(', ')}${more}`;
};

interface NumberRange {
  integer: boolean;
  min: number | null;
  minExclusive: boolean;
  max: number | null;
  maxExclusive: boolean;
}

/** The bounds of the number schema that raised an issue, from its public JSON Schema form. */
function numberRange(schema: z.core.$ZodType | undefined): NumberRange | null {
  if (!schema) return null;
  try {
    const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
    if (json.type !== 'number' && json.type !== 'integer') return null;
    const num = (k: string): number | null => {
      const v = json[k];
      return typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : null;
    };
    const exclusiveMin = num('exclusiveMinimum');
    const exclusiveMax = num('exclusiveMaximum');
    return {
      integer: json.type === 'integer',
      min: exclusiveMin ?? num('minimum'),
      minExclusive: exclusiveMin !== null,
      max: exclusiveMax ?? num('maximum'),
      maxExclusive: exclusiveMax !== null,
    };
  } catch {
    return null;
  }
}

/** "a whole number from 1 to 500", "more than 0 and less than 1", "at least 1". */
function describeRange(range: NumberRange, fmt: (n: number) => string): string {
  // A value shown with a unit (10m, 50 %) is a quantity, not "a whole number": only its bounds are said.
  const unit = [range.min, range.max].some((n) => n !== null && !/^-?[\d,.]+$/.test(fmt(n)));
  const r = unit ? { ...range, integer: false } : range;
  const low = r.min === null ? null : `${r.minExclusive ? 'more than' : 'at least'} ${fmt(r.min)}`;
  const high = r.max === null ? null : `${r.maxExclusive ? 'less than' : 'at most'} ${fmt(r.max)}`;
  const kind = r.integer ? 'a whole number' : 'a number';
  if (low && high && !r.minExclusive && !r.maxExclusive)
    return r.integer
      ? `${kind} from ${fmt(r.min!)} to ${fmt(r.max!)}`
      : `between ${fmt(r.min!)} and ${fmt(r.max!)}`;
  const bounds = [low, high].filter(Boolean).join(' and ');
  if (!bounds) return kind;
  return r.integer
    ? `${kind} ${r.minExclusive || low === null ? '' : 'of '}${bounds}`.replace(/\s+/g, ' ')
    : bounds;
}

const plural = (n: number, word: string) => `${numberFormat.format(n)} ${word}${n === 1 ? '' : 's'}`;

/** The plain sentence for one issue, or undefined to keep zod's (never reached for the codes zod raises). */
export function plainIssueMessage(iss: z.core.$ZodRawIssue, options: PlainOptions = {}): string {
  const path = iss.path ?? [];
  const label = options.label?.(path) ?? fieldLabel(path);
  /** The sentence after the label, or alone ("required", "must be …") for a bare message. */
  const say = (predicate: string) =>
    options.bare ? predicate.replace(/^is (required|not)\b/, (_, w: string) => w) : `${label} ${predicate}`;
  const fmt = (n: number) => options.value?.(path, n) ?? defaultValue(path, n);
  const given = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? fmt(v) : shown(v));
  const input = iss.input;

  switch (iss.code) {
    case 'invalid_type': {
      if (input === undefined) return say(`is required`);
      if (iss.expected === 'number' && typeof input === 'number') return say(`must be a number`);
      if (iss.expected === 'int') {
        const range = numberRange(iss.schema);
        const what = range ? describeRange({ ...range, integer: true }, fmt) : 'a whole number';
        return say(`must be ${what} (it is ${given(input)})`);
      }
      const kind = KIND_WORDS[iss.expected] ?? iss.expected;
      return say(`must be ${kind}${input === null ? ' (it is empty)' : ''}`);
    }
    case 'too_big':
    case 'too_small': {
      const bound = Number(iss.code === 'too_big' ? iss.maximum : iss.minimum);
      switch (iss.origin) {
        case 'number':
        case 'int':
        case 'bigint': {
          const range = numberRange(iss.schema);
          const fallback: NumberRange = {
            integer: iss.origin !== 'number',
            min: iss.code === 'too_small' ? bound : null,
            minExclusive: iss.code === 'too_small' && iss.inclusive === false,
            max: iss.code === 'too_big' ? bound : null,
            maxExclusive: iss.code === 'too_big' && iss.inclusive === false,
          };
          const what = describeRange(range ?? fallback, fmt);
          return say(`must be ${what} (it is ${given(input)})`);
        }
        case 'string': {
          const length = typeof input === 'string' ? input.length : null;
          if (iss.code === 'too_small' && bound <= 1) return say(`is required`);
          const limit = `${iss.code === 'too_big' ? 'at most' : 'at least'} ${plural(bound, 'character')}`;
          const has = length !== null ? ` (it has ${numberFormat.format(length)})` : '';
          return say(`must be ${limit} long${has}`);
        }
        case 'array':
        case 'set': {
          const count = Array.isArray(input) ? input.length : null;
          if (iss.code === 'too_small' && bound <= 1) {
            const noun = fieldLabel(path.filter((k) => typeof k !== 'number')).replace(/s$/, '');
            const one = /^[A-Z][a-z]/.test(noun) ? noun[0]!.toLowerCase() + noun.slice(1) : noun;
            return options.bare ? `at least one ${one}` : `At least one ${one} is needed`;
          }
          const limit = `${iss.code === 'too_big' ? 'at most' : 'at least'} ${plural(bound, 'item')}`;
          const has = count !== null ? ` (it has ${numberFormat.format(count)})` : '';
          return say(`must have ${limit}${has}`);
        }
        default:
          return say(`is ${iss.code === 'too_big' ? 'too large' : 'too small'}`);
      }
    }
    case 'invalid_value':
      return say(`must be ${listOf(iss.values)} (it is ${given(input)})`);
    case 'invalid_union': {
      const options = (iss as { options?: unknown }).options;
      if (Array.isArray(options) && options.length > 0)
        return say(`must be ${listOf(options)} (it is ${given(input)})`);
      return say(`is not a valid value`);
    }
    case 'invalid_format': {
      const formats: Record<string, string> = {
        email: 'an email address',
        url: 'a web address (URL)',
        base64: 'base64 text',
        uuid: 'an identifier (UUID)',
        datetime: 'a date and time',
        date: 'a date',
        ipv4: 'an IPv4 address',
        ipv6: 'an IPv6 address',
      };
      const what = formats[iss.format];
      return what ? say(`must be ${what} (it is ${given(input)})`) : say(`is not in a valid form`);
    }
    case 'not_multiple_of':
      return say(`must be a multiple of ${fmt(Number(iss.divisor))} (it is ${given(input)})`);
    case 'unrecognized_keys':
      return say(`has unknown field${iss.keys.length === 1 ? '' : 's'}: ${iss.keys.join(', ')}`);
    case 'invalid_key':
      return say(`has a key that is not allowed`);
    case 'invalid_element':
      return say(`has an item that is not valid`);
    case 'custom':
      return say(`is not valid`);
  }
}

/**
 * A schema's own message for one check, after the field's label: `z.string().regex(re, plainCheck('must be a
 * numeric id'))` reads "Delivery must be a numeric id".
 */
export function plainCheck(predicate: string | ((iss: z.core.$ZodRawIssue) => string)): {
  error: (iss: z.core.$ZodRawIssue) => string;
} {
  return {
    error: (iss) =>
      `${fieldLabel(iss.path ?? [])} ${typeof predicate === 'string' ? predicate : predicate(iss)}`,
  };
}

/** The per-parse error setting of a form with its own labels or units: `schema.safeParse(v, plainParse(o))`. */
export function plainParse(options: PlainOptions): { error: (iss: z.core.$ZodRawIssue) => string } {
  return { error: (iss) => plainIssueMessage(iss, options) };
}

z.config({ customError: (iss) => plainIssueMessage(iss) });
