/**
 * A rules document edited as one draft and saved as a whole (the MX rules page, the bounce rules tab): the
 * state in force, the draft and whether it differs, the problems of the last check or save, a notice after a
 * change took effect, Save (client check first, then the server has the last word), Restore defaults and
 * Discard. The page guards an unsaved draft with `UnsavedChangesGuard` (leaving the page or the tab asks first).
 */
import { useState } from 'react';
import type { AppError, ErrorDetail } from '../../../shared/contract/errors';
import type { Result } from '../../api/hooks';

/** What a save or a reset call gives the hook (a `useMutation` of the page's method). */
export interface RulesCall<I, S> {
  mutate(input: I): Promise<Result<S>>;
  pending: boolean;
  error: AppError | null;
}

export interface RulesDraftOptions<S, D, Doc> {
  /** The state in force when the page opened. */
  initial: S;
  draftOf(saved: S): D;
  same(a: D, b: D): boolean;
  /** The client-side check of a draft, giving the document to save or its problems (paths as the server's). */
  check(draft: D): { ok: true; doc: Doc } | { ok: false; problems: ErrorDetail[] };
  save: RulesCall<Doc, S>;
  reset: RulesCall<Record<string, never>, S>;
  savedNotice(saved: S): string;
  resetNotice(saved: S): string;
  /** Called on every change of the draft (to drop what refers to the rules shown before). */
  onChange?(): void;
  /** Called when the draft is replaced by the state in force (saved, reset or discarded). */
  onReplaced?(): void;
}

export function useRulesDraft<S, D, Doc>(o: RulesDraftOptions<S, D, Doc>) {
  const [saved, setSaved] = useState(o.initial);
  const [draft, setDraft] = useState<D>(() => o.draftOf(o.initial));
  const [problems, setProblems] = useState<ErrorDetail[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmReset, setConfirmReset] = useState(false);
  const dirty = !o.same(draft, o.draftOf(saved));

  const change = (next: D) => {
    setDraft(next);
    setNotice(null);
    o.onChange?.();
  };

  const replaceBy = (state: S) => {
    setSaved(state);
    change(o.draftOf(state));
    setProblems([]);
    o.onReplaced?.();
  };

  const accept = (state: S, message: string) => {
    replaceBy(state);
    setNotice(message);
  };

  /** Checks the draft; its problems are shown when it does not pass. */
  const checked = (): Doc | null => {
    const result = o.check(draft);
    if (result.ok) return result.doc;
    setProblems(result.problems);
    return null;
  };

  const resetToDefaults = async () => {
    const result = await o.reset.mutate({});
    setConfirmReset(false);
    if (result.ok) accept(result.value, o.resetNotice(result.value));
  };

  return {
    saved,
    draft,
    dirty,
    problems,
    setProblems,
    notice,
    setNotice,
    change,
    checked,
    async save() {
      const doc = checked();
      if (doc === null) return;
      const result = await o.save.mutate(doc);
      if (result.ok) accept(result.value, o.savedNotice(result.value));
      else setProblems(result.error.details ?? []);
    },
    discard: () => replaceBy(saved),
    confirmReset,
    askReset: () => setConfirmReset(true),
    resetDialog: {
      busy: o.reset.pending,
      onCancel: () => setConfirmReset(false),
      onConfirm: () => void resetToDefaults(),
    },
    /** A failure of Save without per-field details, or of Restore defaults. */
    callError:
      o.save.error && (o.save.error.details?.length ?? 0) === 0 ? o.save.error : (o.reset.error ?? null),
  };
}
