/**
 * The state of a rule editor drawer (MX rules, automation rules, bounce rules): the form draft, and its
 * problems — before the first Apply, those the page reported for the rule (server or document checks); after
 * it, the live client-side checks of the form.
 */
import { useState, type FormEvent } from 'react';
import type { Converted, FieldErrors } from './rules-model';

export interface RuleForm<F> {
  form: F;
  set<K extends keyof F>(key: K, value: F[K]): void;
  errors: FieldErrors;
  /** The problems of one field path ('' for the rule as a whole). */
  err(path: string): string[];
  submit(e: FormEvent): void;
}

export function useRuleForm<F, R>(
  initial: () => F,
  fromForm: (form: F) => Converted<R>,
  serverErrors: FieldErrors,
  onApply: (rule: R) => void,
): RuleForm<F> {
  const [form, setForm] = useState<F>(initial);
  const [submitted, setSubmitted] = useState(false);
  const checked = submitted ? fromForm(form) : null;
  const errors: FieldErrors = checked ? (checked.ok ? {} : checked.errors) : serverErrors;
  return {
    form,
    set: (key, value) => setForm((f) => ({ ...f, [key]: value })),
    errors,
    err: (path) => errors[path] ?? [],
    submit(e) {
      e.preventDefault();
      const result = fromForm(form);
      if (result.ok) onApply(result.value);
      else setSubmitted(true);
    },
  };
}
