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
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const object = value as { readonly [key: string]: JsonValue };
      const keys = Object.keys(object)
        .filter((k) => object[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`Not a JSON value: ${typeof value}`);
  }
}
