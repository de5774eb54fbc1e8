import { plainToInstance } from 'class-transformer';

/**
 * A bulk row's input as an instance of its input class, for class-validator: what
 * `plainToInstance(InputClass, input)` (class-transformer 0.5, default options) gives, without its
 * per-object metadata lookups (expose, exclude and type metadata looked up for every key of every
 * row: a third of a bulk request's validation time at 10,000 rows; BENCHMARKS.md, "Bulk ingest CPU").
 *
 * The short way is taken only where it is the same by construction: the report input classes
 * carry no class-transformer decorators (checked per class by the unit spec), and every value of
 * the row is a primitive, which class-transformer copies as it is (it only rebuilds objects,
 * arrays and dates). Keys are copied as class-transformer copies them: `__proto__` and
 * `constructor` skipped, as are names of methods and read-only accessors of the class. Anything
 * else — a nested object, an array, a Date — goes through plainToInstance itself.
 */
export function toInputInstance<T extends object>(InputClass: new () => T, input: Readonly<Record<string, unknown>>): T {
  const keys = Object.keys(input);
  for (const key of keys) {
    const value = input[key];
    if (value !== null && typeof value === 'object') return plainToInstance(InputClass, input as Record<string, unknown>);
  }
  const instance = new InputClass() as Record<string, unknown>;
  const prototype = InputClass.prototype as object;
  for (const key of keys) {
    if (key === '__proto__' || key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if ((descriptor && !descriptor.set) || instance[key] instanceof Function) continue;
    instance[key] = input[key];
  }
  return instance as T;
}
