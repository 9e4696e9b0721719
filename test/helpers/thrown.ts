import assert from 'node:assert/strict';

/** The error `work` throws, checked to be an instance of `type`; fails the test if nothing is thrown. */
export function thrown<E extends Error>(type: new (...args: never[]) => E, work: () => unknown): E {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a ${type.name} to be thrown`);
}
