/**
 * The bound field of the console's forms, rendered to markup: the label names the control, problems make it
 * aria-invalid and are what aria-describedby points at (else the hint), and the test ids stay `error-<id>`.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BoundCheckbox, BoundInput, type FormBinding } from '../../src/renderer/components/BoundField';

interface Form {
  mask: string;
  enabled: boolean;
}

function binding(errors: Record<string, string[]>): FormBinding<Form> {
  return { form: { mask: '*.example', enabled: true }, set: () => {}, err: (path) => errors[path] ?? [] };
}

const render = (bind: FormBinding<Form>, extra: Record<string, unknown> = {}) =>
  renderToStaticMarkup(
    createElement(BoundInput<Form, 'mask'>, {
      bind,
      name: 'mask',
      path: 'match.mask',
      id: 'mx-mask',
      label: 'Mask',
      hint: 'e.g. *.google.com',
      ...extra,
    }),
  );

const attr = (html: string, tag: string, name: string) =>
  new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`).exec(html)?.[1];

describe('BoundInput', () => {
  it('labels the control and describes it by its hint when it has no problem', () => {
    const html = render(binding({}));
    expect(attr(html, 'label', 'for')).toBe('mx-mask');
    expect(attr(html, 'input', 'value')).toBe('*.example');
    expect(attr(html, 'input', 'aria-invalid')).toBeUndefined();
    expect(attr(html, 'input', 'aria-describedby')).toBe('mx-mask-hint');
    expect(html).toContain('id="mx-mask-hint"');
  });

  it('shows the problems of its path, marks the control invalid and points at every problem', () => {
    const html = render(binding({ 'match.mask': ['not a mask', 'too long'], mask: ['wrong path'] }));
    expect(attr(html, 'input', 'aria-invalid')).toBe('true');
    expect(attr(html, 'input', 'aria-describedby')).toBe('mx-mask-error-0 mx-mask-error-1');
    expect(html).toContain('id="mx-mask-error-0"');
    expect(html).toContain('id="mx-mask-error-1"');
    expect(html.match(/data-testid="error-mx-mask"/g)).toHaveLength(2);
    expect(html).toContain('not a mask');
    expect(html).not.toContain('wrong path');
    expect(html).not.toContain('e.g. *.google.com');
  });

  it('shows the problems it is given instead of those of its path', () => {
    const html = render(binding({ 'match.mask': ['hidden'] }), { errors: ['examples.2: not caught'] });
    expect(html).toContain('examples.2: not caught');
    expect(html).not.toContain('hidden');
  });

  it('passes the native attributes (test id, class, disabled) to the control', () => {
    const html = render(binding({}), { 'data-testid': 'mx-mask', className: 'mono', disabled: true });
    expect(attr(html, 'input', 'data-testid')).toBe('mx-mask');
    expect(attr(html, 'input', 'class')).toBe('input mono');
    expect(html).toMatch(/<input[^>]*disabled=""/);
  });
});

describe('BoundCheckbox', () => {
  it('is a labelled checkbox reflecting its boolean key', () => {
    const html = renderToStaticMarkup(
      createElement(BoundCheckbox<Form, 'enabled'>, { bind: binding({}), name: 'enabled', label: 'Enabled' }),
    );
    expect(html).toMatch(/^<label class="choice"><input[^>]*type="checkbox"[^>]*checked=""/);
    expect(html).toContain('<span class="choice-label">Enabled</span>');
  });
});
