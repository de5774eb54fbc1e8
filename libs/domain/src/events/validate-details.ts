import { type Details, EMPTY_TEXT_RULE, MAX_MONEY_HUF, MONEY_PATTERN, isIsoDate, isNonBlankText, isoDateRefusal } from '../wire/wire-rules.js';
import { type EventTypeSpec, type FieldSpec, minimumOf } from './catalogue.js';

/** A rule a report broke, addressed to the input field that broke it. */
export interface FieldViolation {
  /** The input field, e.g. "participants" or "details.participants". */
  readonly field: string;
  readonly reason: string;
}

const MAX_TEXT = 2_000;

/**
 * Which rules apply. `record`: every rule, for what is being recorded now. `stored`: the rules of
 * a field's kind only (a whole number not negative, money in digits, a real date, a catalogue enum
 * value) — what an event already in the log must keep to be read at all; plausibility rules
 * (at least 1, maxima, lengths, not all zero) may have tightened since it was recorded, and must
 * not refuse history recorded under the old ones (an import of an older export).
 */
export type DetailRules = 'record' | 'stored';

function checkField(spec: FieldSpec, value: unknown, path: string, rules: DetailRules = 'record'): string | undefined {
  const stored = rules === 'stored';
  switch (spec.kind) {
    case 'count':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
      if (stored) return value < 0 ? 'must not be negative' : undefined;
      if (value < minimumOf(spec)) return minimumOf(spec) === 0 ? 'must not be negative' : `must be at least 1 (got ${value}; the catalogue allows 0 only where none is a fact worth reporting)`;
      if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max} (got ${value}: not plausible for one report)`;
      return undefined;
    case 'money': {
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text === 'string' && /^-\d+$/.test(text)) return 'must not be negative';
      if (typeof text !== 'string' || !MONEY_PATTERN.test(text)) return 'must be a whole number of HUF written in digits';
      const amount = BigInt(text);
      if (stored) return undefined;
      if (amount < BigInt(minimumOf(spec))) return `must be at least 1 HUF (got ${amount})`;
      if (amount > MAX_MONEY_HUF) return `must be at most ${MAX_MONEY_HUF} HUF (got ${amount}: not plausible for one report)`;
      return undefined;
    }
    case 'text':
      if (typeof value !== 'string') return 'must be a text';
      if (!isNonBlankText(value)) return EMPTY_TEXT_RULE;
      if (stored) return undefined;
      if (value.length > MAX_TEXT) return `must be at most ${MAX_TEXT} characters`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && spec.values?.includes(value)
        ? undefined
        : `must be one of ${spec.values?.join(', ')}`;
    case 'date':
      return isIsoDate(value) ? undefined : isoDateRefusal(value);
    default: {
      const unreachable: never = spec.kind;
      return `has an unknown kind ${String(unreachable)} (${path})`;
    }
  }
}

/**
 * Checks a report's own fields against its event type: required fields present, each of the
 * right kind and plausible size, and nothing the type does not know. Money is normalised to a
 * decimal string. Pure: the same rules hold whatever transport delivered the report.
 * `rules: 'stored'` checks an event already recorded (see {@link DetailRules}).
 */
export function validateDetails(
  spec: EventTypeSpec,
  details: Readonly<Record<string, unknown>>,
  prefix = '',
  rules: DetailRules = 'record',
): { details: Details; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const clean: Record<string, string | number | boolean> = {};
  const known = new Set(spec.fields.map((f) => f.name));
  for (const name of Object.keys(details)) {
    if (!known.has(name) && details[name] !== undefined && details[name] !== null) {
      violations.push({ field: `${prefix}${name}`, reason: `is not a field of ${spec.type}` });
    }
  }
  for (const field of spec.fields) {
    const value = details[field.name];
    const path = `${prefix}${field.name}`;
    if (value === undefined || value === null) {
      if (field.required) violations.push({ field: path, reason: 'is required' });
      continue;
    }
    const problem = checkField(field, value, path, rules);
    if (problem) {
      violations.push({ field: path, reason: problem });
      continue;
    }
    clean[field.name] = field.kind === 'money' ? BigInt(value as string | number).toString() : (value as string | number | boolean);
    if (field.kind === 'text') clean[field.name] = (value as string).trim();
  }
  const together = spec.notAllZero ?? [];
  if (rules === 'record' && violations.length === 0 && together.length > 0 && together.every((name) => clean[name] === 0 || clean[name] === '0')) {
    violations.push({ field: `${prefix}${together[0]}`, reason: `and ${together.slice(1).join(', ')} are all 0: at least one must be 1 or more` });
  }
  return { details: clean, violations };
}
