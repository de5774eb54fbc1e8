/**
 * The error of type `kind` that `fn` throws: what a test of a refusal inspects (its code, field,
 * rule). Any other error is rethrown; no error at all fails the test.
 */
export function refusalOf<E extends Error>(kind: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a refusal (${kind.name})`);
}
