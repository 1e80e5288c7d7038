/**
 * The sandbox's provider profiles (SPEC §8) as the engine side uses them. Profiles are data: the contract's
 * `SandboxProfile` (`src/shared/contract/simulation.ts`), shipped in `src/main/defaults/sandbox-profiles.ts`,
 * edited in the console and stored in the settings. This module names the shipped ones the demo and the tests
 * rely on, and builds a profile from a few fields (tests, benches).
 */
import {
  SandboxProfile,
  type SandboxProfileInput,
  type SandboxReply,
} from '../../../shared/contract/simulation';
import { DEFAULT_SANDBOX_PROFILES } from '../../defaults/sandbox-profiles';

export type { HiddenLimits, SandboxProfile } from '../../../shared/contract/simulation';
export { LIMIT_REPLIES, TEST_ADDRESS_RULES } from '../../defaults/sandbox-profiles';

/** A receiver's reply when one of its hidden limits is exceeded (a 4xx; 421 closes the session). */
export type LimitReply = SandboxReply;

export const SANDBOX_PROFILES: readonly SandboxProfile[] = DEFAULT_SANDBOX_PROFILES.profiles;

function shipped(id: string): SandboxProfile {
  const profile = SANDBOX_PROFILES.find((p) => p.id === id);
  if (!profile) throw new Error(`no shipped sandbox profile "${id}"`);
  return profile;
}

/** The demo delivery's receivers. */
export const DEMO_PROFILE: SandboxProfile = shipped('demo');
/** Moderate hidden limits with a penalty box (throttled.test). */
export const THROTTLED_PROFILE: SandboxProfile = shipped('hidden-limits');

/** A profile from a few fields: the demo's replies, no rates, no rules unless given. */
export function sandboxProfile(
  p: Omit<SandboxProfileInput, 'replies'> & { replies?: SandboxProfileInput['replies'] },
): SandboxProfile {
  return SandboxProfile.parse({ ...p, replies: p.replies ?? DEMO_PROFILE.replies });
}
