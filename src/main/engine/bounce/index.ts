/**
 * Bounce qualification (SPEC §4.2, §4.3): the synchronous classifier and its rule table, reply normalisation
 * and the rule checker. The inbound parsers (DSN, ARF, auto-replies, non-standard bounces, mbox) live with
 * their user, inMail (src/main/inmail/parse/).
 */
export {
  createClassifier,
  type BounceExplanation,
  type BounceVerdict,
  type Classifier,
  type ReplyToClassify,
} from './classifier';
export { DEFAULT_BOUNCE_RULES } from '../../defaults/bounce-rules';
export { ENHANCED_STATUS_FALLBACK } from './enhanced-status';
export { normaliseReply, normaliseText } from './normalise';
export { checkRules, type RuleCheckResult, type RuleProblem } from './rule-check';
