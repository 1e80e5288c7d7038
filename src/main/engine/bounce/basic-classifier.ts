/**
 * The engine's entry to the synchronous bounce classifier (SPEC §4.2): `classifyReply(outcome)` keeps the
 * signature the engine and the feedback code were built on and delegates to the rule-table classifier
 * (`classifier.ts`) with the shipped `DEFAULT_BOUNCE_RULES`.
 */
import type { BounceClass, FailureType, ReasonId } from '../../../shared/domain/reasons';
import type { SmtpOutcome } from '../types';
import { createClassifier, type Classifier } from './classifier';
import { DEFAULT_BOUNCE_RULES } from './default-rules';

export interface Classification {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
}

/** The part of an outcome the classifier reads. */
export type ClassifiableReply = Pick<SmtpOutcome, 'code' | 'enhanced' | 'text' | 'command'> &
  Partial<Pick<SmtpOutcome, 'mxHost'>>;

const DEFAULT_CLASSIFIER = createClassifier(DEFAULT_BOUNCE_RULES);

export function classifyReply(
  reply: ClassifiableReply,
  classifier: Classifier = DEFAULT_CLASSIFIER,
): Classification {
  const { reason, type, bounceClass } = classifier.classify(reply);
  return { reason, type, bounceClass };
}
