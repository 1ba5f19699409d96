/**
 * Test harness for the identity part's tests (and the IAM/STS adapters'): a real SqliteStore on
 * a temporary file, a manual clock, and a few policy documents tests keep writing. Not used by
 * production code.
 */
import { type Authority, authorizeOperation, authorizeRequest, validateInput, type ServiceModel, type OperationSpec, type OperationTypes, type Principal, type RequestContext, type ServiceDefinition } from '../aws/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, randomIds } from '../common/index.ts';
import { SqliteStore, type Store } from '../state/index.ts';
import type { IamEnv } from './env.ts';

/** The account the tests act in. */
export const ACCOUNT = '123456789012';

/** A fresh world: store on a temp file, manual clock, random ids. Call `close()` in afterEach. */
export interface IdentityTestbed {
  env: IamEnv;
  store: Store;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Opens a testbed. */
export function identityTestbed(): IdentityTestbed {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-identity-'));
  const store = SqliteStore.open(join(dir, 'state.db'));
  const clock = new ManualClock();
  return {
    env: { store, clock, ids: randomIds },
    store,
    clock,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An identity policy document allowing `actions` on `resources`. */
export function allow(actions: string | string[], resources: string | string[] = '*', condition?: object): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resources, ...(condition ? { Condition: condition } : {}) }],
  });
}

/** An identity policy document denying `actions` on `resources`. */
export function deny(actions: string | string[], resources: string | string[] = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: actions, Resource: resources }] });
}

/** A trust policy letting `principal` (an AWS principal: ARN or account) assume the role, with an optional condition. */
export function trust(principal: string | { Service: string }, condition?: object): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: typeof principal === 'string' ? { AWS: principal } : principal,
      Action: 'sts:AssumeRole',
      ...(condition ? { Condition: condition } : {}),
    }],
  });
}

/** The request context a handler test calls an operation in, as `principal`, checking further actions with `authority`. */
export function requestContext(authority: Authority, model: ServiceModel, principal: Principal, region = 'us-east-1'): RequestContext {
  const globals = { 'aws:SourceIp': '127.0.0.1', 'aws:RequestedRegion': region, 'aws:SecureTransport': 'false' };
  return {
    requestId: 'req-1',
    region,
    account: principal.account,
    principal,
    sourceIp: '127.0.0.1',
    authorize: (request) => authorizeRequest(authority, model, principal, request, globals),
  };
}

/**
 * Runs one operation of an adapter as the platform would, minus the wire: authorize (the
 * operation's action, resources and conditions), validate against the model, then the handler.
 */
export async function callOperation<Ops extends { [P in keyof Ops]: OperationTypes }, K extends keyof Ops & string>(
  authority: Authority, service: ServiceDefinition<Ops>, operation: K, input: Ops[K]['input'], principal: Principal,
): Promise<Ops[K]['output']> {
  const spec = service.operations[operation];
  if (!spec) throw new Error(`${operation} is not implemented`);
  const ctx = requestContext(authority, service.model, principal);
  const globals = { 'aws:SourceIp': '127.0.0.1', 'aws:RequestedRegion': ctx.region, 'aws:SecureTransport': 'false' };
  await authorizeOperation(authority, service as unknown as ServiceDefinition, operation, spec as OperationSpec<object, object>, input, ctx, globals);
  const shape = service.model.operations[operation]?.input;
  const violations = shape ? validateInput(service.model, shape, input) : [];
  if (violations.length) throw service.validationError(violations, operation);
  return spec.handler(input, ctx);
}

/** The account root as a principal. */
export function rootPrincipal(account = ACCOUNT): Principal {
  return { arn: `arn:aws:iam::${account}:root`, account, userId: account, kind: 'root' };
}
