import { describe, expect, it } from 'vitest';
import { compileTemplate, escapeHtml, missingFields, renderTemplate } from '../../src/shared/domain/template';

describe('templates', () => {
  it('renders fields, leaving the rest of the text alone', () => {
    const { template, errors } = compileTemplate('Hello {{ first_name }}, news from {{city}}!', 'subject');
    expect(errors).toEqual([]);
    expect(template?.fields).toEqual(['first_name', 'city']);
    expect(renderTemplate(template!, { first_name: 'Ada', city: 'Lyon' })).toBe('Hello Ada, news from Lyon!');
    expect(renderTemplate(template!, {})).toBe('Hello , news from !');
  });

  it('escapes values with the given escaper (HTML bodies)', () => {
    const { template } = compileTemplate('<p>{{name}}</p>', 'html');
    expect(renderTemplate(template!, { name: '<b>"Tom" & Jerry</b>' }, escapeHtml)).toBe(
      '<p>&#60;b&#62;&#34;Tom&#34; &#38; Jerry&#60;/b&#62;</p>',
    );
  });

  it('reports an unclosed placeholder with part, line and column', () => {
    const { template, errors } = compileTemplate('line one\n  hi {{name\nbye', 'text');
    expect(template).toBeUndefined();
    expect(errors).toEqual([{ field: 'text', line: 2, column: 6, message: 'unclosed "{{": expected "}}"' }]);
  });

  it('reports invalid field names', () => {
    const { errors } = compileTemplate('{{ 1bad }} {{}}', 'subject');
    expect(errors.map((e) => e.message)).toEqual(['invalid field name "1bad"', 'invalid field name ""']);
  });

  it('lists fields the CSV columns do not provide (email always exists)', () => {
    const { template } = compileTemplate('{{First_Name}} {{email}} {{plan}}', 'text');
    expect(missingFields(template!, ['first_name', 'city'])).toEqual(['plan']);
  });
});
