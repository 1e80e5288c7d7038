/**
 * Handlers of the bounce side (SPEC §4.2-§4.4): the qualification table, the stored bounce rules (checked,
 * then applied at once by reloading the shared classifier), the reply tester, the inMail bounce mailbox and the
 * quarantine list.
 */
import type { Handlers } from '../../shared/contract';
import type {
  bounceMethods,
  BounceRulesState,
  BounceTestVerdict,
  ImapSettings,
} from '../../shared/contract/bounce';
import type { BounceRule } from '../../shared/domain/bounce-rules';
import {
  createReloadableClassifier,
  type ReloadableClassifier,
  type ReloadableExplanation,
} from '../engine/bounce/basic-classifier';
import { AppError, type ErrorDetail } from '../../shared/contract/errors';
import { checkRules } from '../engine/bounce/rule-check';
import { DEFAULT_IMAP_CONFIG, DEFAULT_INMAIL_MAX_BYTES } from '../inmail';
import { importContent } from '../inmail/import';
import { quarantineCsv } from '../quarantine/csv';
import { importQuarantineCsv } from '../quarantine/import';
import { loadBounceRules, mappingOf, resetBounceRules, saveBounceRules } from '../store/bounce-rules-repo';
import { parseId } from '../store/deliveries-repo';
import { getInbound, inboundCounts, listInbound } from '../store/inbound-repo';
import { listQualifications, manualOverrides, updateQualification } from '../store/qualification-repo';
import {
  iterateQuarantine,
  listQuarantine,
  quarantineCounts,
  removeQuarantine,
  setQuarantineStatus,
  settleQuarantine,
} from '../store/quarantine-repo';
import { getSetting, setSetting } from '../store/settings-repo';
import type { HandlerDeps } from './handler-deps';

type BounceMethods = keyof typeof bounceMethods;

/** How one rule table decided a reply, as the reply tester shows it. */
function verdictOf(explained: ReloadableExplanation, rules: readonly BounceRule[]): BounceTestVerdict {
  return {
    classification: {
      reason: explained.reason,
      type: explained.type,
      bounceClass: explained.bounceClass,
      ruleId: explained.ruleId,
    },
    decidedBy: explained.decidedBy,
    why: explained.why,
    matched: explained.matched,
    rule: explained.ruleIndex === null ? null : (rules[explained.ruleIndex] ?? null),
    ruleIndex: explained.ruleIndex,
  };
}

export function createBounceHandlers(deps: HandlerDeps): Pick<Handlers, BounceMethods> {
  const { db, bus, clock, bounce: side, secrets } = deps;
  const reloaded = (state: BounceRulesState): BounceRulesState => {
    side.classifier.reload();
    return state;
  };
  const imapSettings = (): ImapSettings => {
    const { password: _none, ...defaults } = DEFAULT_IMAP_CONFIG;
    const stored = getSetting(db, 'inmail.imap') ?? defaults;
    return { ...stored, passwordSet: (secrets.get('imapPassword') ?? '') !== '' };
  };

  return {
    'qualification.list': (input) => listQualifications(db, input),
    'qualification.update': (input) => {
      const row = updateQualification(db, { ...input, id: parseId(input.id) }, clock.now());
      side.classifier.reload();
      return row;
    },

    'bounceRules.get': () => loadBounceRules(db),
    'bounceRules.save': (input) => {
      const check = checkRules(input.rules);
      if (!check.ok) {
        const details: ErrorDetail[] = check.problems.map((p) => ({
          field: ['rules', p.index, p.field].filter((x) => x !== null).join('.'),
          message: p.message,
        }));
        throw new AppError(
          'invalid_input',
          `The bounce rules were not saved: ${check.problems.length} problem(s), first: ${check.problems[0]?.message ?? ''}`,
          details,
        );
      }
      return reloaded(
        saveBounceRules(db, { rules: check.rules, classMapping: input.classMapping }, clock.now()),
      );
    },
    'bounceRules.reset': () => reloaded(resetBounceRules(db, clock.now())),
    'bounceRules.test': (input) => {
      const reply = {
        code: null,
        enhanced: null,
        text: input.reply,
        command: input.command ?? null,
        mxHost: input.mxHost ?? null,
      };
      const inForce = side.classifier.explainWithSource(reply);
      const inForceVerdict = verdictOf(inForce, side.classifier.rules);
      const codes = { code: inForce.code, enhanced: inForce.enhanced, normalised: inForce.normalised };
      if (input.rules === undefined) return { ...codes, ...inForceVerdict, inForce: null };
      // An unsaved draft: the same classifier (class mapping and analysts' overrides in force) over its rules.
      const draftRules = input.rules;
      let draft: ReloadableClassifier;
      try {
        draft = createReloadableClassifier(() => ({
          rules: draftRules,
          mapping: mappingOf(loadBounceRules(db).classMapping),
          overrides: manualOverrides(db),
        }));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new AppError('invalid_input', `The unsaved rules cannot be tested: ${message}`, [
          { field: 'rules', message: `The unsaved rules cannot be tested: ${message}` },
        ]);
      }
      return { ...codes, ...verdictOf(draft.explainWithSource(reply), draftRules), inForce: inForceVerdict };
    },

    'inmail.list': (input) => listInbound(db, input),
    'inmail.get': (input) => getInbound(db, parseId(input.id)),
    'inmail.import': async (input) => {
      const content = Buffer.from(input.contentBase64, 'base64');
      if (content.length === 0)
        throw new AppError('invalid_input', `${input.fileName} is empty`, [
          { field: 'contentBase64', message: 'no content' },
        ]);
      return importContent(side.inmail, input.fileName, content);
    },
    'inmail.status': () => {
      const listener = side.listener;
      return {
        listener: {
          running: listener !== null,
          host: listener?.host ?? '127.0.0.1',
          port: listener?.port ?? null,
          maxSize: listener?.maxBytes ?? DEFAULT_INMAIL_MAX_BYTES,
        },
        imap: side.imap.status(),
        ...inboundCounts(db),
      };
    },
    'inmail.imapGet': () => imapSettings(),
    'inmail.imapSave': (input) => {
      const { password, ...fields } = input;
      // The password goes to the data dir's secrets, never to the database; absent = unchanged.
      if (password !== undefined) secrets.set('imapPassword', password);
      setSetting(db, 'inmail.imap', fields);
      side.imap.reload();
      return imapSettings();
    },

    'quarantine.list': (input) => {
      if (settleQuarantine(db, clock.now()) > 0) bus.quarantineChanged();
      return { ...listQuarantine(db, input), counts: quarantineCounts(db) };
    },
    'quarantine.set': (input) => {
      const entry = setQuarantineStatus(db, { ...input, source: 'manual' }, clock.now());
      bus.quarantineChanged();
      return entry;
    },
    'quarantine.remove': (input) => {
      const removed = removeQuarantine(db, input.address);
      if (removed) bus.quarantineChanged();
      return { removed };
    },
    'quarantine.import': (input) => {
      const result = importQuarantineCsv(db, input, clock.now());
      if (result.imported) bus.quarantineChanged();
      return result;
    },
    'quarantine.export': (input) => {
      settleQuarantine(db, clock.now());
      const day = new Date(clock.now()).toISOString().slice(0, 10);
      return { fileName: `quarantine-${day}.csv`, csv: quarantineCsv(iterateQuarantine(db, input.status)) };
    },
  };
}
