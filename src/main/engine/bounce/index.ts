/**
 * Bounce qualification (SPEC §4.2, §4.3): the synchronous classifier and its rule table, reply normalisation,
 * the rule checker, and the inbound parsers (DSN, ARF, auto-replies, non-standard bounces, mbox).
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
export { parseInbound, parseInboundSync, MAX_PARSE_BYTES, type ParseInboundOptions } from './inbound/parse';
export { qualifyInbound } from './inbound/qualify';
export { readMbox } from './inbound/mbox';
export { INBOUND_KINDS, DSN_ACTIONS } from './inbound/types';
export type * from './inbound/types';
