import type { JsonValue } from '../event-store.port.js';

/**
 * JSON with object keys sorted (code-unit order), no whitespace: the same value always gives the
 * same text, whichever adapter stored it and in whatever key order it was written. This text is
 * what the hash chain hashes, so it must never change: it is defined here, on its own, and not
 * shared with anything that might evolve (the projections' digests have their own).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // JSON.stringify's number form (1e21, -0 → 0); NaN and Infinity cannot be stored as JSON.
      if (!Number.isFinite(value)) throw new TypeError(`Not a JSON number: ${value}`);
      return JSON.stringify(value);
    case 'object': {
      // Built by concatenation, without the intermediate arrays of map/filter/join: every append
      // hashes its event, and the chain follower hashes it again (issue 24).
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonicalJson(value[i] as JsonValue);
        return `${text}]`;
      }
      const object = value as { readonly [key: string]: JsonValue };
      // Default sort: code-unit order, the order the chain is defined with.
      const keys = Object.keys(object).sort();
      let text = '{';
      let first = true;
      for (const key of keys) {
        const member = object[key];
        if (member === undefined) continue;
        text += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
        first = false;
      }
      return `${text}}`;
    }
    default:
      throw new TypeError(`Not a JSON value: ${typeof value}`);
  }
}
