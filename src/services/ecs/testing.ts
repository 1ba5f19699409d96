/**
 * Helpers the ECS operations' unit tests share: a testbed (the ECS domain's world, with a
 * request context and the operations bound to its deps, each called as the platform calls it:
 * decoded from JSON by the model, authorized, validated, then handled), the assertions for a
 * rejected request, and the domain's seeding helpers and record fixtures. Not used by the
 * operations.
 */
import {
  authorizeOperation, codecFor, ecsModel, validateInput, type Authority, type EcsOperations, type OperationSpec, type RequestContext,
  type ServiceDefinition,
} from '../../aws/index.ts';
import type { EcsDeps } from '../../ecs/index.ts';
import { ecsWorld, scope, type EcsWorld } from '../../ecs/testing.ts';
import type { EcsOperationTable } from './common.ts';
import { ecsValidationError } from './validation.ts';

export {
  instanceRecord, scope, seed, seedCluster, seedInstance, seedTask, seedTaskDefinition, storedInstance, taskDefinitionRecord, taskRecord,
} from '../../ecs/testing.ts';
export { expectAwsError, expectRejected } from '../../aws/testing.ts';

/** Allows every request, as IAM allows the account root. */
const allowAll: Authority = {
  findSigningKey: async () => ({ status: 'unknown' }),
  authorize: async () => ({ allowed: true }),
};

/** The request context every unit test calls the operations in: the account root of `scope`, allowed everything. */
export const ctx: RequestContext = {
  requestId: 'req-1',
  region: scope.region,
  account: scope.account,
  principal: { arn: `arn:aws:iam::${scope.account}:root`, account: scope.account, userId: scope.account, kind: 'root' },
  sourceIp: '127.0.0.1',
  authorize: async () => {},
};

/** One operation as a test calls it: a JSON request body in, the SDK-shaped output back. */
export type Action = (input: Record<string, unknown>, context?: RequestContext) => Promise<object>;

/** One group of operations, callable by name: `api.CreateCluster({ clusterName: 'web' }, ctx)`. */
export type Actions = Record<string, Action>;

/** A JSON request body decoded by ECS's model, as the platform decodes it (a member of the wrong type is a SerializationException). */
function decode(operation: string, json: unknown): Record<string, unknown> {
  const wire = { method: 'POST', path: '/', query: new URLSearchParams(), headers: {}, body: Buffer.from(JSON.stringify(json ?? {})) };
  return codecFor(ecsModel.metadata.protocol).decodeInput(ecsModel, ecsModel.operations[operation], wire);
}

/** A decoded input checked against the model, as the platform checks it (ECS's InvalidParameterException or ClientException). */
function validated(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const shape = ecsModel.operations[operation].input;
  const violations = shape ? validateInput(ecsModel, shape, input) : [];
  if (violations.length) throw ecsValidationError(violations, operation);
  return input;
}

/** The input of `operation` as the platform hands it to the handler: decoded and validated by ECS's model. */
export function modelInput(operation: string, json: unknown): Record<string, unknown> {
  return validated(operation, decode(operation, json));
}

/** Binds a table of operations to run as the platform runs them (authorization with every request allowed). */
function callable(table: EcsOperationTable): Actions {
  const service = { model: ecsModel, iamPrefix: 'ecs', operations: table, validationError: ecsValidationError } as ServiceDefinition<EcsOperations>;
  const actions: Actions = {};
  for (const [name, spec] of Object.entries(table) as [string, OperationSpec<object, object>][]) {
    actions[name] = async (json, context = ctx) => {
      const input = decode(name, json);
      // The authorization functions run on the unvalidated input, as in the pipeline: they must never throw.
      await authorizeOperation(allowAll, service as unknown as ServiceDefinition, name, spec, input, context, {});
      return spec.handler(validated(name, input), context);
    };
  }
  return actions;
}

/** A fresh world for one test, with the request context and a way to bind operations to its deps. */
export interface EcsTestbed extends EcsWorld {
  ctx: RequestContext;
  /** One group of operations over this testbed's deps: `bed.api(clusterOperations)`. */
  api(operations: (deps: EcsDeps) => EcsOperationTable): Actions;
}

/** A new testbed; close its store in `afterEach`. */
export function ecsTestbed(): EcsTestbed {
  const world = ecsWorld();
  return { ...world, ctx, api: (operations) => callable(operations(world.deps)) };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The model's message for a required `path` left out (`containerDefinitions[0].name`, as Wharf names members). */
export const mustNotBeNull = (path: string): RegExp =>
  new RegExp(`^1 validation error detected: Value null at '${escape(path)}' failed to satisfy constraint: Member must not be null$`);

/** The model's message for `value` at `path` outside its enum (a list's values are reported at the list). */
export const notInEnum = (path: string, value: string): RegExp =>
  new RegExp(`^1 validation error detected: Value '${escape(value)}' at '${escape(path)}' failed to satisfy constraint: Member must satisfy (constraint: \\[Member must satisfy )?enum value set: \\[`);

/** The model's message for a value at `path` breaking one of its constraints (`Member must have length less than or equal to 128`). */
export const breaks = (path: string, constraint: string): RegExp =>
  new RegExp(`^1 validation error detected: Value .* at '${escape(path)}' failed to satisfy constraint: ${escape(constraint)}$`);
