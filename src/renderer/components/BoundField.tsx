/**
 * A Field bound to one text key of a form's state: label, control, hint and problems, with `aria-invalid` and
 * `aria-describedby` following the problems shown. Every form whose state is an object of strings edited
 * through `set`, with problems by field path, uses these (the rule editors, adaptive settings, IMAP settings).
 */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { Field, fieldDescription, Select, TextArea, TextInput } from './Field';

export interface FormBinding<F> {
  form: F;
  set<K extends keyof F>(key: K, value: F[K]): void;
  /** The problems of one field path. */
  err(path: string): string[];
}

type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

interface BoundProps<F, K extends TextKey<F>> {
  bind: FormBinding<F>;
  name: K;
  /** Where problems are reported when that is not the form key (`match.mask` for `mask`). */
  path?: string;
  /** The problems to show, when they are not just those of `path`. */
  errors?: readonly string[];
  /** The control's id; also names the hint and problems (`error-<id>` test ids). */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
}

type Native<T> = Omit<T, 'id' | 'name' | 'value' | 'onChange' | 'form'>;

interface BoundControl {
  id: string;
  value: string;
  invalid: boolean;
  'aria-describedby': string | undefined;
  onChange(e: { target: { value: string } }): void;
}

/** Splits a bound field's props into the binding and the props of the native control. */
function split<F, K extends TextKey<F>, N>(props: BoundProps<F, K> & N): [BoundProps<F, K>, N] {
  const { bind, name, path, errors, id, label, hint, ...native } = props;
  return [{ bind, name, path, errors, id, label, hint }, native as N];
}

function Bound<F, K extends TextKey<F>>({
  field: { bind, name, path, errors, id, label, hint },
  children,
}: {
  field: BoundProps<F, K>;
  children(control: BoundControl): ReactNode;
}) {
  const problems = errors ?? bind.err(path ?? name);
  return (
    <Field label={label} htmlFor={id} hint={hint} errors={problems}>
      {children({
        id,
        value: bind.form[name] as string,
        invalid: problems.length > 0,
        'aria-describedby': fieldDescription(id, hint, problems),
        onChange: (e) => bind.set(name, e.target.value as F[K]),
      })}
    </Field>
  );
}

export function BoundInput<F, K extends TextKey<F>>(
  props: BoundProps<F, K> & Native<InputHTMLAttributes<HTMLInputElement>>,
) {
  const [field, input] = split(props);
  return <Bound field={field}>{(control) => <TextInput {...input} {...control} />}</Bound>;
}

export function BoundTextArea<F, K extends TextKey<F>>(
  props: BoundProps<F, K> & Native<TextareaHTMLAttributes<HTMLTextAreaElement>>,
) {
  const [field, textarea] = split(props);
  return <Bound field={field}>{(control) => <TextArea {...textarea} {...control} />}</Bound>;
}

/** A bound select; its options are the children, so the key's type should be the options' union. */
export function BoundSelect<F, K extends TextKey<F>>(
  props: BoundProps<F, K> & Native<SelectHTMLAttributes<HTMLSelectElement>>,
) {
  const [field, select] = split(props);
  return <Bound field={field}>{(control) => <Select {...select} {...control} />}</Bound>;
}

type FlagKey<F> = { [K in keyof F]: F[K] extends boolean ? K : never }[keyof F] & string;

/** A checkbox with its label, bound to one boolean key of a form's state. */
export function BoundCheckbox<F, K extends FlagKey<F>>({
  bind,
  name,
  label,
  ...input
}: { bind: FormBinding<F>; name: K; label: ReactNode } & Native<InputHTMLAttributes<HTMLInputElement>>) {
  return (
    <label className="choice">
      <input
        {...input}
        type="checkbox"
        checked={bind.form[name] as boolean}
        onChange={(e) => bind.set(name, e.target.checked as F[K])}
      />
      <span className="choice-label">{label}</span>
    </label>
  );
}
