/**
 * Reading inbound mail (SPEC §4.3): what a message is (DSN, ARF or JMRP complaint, sending-service
 * notification, plain-text bounce, auto-reply, unknown), its recipients and their diagnostics, and
 * `qualifyInbound`, which qualifies each recipient with the engine's classifier. Beside inMail, their only
 * runtime user (and `relaydeck qualify`); the classifier and the rules stay in the engine.
 */
export { parseInbound, parseInboundSync, MAX_PARSE_BYTES, type ParseInboundOptions } from './parse';
export { qualifyInbound } from './qualify';
export { readMbox } from './mbox';
export { INBOUND_KINDS, DSN_ACTIONS } from './types';
export type * from './types';
