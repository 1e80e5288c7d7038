/**
 * The quarantine policy (SPEC §4.4) as a pure function of an address's state, an event and the time:
 *
 * - Hard bounce -> `quarantine` at once.
 * - Soft bounce -> the error counter goes up by one only when the previous *counted* error is at least one day
 *   older (one significant error per day); `quarantine` when the counter reaches 5, `with_errors` before.
 * - The counter resets after 10 days without error, and after a successful delivery.
 * - A quarantine for a full mailbox clears after 30 days.
 * - Complaint (ARF) -> `denylisted`, whatever the status (a complaint is not an error an allowlist ignores).
 * - `allowlisted` ignores errors; `denylisted` only changes by hand.
 * - Ignored and not-defined failures change nothing, and neither does a soft refusal (SPEC §4.1: a refusal
 *   aimed at the sender, its IP or its content says nothing about the address and must never quarantine it).
 */
import type { QuarantineStatus } from '../../shared/contract/bounce';
import type { FailureType, ReasonId } from '../../shared/domain/reasons';

export const DAY_MS = 86_400_000;
/** One significant (counted) soft error per this window. */
export const SIGNIFICANT_ERROR_WINDOW_MS = DAY_MS;
/** Counted soft errors that put an address in quarantine. */
export const SOFT_ERRORS_TO_QUARANTINE = 5;
/** The counter resets after this long without error. */
export const COUNTER_RESET_MS = 10 * DAY_MS;
/** A mailbox-full quarantine clears after this long. */
export const MAILBOX_FULL_RELEASE_MS = 30 * DAY_MS;

export type QuarantineSource = 'auto' | 'manual' | 'import';

export interface QuarantineState {
  status: QuarantineStatus;
  errorCount: number;
  lastErrorAt: number | null;
  lastCountedErrorAt: number | null;
  lastReason: ReasonId | null;
  lastType: FailureType | null;
  quarantinedAt: number | null;
  source: QuarantineSource;
  note: string;
}

export type QuarantineEvent =
  { kind: 'bounce'; type: FailureType; reason: ReasonId } | { kind: 'delivered' } | { kind: 'complaint' };

export const VALID_STATE: QuarantineState = {
  status: 'valid',
  errorCount: 0,
  lastErrorAt: null,
  lastCountedErrorAt: null,
  lastReason: null,
  lastType: null,
  quarantinedAt: null,
  source: 'auto',
  note: '',
};

/**
 * The state after the time-based rules have run up to `now`: a counter without error for 10 days resets, a
 * mailbox-full quarantine older than 30 days clears.
 */
export function settle(state: QuarantineState, now: number): QuarantineState {
  if (
    state.status === 'quarantine' &&
    state.lastReason === 'mailbox_full' &&
    state.quarantinedAt !== null &&
    now - state.quarantinedAt >= MAILBOX_FULL_RELEASE_MS
  ) {
    return { ...state, status: 'valid', errorCount: 0, lastCountedErrorAt: null, quarantinedAt: null };
  }
  if (
    (state.status === 'with_errors' || state.status === 'valid') &&
    state.errorCount > 0 &&
    state.lastErrorAt !== null &&
    now - state.lastErrorAt >= COUNTER_RESET_MS
  ) {
    return { ...state, status: 'valid', errorCount: 0, lastCountedErrorAt: null };
  }
  return state;
}

/**
 * The new state of an address after an event at `now`; `current` null = no entry yet. Returns null when the
 * event leaves an address without an entry unchanged (nothing to store).
 */
export function applyQuarantineEvent(
  current: QuarantineState | null,
  event: QuarantineEvent,
  now: number,
): QuarantineState | null {
  const state = current ? settle(current, now) : null;
  switch (event.kind) {
    case 'complaint':
      if (state?.status === 'denylisted') return state;
      return {
        ...(state ?? VALID_STATE),
        status: 'denylisted',
        lastErrorAt: now,
        lastReason: 'refused',
        lastType: 'hard',
        source: 'auto',
      };
    case 'delivered':
      if (!state) return null;
      if (state.status === 'with_errors' || (state.status === 'valid' && state.errorCount > 0))
        return { ...state, status: 'valid', errorCount: 0, lastCountedErrorAt: null };
      return state;
    case 'bounce':
      return bounce(state, event.type, event.reason, now);
  }
}

function bounce(
  state: QuarantineState | null,
  type: FailureType,
  reason: ReasonId,
  now: number,
): QuarantineState | null {
  if (state?.status === 'allowlisted' || state?.status === 'denylisted') return state;
  if (type === 'soft' && reason === 'refused') return state;
  switch (type) {
    case 'ignored':
    case 'not_defined':
      return state;
    case 'hard': {
      const base = state ?? VALID_STATE;
      return {
        ...base,
        status: 'quarantine',
        errorCount: base.errorCount + 1,
        lastErrorAt: now,
        lastCountedErrorAt: now,
        lastReason: reason,
        lastType: 'hard',
        quarantinedAt: base.status === 'quarantine' ? (base.quarantinedAt ?? now) : now,
        source: 'auto',
      };
    }
    case 'soft': {
      const base = state ?? VALID_STATE;
      const counted =
        base.lastCountedErrorAt === null || now - base.lastCountedErrorAt >= SIGNIFICANT_ERROR_WINDOW_MS;
      const errorCount = base.errorCount + (counted ? 1 : 0);
      const quarantined = base.status === 'quarantine' || errorCount >= SOFT_ERRORS_TO_QUARANTINE;
      return {
        ...base,
        status: quarantined ? 'quarantine' : 'with_errors',
        errorCount,
        lastErrorAt: now,
        lastCountedErrorAt: counted ? now : base.lastCountedErrorAt,
        // A quarantine keeps the reason that caused it (a mailbox-full one is released after 30 days).
        lastReason: base.status === 'quarantine' ? base.lastReason : reason,
        lastType: base.status === 'quarantine' ? base.lastType : 'soft',
        quarantinedAt: quarantined ? (base.quarantinedAt ?? now) : null,
        source: 'auto',
      };
    }
  }
}

/** Whether preparation excludes the address, and with which reason (SPEC §4.4: reasons 9 and 8). */
export function exclusionOf(state: QuarantineState, now: number): 'quarantined' | 'denylisted' | null {
  const settled = settle(state, now);
  switch (settled.status) {
    case 'quarantine':
      return 'quarantined';
    case 'denylisted':
      return 'denylisted';
    case 'valid':
    case 'with_errors':
    case 'allowlisted':
      return null;
  }
}
