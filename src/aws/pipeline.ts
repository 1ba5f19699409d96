/**
 * The one middleware chain every AWS API request goes through, in this order:
 *
 *   request id → size limit → route → decode → authenticate (SigV4) → authorize (IAM)
 *     → validate (model) → handler → encode
 *
 * Each stage is a function of the request so far; a stage that refuses throws an AwsError and
 * the codec of the request's protocol writes it, in one place. No handler authenticates,
 * authorizes, or checks what the model already says.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/index.ts';
import type { Authority } from './auth.ts';
import { authenticate, type AuthenticationOptions } from './authenticate.ts';
import { authorizationGlobals, authorizeOperation, authorizeRequest } from './authorize.ts';
import { AwsError } from './errors.ts';
import { validateInput } from './model/validate.ts';
import type { ServiceModel } from './model/types.ts';
import type { AuthorizationRequest, OperationSpec, RequestContext } from './operation.ts';
import { codecFor } from './protocol/index.ts';
import type { Codec, WireRequest, WireResponse } from './protocol/types.ts';
import { Router, RoutingErrors, type Route } from './router.ts';
import { credentialScope } from './sigv4.ts';
import type { ServiceDefinition } from './operation.ts';

/** The stages whose cost can be measured. */
export type Stage = 'route' | 'decode' | 'authenticate' | 'authorize' | 'validate' | 'handler' | 'encode';

export interface PipelineOptions extends AuthenticationOptions {
  services: readonly ServiceDefinition[];
  authority: Authority;
  clock: Clock;
  /** Called for 5xx errors, which are Wharf's bugs, never the caller's. */
  onServerError?: (error: unknown, operation: string) => void;
  /** Receives each stage's duration in nanoseconds (the benchmark's per-stage figures). */
  onStage?: (stage: Stage, nanoseconds: number) => void;
}

/** An AWS request as the endpoint hands it over: the wire request and the caller's address. */
export interface AwsRequest {
  wire: WireRequest;
  sourceIp: string;
  /** Was the connection TLS (aws:SecureTransport). */
  secure: boolean;
}

/** Serves AWS API requests through the chain. */
export class Pipeline {
  private readonly router: Router;

  constructor(private readonly o: PipelineOptions) {
    this.router = new Router(o.services);
  }

  /** True when the request is for an AWS API (a target or a Query action), so the endpoint routes it here. */
  isAwsRequest(wire: WireRequest): boolean {
    if (wire.headers['x-amz-target'] !== undefined) return true;
    if (wire.query.has('Action')) return true;
    return wire.method === 'POST' && (wire.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  }

  /** Runs one request through every stage; never throws. */
  async serve(request: AwsRequest): Promise<WireResponse> {
    const requestId = randomUUID();
    let model: ServiceModel | undefined;
    let operationName = '';
    try {
      const scope = credentialScope(request.wire.headers.authorization, request.wire.query);
      const route = this.time('route', () => this.router.route(request.wire, scope));
      if (!route) throw RoutingErrors.missingAction();
      model = route.service.model;
      operationName = route.operationName;
      if (!route.operation) throw unknownOperation(route);
      const spec = route.service.operations[operationName] as OperationSpec<object, object> | undefined;
      const codec = codecFor(model.metadata.protocol);
      const input = spec ? this.time('decode', () => codec.decodeInput(model!, route.operation!, request.wire)) : {};

      const started = process.hrtime.bigint();
      const auth = await authenticate(request.wire, model, this.o.authority, this.o, this.o.clock.now());
      this.report('authenticate', started);
      if (!spec) throw notImplemented(route);

      const globals = authorizationGlobals(request, auth.region, this.o.clock.now());
      const ctx: RequestContext = {
        requestId,
        region: auth.region,
        account: auth.principal.account,
        principal: auth.principal,
        sourceIp: request.sourceIp,
        authorize: (r: AuthorizationRequest) => authorizeRequest(this.o.authority, model!, auth.principal, r, globals),
      };
      const authorizing = process.hrtime.bigint();
      await authorizeOperation(this.o.authority, route.service, operationName, spec, input, ctx, globals);
      this.report('authorize', authorizing);

      const violations = this.time('validate', () => (route.operation!.input ? validateInput(model!, route.operation!.input, input) : []));
      if (violations.length) throw route.service.validationError(violations, operationName);

      const handling = process.hrtime.bigint();
      const output = await spec.handler(input, ctx);
      this.report('handler', handling);
      return this.time('encode', () => codec.encodeOutput(model!, route.operation!, output ?? {}, requestId));
    } catch (error) {
      return this.fail(error, model ?? this.router.modelForTarget(request.wire.headers['x-amz-target']), operationName, requestId);
    }
  }

  /** The response to a request refused before it could be read (a body over the limit), as its protocol words it. */
  refuse(error: AwsError, headers: WireRequest['headers']): WireResponse {
    const model = this.router.modelForTarget(headers['x-amz-target']);
    return this.fail(error, model, '', randomUUID());
  }

  private fail(error: unknown, model: ServiceModel | undefined, operation: string, requestId: string): WireResponse {
    const aws = toAwsError(error);
    if (aws.status >= 500) this.o.onServerError?.(error, operation);
    const codec: Codec = codecFor(model?.metadata.protocol ?? 'awsJson1_1');
    return codec.encodeError(model, aws, requestId);
  }

  private time<T>(stage: Stage, run: () => T): T {
    if (!this.o.onStage) return run();
    const started = process.hrtime.bigint();
    const result = run();
    this.report(stage, started);
    return result;
  }

  private report(stage: Stage, started: bigint): void {
    this.o.onStage?.(stage, Number(process.hrtime.bigint() - started));
  }
}

/** A request for an operation the API does not have, as its protocol words it. */
function unknownOperation(route: Route): AwsError {
  const { metadata } = route.service.model;
  const query = metadata.protocol === 'awsQuery' || metadata.protocol === 'ec2Query';
  return query ? RoutingErrors.invalidAction(route.operationName, metadata.apiVersion) : RoutingErrors.unknownOperation();
}

/** A request for an operation of the API that Wharf does not implement (yet). */
function notImplemented(route: Route): AwsError {
  const { metadata } = route.service.model;
  const query = metadata.protocol === 'awsQuery' || metadata.protocol === 'ec2Query';
  const message = `The operation ${route.operationName} is not implemented by Wharf.`;
  return new AwsError(query ? 'InvalidAction' : 'UnknownOperationException', message);
}

/** Business code throws AwsErrors; a store conflict lost too often is retryable; anything else is Wharf's fault. */
function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  if (error instanceof Error && error.name === 'ConflictError') return new AwsError('ThrottlingException', error.message, 400);
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}
