/**
 * Assertions the AWS services' unit tests share: a request rejected with an AWS error, and one
 * rejected without writing anything. Not used by the services themselves.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../common/index.ts';
import type { Authority } from './auth.ts';
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

/**
 * An Authority for endpoint tests that are not about identity: it knows no keys (so, with
 * `unknownKeysAsRoot`, every signed request acts as the account root) and allows everything.
 */
export const rootOnlyAuthority: Authority = {
  findSigningKey: async () => ({ status: 'unknown' }),
  authorize: async () => ({ allowed: true }),
};

/** The endpoint options of a test server whose callers all act as the root of `account`. */
export const rootOnlyEndpoint = (account: string) => ({
  authority: rootOnlyAuthority, clock: systemClock, unknownKeysAsRoot: true, account,
});
