import { createHash } from 'crypto';

/**
 * Names and comments within each platform's character set and length limits.
 *
 * Names must stay unique and stable: a name that has to be shortened keeps a short hash of the full name,
 * so two long names never collapse into one and the same input always gives the same name.
 */

/** 6 hex digits of SHA-256: short and deterministic. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** Options of {@link platformName}. */
export interface NameRules {
  /** Longest name the platform accepts. */
  readonly maxLength: number;
  /** Characters that are NOT allowed (global regex); each run becomes `replacement`. */
  readonly invalid: RegExp;
  /** What invalid characters become. */
  readonly replacement: string;
  /** Upper-case the name. */
  readonly upper?: boolean;
  /** Prefix when the name must start with a letter and does not. */
  readonly letterPrefix?: string;
}

/** A platform-safe name for `id`; shortened with a hash suffix when too long. */
export function platformName(id: string, rules: NameRules): string {
  let name = id.replace(rules.invalid, rules.replacement);
  if (rules.upper) name = name.toUpperCase();
  if (rules.letterPrefix && !/^[A-Za-z]/.test(name)) name = `${rules.letterPrefix}${name}`;
  if (name.length <= rules.maxLength) return name;
  let hash = shortHash(id);
  if (rules.upper) hash = hash.toUpperCase();
  const sep = rules.replacement || '';
  return `${name.slice(0, rules.maxLength - hash.length - sep.length)}${sep}${hash}`;
}

/** `text` reduced to printable ASCII without `forbidden` characters, cut to `maxLength` (ending in "..."). */
export function platformComment(text: string, maxLength: number, forbidden: RegExp = /["\\]/g, replacement = '\''): string {
  const clean = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(forbidden, replacement)
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 3).trimEnd()}...`;
}

/** A rule's comment: "zone/rule: description". */
export function ruleSummary(rule: { zone: string; rule: string; description?: string }): string {
  return `${rule.zone}/${rule.rule}${rule.description ? `: ${rule.description}` : ''}`;
}

/** Stable JSON text (keys in insertion order, 2-space indent, trailing newline). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, undefined, 2)}\n`;
}
