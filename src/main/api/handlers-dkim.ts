/**
 * Handlers of the DKIM key methods (SPEC §5): list, generate, import, enable/disable and remove keys. Every
 * change reloads the signer, so the next message of the domain is signed (or not) accordingly.
 */
import type { Handlers } from '../../shared/contract';
import {
  generateDkimKey,
  importDkimKey,
  listDkimKeys,
  removeDkimKey,
  setDkimKeyEnabledById,
} from '../engine/dkim/key-admin';
import { parseId } from '../store/deliveries-repo';
import type { HandlerDeps } from './handler-deps';

type DkimMethods = 'dkim.list' | 'dkim.generate' | 'dkim.import' | 'dkim.setEnabled' | 'dkim.remove';

export function createDkimHandlers(deps: HandlerDeps): Pick<Handlers, DkimMethods> {
  const { db, dataDir, clock } = deps;
  const changed = <T>(result: T): T => {
    deps.signer?.reload();
    return result;
  };
  return {
    'dkim.list': () => ({ items: listDkimKeys(db) }),
    'dkim.generate': async (input) =>
      changed(await generateDkimKey({ db, dataDir, now: clock.now() }, input)),
    'dkim.import': (input) => changed(importDkimKey({ db, dataDir, now: clock.now() }, input)),
    'dkim.setEnabled': (input) => changed(setDkimKeyEnabledById(db, parseId(input.id), input.enabled)),
    'dkim.remove': (input) => changed({ removed: removeDkimKey(db, parseId(input.id)) }),
  };
}
