/**
 * Assertions the AWS services' unit tests share: a request rejected with an AWS error, and one
 * rejected without writing anything. Not used by the services themselves.
 */
import assert from 'node:assert/strict';
import { AwsError } from './errors.ts';

/** Asserts `promise` rejects with an AwsError whose code is `code` and whose message matches `message`. */
export async function expectAwsError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code, `code for: ${err.message}`);
    assert.match(err.message, message);
    return true;
  });
}

/**
 * Asserts `call` rejects with an AwsError of `code` and a message matching `message`, and that
 * the store's revision did not move: a rejected request writes nothing.
 */
export async function expectRejected(store: { revision(): Promise<number> }, call: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const before = await store.revision();
  await expectAwsError(call(), code, message);
  assert.equal(await store.revision(), before, 'the store must not change');
}
