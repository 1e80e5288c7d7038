/** The sandbox's provider profiles in force: the stored document (edited in the console), else the shipped one. */
import { DEFAULT_SANDBOX_PROFILES } from '../defaults/sandbox-profiles';
import type { SandboxProfilesDocument, SandboxProfilesState } from '../../shared/contract/simulation';
import type { Db } from './db';
import { deleteSetting, getSetting, setSetting } from './settings-repo';

export function profilesInForce(db: Db): SandboxProfilesState {
  const stored = getSetting(db, 'sandbox.profiles');
  return stored
    ? { document: stored, customised: true }
    : { document: DEFAULT_SANDBOX_PROFILES, customised: false };
}

export function saveProfiles(db: Db, document: SandboxProfilesDocument): SandboxProfilesState {
  setSetting(db, 'sandbox.profiles', document);
  return profilesInForce(db);
}

export function resetProfiles(db: Db): SandboxProfilesState {
  deleteSetting(db, 'sandbox.profiles');
  return profilesInForce(db);
}
