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
import { domainOf } from '../../shared/domain/address';
import { describeSigning } from '../../shared/domain/dkim';
import { currentChoice, envelopeDomainOf } from '../message/build';
import { getDelivery, parseId } from '../store/deliveries-repo';
import { getSetting } from '../store/settings-repo';
import type { HandlerDeps } from './handler-deps';

type DkimMethods =
  'dkim.list' | 'dkim.generate' | 'dkim.import' | 'dkim.setEnabled' | 'dkim.remove' | 'dkim.signing';

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
    'dkim.signing': (input) => {
      const template = getDelivery(db, parseId(input.deliveryId), clock.now()).template;
      const fromDomain = domainOf(template.fromAddress);
      const envelopeDomain = envelopeDomainOf(template.fromAddress, getSetting(db, 'returnPath') ?? null);
      const chosen = currentChoice(db, fromDomain, envelopeDomain);
      const signer = chosen && {
        domain: chosen.domain,
        basis: chosen.basis,
        aligned: chosen.fromSide,
        rsa: chosen.keys.rsa?.selector ?? null,
        ed25519: chosen.keys.ed25519?.selector ?? null,
      };
      const description = describeSigning(
        signer && { domain: signer.domain, rsa: signer.rsa !== null, ed25519: signer.ed25519 !== null },
        fromDomain,
      );
      return { fromDomain, envelopeDomain, signer, description };
    },
  };
}
