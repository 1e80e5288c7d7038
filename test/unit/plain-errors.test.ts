/**
 * Validation messages are plain English naming the field (issue 14 point 8): every input schema of the contract
 * is walked and each of its fields given bad values (wrong type, out of range, too long, not a choice, missing);
 * no message may carry schema jargon. Then the wording of the cases analysts meet most.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, type MethodName } from '../../src/shared/contract';
import { AutomationRule, MxRule } from '../../src/shared/contract/mta';
import { fieldLabel, plainParse } from '../../src/shared/contract/plain-errors';
import { issueDetails } from '../../src/shared/contract/issues';
import { BounceRuleSchema } from '../../src/shared/domain/bounce-rules';
import { dispatch } from '../../src/main/api/dispatch';
import type { Handlers } from '../../src/shared/contract';

const JARGON = /expected|too big|too small|invalid input|invalid option|invalid string|received|nan\b|<=|>=/i;

type Leaf = { path: (string | number)[]; schema: z.ZodType };

/** Every leaf of a schema with its path, through the public `type` / `def` of zod 4 schemas. */
function leaves(schema: z.ZodType, path: (string | number)[] = [], depth = 0): Leaf[] {
  if (depth > 8) return [];
  const def = schema.def as unknown as Record<string, unknown>;
  switch (schema.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([k, s]) => leaves(s, [...path, k], depth + 1));
    }
    case 'array':
      return [{ path, schema }, ...leaves(def.element as z.ZodType, [...path, 0], depth + 1)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return leaves(def.innerType as z.ZodType, path, depth + 1);
    case 'pipe':
      return leaves(def.in as z.ZodType, path, depth + 1);
    case 'union':
      return [{ path, schema }, ...(def.options as z.ZodType[]).flatMap((o) => leaves(o, path, depth + 1))];
    case 'record':
      return leaves(def.valueType as z.ZodType, [...path, 'key'], depth + 1);
    default:
      return [{ path, schema }];
  }
}

const BAD_VALUES: unknown[] = [
  undefined,
  null,
  'not a number ✗',
  -1,
  0,
  0.5,
  1.5,
  1e12,
  Number.NaN,
  true,
  {},
  [],
  'x'.repeat(3000),
  Array.from({ length: 3000 }, () => 'x'),
  '',
];

function withValue(path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const inner = withValue(rest, value);
  return typeof head === 'number' ? [inner] : { [head as string]: inner };
}

describe('plain validation messages', () => {
  it('no input schema of the contract answers a bad value with schema jargon', () => {
    const offending: string[] = [];
    let checked = 0;
    for (const method of Object.keys(contract) as MethodName[]) {
      const input = contract[method].input as unknown as z.ZodType;
      for (const leaf of [{ path: [], schema: input }, ...leaves(input)]) {
        for (const value of BAD_VALUES) {
          const parsed = input.safeParse(withValue(leaf.path, value));
          if (parsed.success) continue;
          for (const issue of parsed.error.issues) {
            checked++;
            if (JARGON.test(issue.message))
              offending.push(`${method} ${issue.path.join('.')}: ${issue.message}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect([...new Set(offending)].slice(0, 40)).toEqual([]);
  });

  it('names the field by its label and says what is allowed and what was given', () => {
    const mx = MxRule.safeParse({
      id: 'Bad Id',
      match: { kind: 'mx', mask: 'not a mask!' },
      maxConnections: 0,
      maxMessagesPerConnection: 2.5,
      messagesPerHour: 0,
      timeouts: { connectMs: 0, commandMs: 1000, dataMs: 1000 },
      tls: 'sometimes',
    });
    const messages = mx.success ? [] : issueDetails(mx.error).map((d) => d.message);
    expect(messages).toContain('Max connections must be a whole number from 1 to 500 (it is 0)');
    expect(messages).toContain(
      'Messages per connection must be a whole number from 1 to 100,000 (it is 2.5)',
    );
    expect(messages).toContain('Messages per hour must be a whole number from 1 to 100,000,000 (it is 0)');
    expect(messages).toContain('Connect timeout must be between 1ms and 30d (it is 0ms)');
    expect(messages).toContain(
      'TLS policy must be one of: opportunistic, required, disabled (it is "sometimes")',
    );
    expect(messages.some((m) => m.startsWith('Id '))).toBe(true);
    expect(messages.some((m) => m.startsWith('Mask '))).toBe(true);

    const auto = AutomationRule.safeParse({
      id: 'a',
      pattern: 'x',
      trigger: { kind: 'immediate' },
      action: { kind: 'throttle', rateFactor: 1.5, durationMs: 60_000 },
    });
    expect(auto.success ? [] : auto.error.issues.map((i) => i.message)).toEqual([
      'Rate must be more than 0 and less than 1 (it is 1.5)',
    ]);

    const rule = BounceRuleSchema.safeParse({ id: 'r', pattern: '', code: '6xx', bounceClass: 41 });
    const ruleMessages = rule.success ? [] : rule.error.issues.map((i) => i.message);
    expect(ruleMessages).toEqual([
      'Reply code must be 4xx, 5xx, an exact code like 550, "any" or "none"',
      'Bounce class must be one of the bounce classes (41 is not one)',
    ]);
  });

  it('is required / must be a number / must be a list, for missing and wrongly typed values', () => {
    const schema = z.object({ name: z.string().min(1), port: z.number().int(), hosts: z.array(z.string()) });
    const r = schema.safeParse({ port: 'abc', hosts: 'x' });
    expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual([
      'Name is required',
      'Port must be a number',
      'Hosts must be a list',
    ]);
    expect(fieldLabel(['profiles', 2, 'domains', 3])).toBe('Domains, item 4');
    expect(fieldLabel([])).toBe('The value');
  });

  it('a form passes its own labels and units for one parse', () => {
    const ratio = z.object({ decreaseFactor: z.number().gt(0).lt(1) });
    const r = ratio.safeParse(
      { decreaseFactor: 1.5 },
      plainParse({
        label: () => 'Decrease to',
        value: (_path, n) => `${Math.round(n * 100)} %`,
      }),
    );
    expect(r.success ? '' : r.error.issues[0]?.message).toBe(
      'Decrease to must be more than 0 % and less than 100 % (it is 150 %)',
    );
  });

  it('the API answers invalid input with the plain messages, the field path kept for machines', async () => {
    const result = await dispatch(
      {} as Handlers,
      'rules.save',
      { format: 'relaydeck-rules', version: 1 },
      {
        transport: 'http',
      },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.message).not.toMatch(JARGON);
    expect(result.error.details).toEqual([{ field: 'mxRules', message: 'MX rules is required' }]);
  });
});
