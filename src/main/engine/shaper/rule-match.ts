/**
 * Rule matching (SPEC §6). MX rules: ordered, the first enabled rule matching wins — an `mx` rule when one of
 * the destination's hosts matches its mask, a `domain` rule when the recipient domain does. Automation rules:
 * compiled once per rules document; a rule applies when its scope matches one of the destination's hosts and
 * its pattern matches the raw reply.
 */
import { maskMatches } from '../../../shared/domain/domain-mask';
import type { AutomationRule, MxRule } from '../../../shared/contract/mta';
import { compilePattern, type SafePattern } from '../../../shared/domain/safe-pattern';

export interface RuleTarget {
  /** The destination's hosts (MX hosts, or the host of a static route / the sandbox). */
  hosts: readonly string[];
  /** The recipient domain that brought the destination into use. */
  domain: string;
}

export function matchMxRule(rules: readonly MxRule[], target: RuleTarget): MxRule {
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const { kind, mask } = rule.match;
    const hit =
      kind === 'mx' ? target.hosts.some((h) => maskMatches(mask, h)) : maskMatches(mask, target.domain);
    if (hit) return rule;
  }
  // The rules document always ends with an enabled `*` rule (schema-checked); this is a bug otherwise.
  throw new Error('no MX rule matched: the rules document has no enabled generic "*" rule');
}

export interface CompiledAutomationRule {
  rule: AutomationRule;
  regex: SafePattern;
}

/** Throws, naming the rule, on a pattern the schema would have refused (the rules document is validated first). */
export function compileAutomationRules(rules: readonly AutomationRule[]): CompiledAutomationRule[] {
  return rules
    .filter((r) => r.enabled)
    .map((rule) => {
      const compiled = compilePattern(rule.pattern);
      if (!compiled.ok) throw new Error(`automation rule "${rule.id}": pattern ${compiled.message}`);
      return { rule, regex: compiled.pattern };
    });
}

/** The automation rules that apply to a destination (by scope), in order. */
export function automationFor(
  rules: readonly CompiledAutomationRule[],
  hosts: readonly string[],
): CompiledAutomationRule[] {
  return rules.filter((c) => hosts.some((h) => maskMatches(c.rule.scope, h)));
}

/** The first automation rule (of those in scope) whose pattern matches the raw reply. */
export function matchAutomation(
  rules: readonly CompiledAutomationRule[],
  rawReply: string,
): CompiledAutomationRule | undefined {
  return rules.find((c) => c.regex.test(rawReply));
}
