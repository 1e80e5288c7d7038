import { describe, expect, it } from 'vitest';
import { assertValidTemplate, templateProblems } from '../../src/main/campaign/template-check';
import { AppError } from '../../src/shared/contract/errors';
import { compileTemplate, missingFields, renderTemplate } from '../../src/shared/domain/template';
import { TEST_TEMPLATE } from '../support/campaign-fixtures';

const columns = ['email', 'first_name'];

describe('template validation', () => {
  it('accepts a template whose fields are columns of the list (email always is)', () => {
    expect(
      templateProblems({ ...TEST_TEMPLATE, html: '<p>{{first_name}} {{ email }}</p>' }, columns),
    ).toEqual([]);
  });

  it('names the part, line and column of a syntax error', () => {
    const problems = templateProblems({ ...TEST_TEMPLATE, text: 'Hello\nDear {{first_name\nbye' }, columns);
    expect(problems).toEqual([
      { field: 'text', line: 2, column: 6, message: 'text: unclosed "{{": expected "}}"' },
    ]);
  });

  it('reports fields the list does not provide, with the columns it has', () => {
    const problems = templateProblems({ ...TEST_TEMPLATE, subject: 'Hi {{city}}' }, columns);
    expect(problems).toEqual([
      {
        field: 'subject',
        message: 'subject: {{city}} is not a column of the recipient list (columns: email, first_name)',
      },
    ]);
  });

  it('needs a text or HTML body and a valid From address', () => {
    const problems = templateProblems(
      { ...TEST_TEMPLATE, fromAddress: 'not an address', text: ' ', html: '' },
      columns,
    );
    expect(problems.map((p) => p.field)).toEqual(['fromAddress', 'text']);
    expect(problems[1]?.message).toBe('the message needs a text or an HTML body');
  });

  it('throws template_invalid with every problem as details and the first in the message', () => {
    let error: unknown;
    try {
      assertValidTemplate({ ...TEST_TEMPLATE, subject: '{{ bad name }}', html: '{{nope}}' }, columns);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'template_invalid' });
    expect((error as AppError).message).toBe(
      'The message template is invalid: subject: invalid field name "bad name" at line 1, column 1 (and 1 more problem)',
    );
    expect((error as AppError).details?.map((d) => d.field)).toEqual(['subject', 'html']);
  });
});

describe('template fields and columns', () => {
  it('renders a field whose case differs from the column, as validation accepts it', () => {
    const { template } = compileTemplate('Hi {{First_Name}}', 'subject');
    expect(template && missingFields(template, ['email', 'first_name'])).toEqual([]);
    expect(template && renderTemplate(template, { first_name: 'Ann' })).toBe('Hi Ann');
  });
});
