/**
 * Transitional: serves an adapter written before the platform (its handlers read the AWS JSON
 * body themselves) through the middleware chain, so it is authenticated and authorized like
 * every other API until it moves onto typed, model-validated input. Removed once ECS and ECR
 * have moved.
 */
import { AwsError } from './errors.ts';
import type { ServiceModel } from './model/types.ts';
import type { OperationSpec, ServiceDefinition } from './operation.ts';
import type { JsonService } from './types.ts';

/** A ServiceDefinition whose operations are `json`'s actions, each taking its raw JSON body. */
export function legacyJsonService(json: JsonService, model: ServiceModel, iamPrefix: string): ServiceDefinition {
  const operations: Record<string, OperationSpec<object, object>> = {};
  for (const [name, action] of Object.entries(json.actions)) {
    operations[name] = { rawInput: true, handler: (input, ctx) => action(input as Record<string, unknown>, ctx) };
  }
  return {
    model,
    iamPrefix,
    operations,
    // Never called: raw-input operations are not validated against the model.
    validationError: (violations) => new AwsError('ValidationException', `${violations.length} validation errors detected.`),
  };
}
