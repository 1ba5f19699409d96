/**
 * The authorize stage: IAM decides whether the principal may perform the operation's action on
 * each resource it names, with the request's condition keys. The action and resources come
 * from the adapter's `authorization` for the operation; the global keys from the request.
 */
import type { Authority } from './auth.ts';
import { AwsError } from './errors.ts';
import type { ServiceModel } from './model/types.ts';
import type {
  AuthorizationRequest, ConditionValues, OperationSpec, Principal, RequestContext, ServiceDefinition,
} from './operation.ts';
import { isQueryProtocol } from './protocol/index.ts';

/** The request-wide condition keys IAM may test (the principal's own keys are added by the Authority). */
export function authorizationGlobals(request: { sourceIp: string; secure: boolean }, region: string, now: number): ConditionValues {
  return {
    'aws:SourceIp': request.sourceIp,
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:SecureTransport': String(request.secure),
    'aws:RequestedRegion': region,
  };
}

/**
 * AWS's refusal, as the API's protocol writes it: the model's own AccessDenied shape where it
 * has one (ECS and ECR: `AccessDeniedException`, 400), EC2's `UnauthorizedOperation` (403,
 * "You are not authorized to perform this operation. User: …"), the REST JSON services'
 * `AccessDeniedException` (403, as EFS answers), else the Query services'
 * `AccessDenied` (403) or the JSON services' `AccessDeniedException` (400).
 */
export function accessDenied(model: ServiceModel, message: string): AwsError {
  for (const name of ['AccessDeniedException', 'AccessDenied']) {
    const shape = model.shapes[name];
    if (shape?.type === 'structure' && shape.error) return new AwsError(name, message, shape.error.httpStatusCode);
  }
  if (model.metadata.protocol === 'ec2Query') return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, 403);
  if (model.metadata.protocol === 'restJson1') return new AwsError('AccessDeniedException', message, 403);
  return isQueryProtocol(model.metadata.protocol) ? new AwsError('AccessDenied', message, 403) : new AwsError('AccessDeniedException', message, 400);
}

/** One authorization; throws the API's AccessDenied with IAM's message when refused. */
export async function authorizeRequest(
  authority: Authority, model: ServiceModel, principal: Principal, request: AuthorizationRequest, globals: ConditionValues,
): Promise<void> {
  const decision = await authority.authorize(principal, request, globals);
  if (!decision.allowed) throw accessDenied(model, decision.message);
}

/**
 * Authorizes an operation before it runs: its action on every resource it names. A refusal is
 * worded by `model`'s protocol: the model the request was read with (a Query form's for a Query request).
 */
export async function authorizeOperation(
  authority: Authority, service: ServiceDefinition, operation: string, spec: OperationSpec<object, object>,
  input: object, ctx: RequestContext, globals: ConditionValues, model: ServiceModel = service.model,
): Promise<void> {
  const rule = spec.authorization;
  if (rule?.public) return;
  const action = rule?.action ?? `${service.iamPrefix}:${operation}`;
  const resources = (await rule?.resources?.(input, ctx)) ?? ['*'];
  const conditions = await rule?.conditions?.(input, ctx);
  for (const resource of resources.length ? resources : ['*']) {
    await authorizeRequest(authority, model, ctx.principal, { action, resource, conditions }, globals);
  }
}
