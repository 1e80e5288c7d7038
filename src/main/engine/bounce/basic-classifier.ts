/**
 * The engine's entry to the synchronous bounce classifier (SPEC §4.2): `classifyReply(outcome, classifier)`
 * keeps the signature the engine and the feedback code were built on and delegates to a rule-table
 * classifier — by default one with the shipped `DEFAULT_BOUNCE_RULES`; in a running app the reloadable
 * classifier (`createReloadableClassifier`) over the stored rules, rebuilt when they are saved (no restart).
 *
 * The reloadable classifier consults the analysts' per-key overrides first: a reply whose normalised key
 * (`qualificationKey`) was requalified in the qualification table gets that row's reason, type and class;
 * every other reply goes through the rule table.
 */
import type { BounceClassMapping, BounceRule } from '../../../shared/domain/bounce-rules';
import type { BounceClass, FailureType, ReasonId } from '../../../shared/domain/reasons';
import { formatReply } from '../../../shared/domain/smtp-reply';
import type { SmtpOutcome } from '../types';
import {
  createClassifier,
  type BounceExplanation,
  type BounceVerdict,
  type Classifier,
  type ReplyToClassify,
} from './classifier';
import { DEFAULT_BOUNCE_RULES } from '../../defaults/bounce-rules';
import { normaliseReply } from './normalise';

export interface Classification {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
  /** The rule that decided (`manual` for an analyst's override); absent for verdicts made without a reply. */
  ruleId?: string;
  /** Why the rule decided (the qualification table shows it); absent for verdicts made without a reply. */
  why?: string;
}

/** The part of an outcome the classifier reads. */
export type ClassifiableReply = Pick<SmtpOutcome, 'code' | 'enhanced' | 'text' | 'command'> &
  Partial<Pick<SmtpOutcome, 'mxHost'>>;

const DEFAULT_CLASSIFIER = createClassifier(DEFAULT_BOUNCE_RULES);

export function classifyReply(
  reply: ClassifiableReply,
  classifier: Pick<Classifier, 'classify'> = DEFAULT_CLASSIFIER,
): Classification {
  const { reason, type, bounceClass } = classifier.classify(reply);
  return { reason, type, bounceClass };
}

/** `classifyReply` with the deciding rule, for the qualification table (the engine's outcomes carry it). */
export function classifyReplyWithRule(
  reply: ClassifiableReply,
  classifier: Pick<Classifier, 'classify'> = DEFAULT_CLASSIFIER,
): Required<Classification> {
  const { reason, type, bounceClass, ruleId, why } = classifier.classify(reply);
  return { reason, type, bounceClass, ruleId, why };
}

/** The normalised key of a reply: the grouping key of the qualification table and of analyst overrides. */
export function qualificationKey(reply: Pick<ReplyToClassify, 'code' | 'enhanced' | 'text'>): string {
  return normaliseReply(formatReply(reply));
}

export interface ClassifierSource {
  rules: readonly BounceRule[];
  mapping: BounceClassMapping;
  /** Analyst verdicts by normalised key. */
  overrides: ReadonlyMap<string, Omit<Classification, 'ruleId'>>;
}

export interface ReloadableExplanation extends BounceExplanation {
  decidedBy: 'rule' | 'override' | 'fallback';
  /** Index of the deciding rule in the table, or null. */
  ruleIndex: number | null;
}

/** A classifier whose rules and overrides can be replaced while the engine runs. */
export interface ReloadableClassifier extends Classifier {
  explainWithSource(reply: ReplyToClassify): ReloadableExplanation;
  /** Re-reads the source and rebuilds the rule table. Throws (keeping the previous table) when it does not compile. */
  reload(): void;
}

export function createReloadableClassifier(load: () => ClassifierSource): ReloadableClassifier {
  let source = load();
  let inner = createClassifier(source.rules, { mapping: source.mapping });

  function explainWithSource(reply: ReplyToClassify): ReloadableExplanation {
    const explained = inner.explain(reply);
    const override = source.overrides.size ? source.overrides.get(qualificationKey(reply)) : undefined;
    if (override)
      return {
        ...explained,
        ...override,
        ruleId: 'manual',
        matched: null,
        why: 'requalified by an analyst in the qualification table (overrides the rules for this reply)',
        decidedBy: 'override',
        ruleIndex: null,
      };
    const ruleIndex = inner.rules.findIndex((r) => r.id === explained.ruleId);
    return {
      ...explained,
      decidedBy: ruleIndex >= 0 ? 'rule' : 'fallback',
      ruleIndex: ruleIndex >= 0 ? ruleIndex : null,
    };
  }

  return {
    get rules() {
      return inner.rules;
    },
    explain: (reply) => explainWithSource(reply),
    explainWithSource,
    classify(reply): BounceVerdict {
      const { reason, type, bounceClass, ruleId, why } = explainWithSource(reply);
      return { reason, type, bounceClass, ruleId, why };
    },
    reload() {
      const next = load();
      inner = createClassifier(next.rules, { mapping: next.mapping });
      source = next;
    },
  };
}
