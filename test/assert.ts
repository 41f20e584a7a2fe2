/**
 * Deno-std-style assertions on top of `node:assert` (jsr.io, home of @std/assert, is not
 * reachable from this project's machines).
 * @module
 */
import assert from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message as unknown as Error | undefined);
}

/** Deep, strict inequality. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message as unknown as Error | undefined);
}

/** |actual − expected| ≤ tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  message?: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assert.AssertionError({
      message: `${
        message ? message + ": " : ""
      }${actual} is not within ${tolerance} of ${expected}`,
    });
  }
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = new (...args: any[]) => E;

/** `fn` throws an instance of `type` whose message includes `includes`; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  type?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    return check(e, type, includes);
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}

/** Like {@link assertThrows} for a rejected promise. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  type?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    return check(e, type, includes);
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}

function check<E extends Error>(e: unknown, type?: ErrorClass<E>, includes?: string): E {
  if (type && !(e instanceof type)) {
    throw new assert.AssertionError({
      message: `expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
    });
  }
  if (includes !== undefined && !(e as Error).message.includes(includes)) {
    throw new assert.AssertionError({
      message: `error message "${(e as Error).message}" does not include "${includes}"`,
    });
  }
  return e as E;
}

/** The condition holds (std's `assert`; the name is taken by `node:assert` here). */
export function assertTrue(condition: unknown, message?: string): asserts condition {
  assert.ok(condition, message as unknown as Error | undefined);
}
