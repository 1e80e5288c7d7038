import { describe, expect, it } from 'vitest';
import {
  buildCreateInput,
  checkValidity,
  initialForm,
  parseHostPort,
  serverFieldErrors,
  usesSandbox,
  type DeliveryForm,
} from '../../src/renderer/features/deliveries/form-model';

const SANDBOX = { kind: 'sandbox' } as const;

function filledForm(patch: Partial<DeliveryForm> = {}): DeliveryForm {
  return {
    ...initialForm(SANDBOX),
    name: ' Spring ',
    template: {
      fromName: 'Acme',
      fromAddress: 'news@acme.test',
      subject: 'Hi {{first_name}}',
      text: 'Hello',
      html: '',
    },
    recipients: { fileName: 'list.csv', csv: 'email\na@inbox.test\n' },
    ...patch,
  };
}

describe('new delivery form model', () => {
  it('parses HOST:PORT, including IPv6 literals, and rejects bad ports', () => {
    expect(parseHostPort('smtp.example.net:25')).toEqual({ host: 'smtp.example.net', port: 25 });
    expect(parseHostPort(' [::1]:2525 ')).toEqual({ host: '::1', port: 2525 });
    expect(parseHostPort('smtp.example.net')).toBeNull();
    expect(parseHostPort('host:0')).toBeNull();
    expect(parseHostPort('host:70000')).toBeNull();
  });

  it('accepts the durations of the brief and explains bad ones', () => {
    expect(checkValidity('5d')).toEqual({ ok: true, ms: 5 * 86_400_000 });
    expect(checkValidity('3.5d')).toEqual({ ok: true, ms: 3.5 * 86_400_000 });
    expect(checkValidity('90m')).toEqual({ ok: true, ms: 90 * 60_000 });
    const bad = checkValidity('five days');
    expect(bad.ok).toBe(false);
    expect(checkValidity('30s')).toEqual({ ok: false, message: 'the validity must be at least 1 minute' });
  });

  it('reports every missing required field under its key', () => {
    const result = buildCreateInput(initialForm(SANDBOX), SANDBOX);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([
      'name',
      'recipients',
      'template.fromAddress',
      'template.subject',
      'template.text',
    ]);
  });

  it('reports template syntax errors with their line and column', () => {
    const result = buildCreateInput(
      filledForm({ template: { ...filledForm().template, text: 'Hello\nDear {{first_name' } }),
      SANDBOX,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['template.text']).toEqual(['line 2, column 6: unclosed "{{": expected "}}"']);
  });

  it('refuses placeholders that are not columns of the previewed list', () => {
    const form = filledForm({ template: { ...filledForm().template, html: '<p>{{city}}</p>' } });
    const result = buildCreateInput(form, SANDBOX, ['email', 'first_name']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['template.html']).toEqual([
      '{{city}} is not a column of the recipient list (columns: email, first_name)',
    ]);
    expect(buildCreateInput(form, SANDBOX, ['email', 'first_name', 'city']).ok).toBe(true);
  });

  it('builds the create input for the sandbox default route with time compression', () => {
    const result = buildCreateInput(filledForm(), SANDBOX);
    expect(result).toMatchObject({
      ok: true,
      input: {
        name: 'Spring',
        routes: [],
        smarthost: null,
        timeScale: 60,
        reporting: 'efs',
        validityMs: 5 * 86_400_000,
      },
    });
  });

  it('adds a catch-all sandbox route when the default route is not the sandbox', () => {
    const result = buildCreateInput(filledForm(), null);
    expect(result.ok && result.input.routes).toEqual([{ mask: '*', target: { kind: 'sandbox' } }]);
  });

  it('sends to a smart host in real time, with per-domain routes', () => {
    const form = filledForm({
      routing: 'smarthost',
      smarthost: '127.0.0.1:2525',
      routes: [{ key: 1, mask: '*.Corp.test', target: 'smtp', hostPort: 'mx.corp.test:25' }],
    });
    expect(usesSandbox(form, SANDBOX)).toBe(false);
    const result = buildCreateInput(form, SANDBOX);
    expect(result).toMatchObject({
      ok: true,
      input: {
        smarthost: { host: '127.0.0.1', port: 2525 },
        routes: [{ mask: '*.corp.test', target: { kind: 'smtp', host: 'mx.corp.test', port: 25 } }],
        timeScale: 1,
      },
    });
  });

  it('flags a bad smart host and a bad route mask', () => {
    const result = buildCreateInput(
      filledForm({
        routing: 'smarthost',
        smarthost: 'nope',
        routes: [{ key: 1, mask: 'bad mask', target: 'sandbox', hostPort: '' }],
      }),
      SANDBOX,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['routes.0.mask', 'smarthost']);
  });

  it('places server error details next to their fields', () => {
    const errors = serverFieldErrors(
      [
        { field: 'template.fromAddress', message: 'invalid address' },
        { field: 'subject', line: 1, column: 7, message: 'invalid field name ""' },
        { field: 'routes.2.target.port', message: 'too big' },
        { line: 12, message: 'no email column' },
        { message: 'something else' },
      ],
      'csv_invalid',
    );
    expect(errors).toEqual({
      'template.fromAddress': ['invalid address'],
      'template.subject': ['line 1, column 7: invalid field name ""'],
      'routes.2.target': ['too big'],
      recipients: ['line 12: no email column', 'something else'],
    });
  });
});
