/**
 * The one middleware chain every AWS API request goes through, in this order:
 *
 *   request id → size limit → route → decode → authenticate (SigV4) → authorize (IAM)
 *     → validate (model) → handler → encode
 *
 * Each stage is a function of the request so far; a stage that refuses throws an AwsError and
 * the codec of the request's protocol writes it, in one place. No handler authenticates,
 * authorizes, or checks what the model already says. An output holding an event stream (an
 * async iterable member, as the SDKs type it) is answered with `application/vnd.amazon.eventstream`
 * written as its events come (`event-stream.ts`).
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Clock } from '../common/index.ts';
import type { Authority } from './auth.ts';
import { authenticate, type AuthenticationOptions } from './authenticate.ts';
import { authorizationGlobals, authorizeOperation, authorizeRequest } from './authorize.ts';
import { AwsError, CommonErrors } from './errors.ts';
import { EVENT_STREAM_CONTENT_TYPE, eventStreamBody, eventStreamOf } from './event-stream.ts';
import { validateInput } from './model/validate.ts';
import type { OperationModel, ProtocolName, ServiceModel } from './model/types.ts';
import type { AuthorizationRequest, OperationSpec, RequestContext, ServiceDefinition } from './operation.ts';
import { codecFor, isQueryProtocol } from './protocol/index.ts';
import type { WireRequest, WireResponse } from './protocol/types.ts';
import { Router, type Route } from './router.ts';
import { credentialScope } from './sigv4/index.ts';

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
  /** Receives each request served: its API, operation (empty when not routed), HTTP status and seconds. */
  onRequest?: (served: { service: string; operation: string; status: number; seconds: number }) => void;
}

/** An AWS request as the endpoint hands it over: the wire request and the caller's address. */
export interface AwsRequest {
  wire: WireRequest;
  sourceIp: string;
  /** Was the connection TLS (aws:SecureTransport). */
  secure: boolean;
  /** Aborted when the caller's connection closes (what ends an event stream the caller left). */
  signal?: AbortSignal;
}

/** Serves AWS API requests through the chain. */
export class Pipeline {
  private readonly router: Router;

  constructor(private readonly o: PipelineOptions) {
    this.router = new Router(o.services);
  }

  /** Runs one request through every stage; never throws. */
  async serve(request: AwsRequest): Promise<WireResponse> {
    if (!this.o.onRequest) return this.serveOne(request, { service: '', operation: '' });
    const started = process.hrtime.bigint();
    const routed = { service: '', operation: '' };
    const response = await this.serveOne(request, routed);
    this.o.onRequest({ ...routed, status: response.status, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    return response;
  }

  private async serveOne(request: AwsRequest, routed: { service: string; operation: string }): Promise<WireResponse> {
    const requestId = randomUUID();
    let model: ServiceModel | undefined;
    let protocol: ProtocolName | undefined;
    let operationName = '';
    try {
      const scope = credentialScope(request.wire.headers.authorization, request.wire.query);
      const route = this.time('route', () => this.router.route(request.wire, scope));
      if (!route) throw CommonErrors.missingAction();
      const { service, operation } = route;
      const api = route.model;
      model = api;
      protocol = route.protocol;
      operationName = route.operationName;
      routed.service = api.metadata.signingName;
      routed.operation = operationName;
      if (!operation) throw unknownOperation(route);
      const spec = service.operations[operationName] as OperationSpec<object, object> | undefined;
      const codec = codecFor(route.protocol);
      const input = spec ? this.time('decode', () => withPathInput(route, operation, request.wire, codec.decodeInput(api, operation, uncompressed(request.wire)))) : {};

      const now = this.o.clock.now();
      const auth = await this.timeAsync('authenticate', () => authenticate(request.wire, api, this.o.authority, this.o, now, scope));
      if (!spec) throw notImplemented(route);

      const globals = authorizationGlobals(request, auth.region, now);
      const ctx: RequestContext = {
        requestId,
        region: auth.region,
        account: auth.principal.account,
        principal: auth.principal,
        sourceIp: request.sourceIp,
        ...(request.wire.headers.host && { host: request.wire.headers.host }),
        ...(request.signal ? { signal: request.signal } : {}),
        authorize: (r: AuthorizationRequest) => authorizeRequest(this.o.authority, api, auth.principal, r, globals),
      };
      await this.timeAsync('authorize', () => authorizeOperation(this.o.authority, service, operationName, spec, input, ctx, globals, api));

      const violations = this.time('validate', () => (operation.input ? validateInput(api, operation.input, input) : []));
      if (violations.length) throw service.validationError(violations, operationName);

      const output = await this.timeAsync('handler', () => spec.handler(input, ctx));
      const events = output ? eventStreamOf(output) : undefined;
      if (events) {
        return { status: 200, headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: '', stream: eventStreamBody(events) };
      }
      return this.time('encode', () => codec.encodeOutput(api, operation, output ?? {}, requestId));
    } catch (error) {
      return this.fail(error, request.wire, model, operationName, requestId, protocol);
    }
  }

  /** The response to a request refused before it could be read (a body over the limit), as its protocol words it. */
  refuse(error: AwsError, wire: WireRequest): WireResponse {
    return this.fail(error, wire, undefined, '', randomUUID());
  }

  /**
   * The error response, in the words of the API the request was routed to; before routing, of
   * the API a JSON target names, else of the protocol family the request is in.
   */
  private fail(
    error: unknown, wire: WireRequest, routed: ServiceModel | undefined, operation: string, requestId: string, routedProtocol?: ProtocolName,
  ): WireResponse {
    const aws = toAwsError(error);
    if (aws.status >= 500) this.o.onServerError?.(error, operation);
    const target = wire.headers['x-amz-target'];
    const model = routed ?? this.router.modelForTarget(target) ?? this.router.restModelFor(credentialScope(wire.headers.authorization, wire.query));
    const protocol = routedProtocol ?? model?.metadata.protocol ?? (target === undefined && isQueryRequest(wire) ? 'awsQuery' : 'awsJson1_1');
    return codecFor(protocol).encodeError(model, aws, requestId);
  }

  private time<T>(stage: Stage, run: () => T): T {
    if (!this.o.onStage) return run();
    const started = process.hrtime.bigint();
    const result = run();
    this.o.onStage(stage, Number(process.hrtime.bigint() - started));
    return result;
  }

  private async timeAsync<T>(stage: Stage, run: () => Promise<T>): Promise<T> {
    if (!this.o.onStage) return run();
    const started = process.hrtime.bigint();
    const result = await run();
    this.o.onStage(stage, Number(process.hrtime.bigint() - started));
    return result;
  }
}

/** Largest body a compressed request may expand to. */
const MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024;

/**
 * The request with its body as the operation reads it: the SDKs gzip large bodies of operations
 * AWS lets them compress (PutMetricData), saying so in Content-Encoding; the signature covers the
 * bytes as sent, so only decoding sees them expanded.
 */
function uncompressed(wire: WireRequest): WireRequest {
  const encoding = (wire.headers['content-encoding'] ?? '').toLowerCase();
  if (!encoding.split(',').map((e) => e.trim()).includes('gzip')) return wire;
  try {
    return { ...wire, body: gunzipSync(wire.body, { maxOutputLength: MAX_UNCOMPRESSED_BYTES }) };
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid gzip, or expands beyond 10 MiB.', 400);
  }
}

/** A Query request's input with the members its path carries (SQS's queue URL) where its parameters gave none. */
function withPathInput(route: Route, operation: OperationModel, wire: WireRequest, input: Record<string, unknown>): Record<string, unknown> {
  const read = route.protocol === 'awsQuery' ? route.service.query?.pathInput : undefined;
  const shape = read && operation.input ? route.model.shapes[operation.input] : undefined;
  if (!read || shape?.type !== 'structure') return input;
  for (const [name, value] of Object.entries(read(wire.path, wire.headers.host))) {
    if (Object.hasOwn(shape.members, name) && input[name] === undefined) input[name] = value;
  }
  return input;
}

/** A request for an operation the API does not have, as its protocol words it. */
function unknownOperation(route: Route): AwsError {
  const { metadata } = route.service.model;
  return isQueryProtocol(route.protocol) ? CommonErrors.invalidAction(route.operationName, metadata.apiVersion) : CommonErrors.unknownOperation();
}

/** A request for an operation of the API that Wharf does not implement (yet). */
function notImplemented(route: Route): AwsError {
  const code = isQueryProtocol(route.protocol) ? 'InvalidAction' : 'UnknownOperationException';
  return new AwsError(code, `The operation ${route.operationName} is not implemented by Wharf.`);
}

/** A request in the Query protocols' form: an `Action` in the query string, or a form-encoded POST. */
function isQueryRequest(wire: WireRequest): boolean {
  return wire.query.has('Action') || (wire.method === 'POST' && (wire.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'));
}

/**
 * Business code throws AwsErrors; a store conflict lost too often is retryable, as is a store
 * without a quorum (503, which the SDKs retry); anything else is Wharf's fault.
 */
function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  if (error instanceof Error && error.name === 'ConflictError') return CommonErrors.throttling(error.message);
  if (error instanceof Error && error.name === 'StoreUnavailableError') return CommonErrors.serviceUnavailable(error.message);
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}
