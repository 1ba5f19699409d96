/**
 * Which API and operation a request is for. AWS JSON requests name both in `X-Amz-Target`;
 * Query requests name the operation in `Action`, and the API by the service their SigV4
 * credential scope was signed for (else by `Version`, which each Query API has its own of).
 * REST requests are of the API their credential scope names (else of the one whose paths they
 * match), and of the operation whose method and path template they match. An AWS JSON API with
 * the awsQueryCompatible trait (CloudWatch) is also served in awsQuery, as its older clients
 * and the AWS CLI speak it: a request is answered in the protocol it came in, with the API's
 * Query model when it has one (SQS, whose Query names differ from its JSON ones).
 */
import { CommonErrors } from './errors.ts';
import type { OperationModel, ProtocolName, ServiceModel } from './model/types.ts';
import type { ServiceDefinition } from './operation.ts';
import { isQueryProtocol, isRestProtocol, queryParameters, restOperationOf } from './protocol/index.ts';
import type { WireRequest } from './protocol/types.ts';
import type { CredentialScope } from './sigv4/index.ts';

/** A request matched to its API and operation. */
export interface Route {
  service: ServiceDefinition;
  /** The operation's model; undefined when the API has no such operation (answered as unknown). */
  operation: OperationModel | undefined;
  /** The operation name the request gave. */
  operationName: string;
  /** The protocol the request came in (awsQuery for a Query request to an awsQueryCompatible JSON API). */
  protocol: ProtocolName;
  /** The model the request is read and answered with: the API's own, or its Query form's for a Query request. */
  model: ServiceModel;
}

/** Whether an API is served in awsQuery: a Query API, or a JSON one that is awsQueryCompatible. */
const speaksQuery = (s: ServiceDefinition) => isQueryProtocol(s.model.metadata.protocol) || s.model.metadata.awsQueryCompatible === true;

/** Finds requests' APIs among `services`. */
export class Router {
  private readonly byTarget = new Map<string, ServiceDefinition>();
  private readonly queryBySigningName = new Map<string, ServiceDefinition>();
  private readonly queryByVersion = new Map<string, ServiceDefinition>();
  private readonly restBySigningName = new Map<string, ServiceDefinition>();

  constructor(services: readonly ServiceDefinition[]) {
    for (const s of services) {
      const m = s.model.metadata;
      if (m.targetPrefix) this.byTarget.set(m.targetPrefix, s);
      if (speaksQuery(s)) {
        this.queryBySigningName.set(m.signingName, s);
        this.queryByVersion.set(m.apiVersion, s);
      }
      if (isRestProtocol(m.protocol)) this.restBySigningName.set(m.signingName, s);
    }
  }

  /**
   * The API and operation of a request, or undefined when it is not an AWS API request at all
   * (neither a target, a Query `Action`, nor a REST API's path). Throws the protocol's error when
   * it names an API or operation that is not there.
   */
  route(request: WireRequest, scope: CredentialScope | undefined): Route | undefined {
    const target = request.headers['x-amz-target'];
    if (target !== undefined) return this.routeJson(request, target);
    const rest = this.restModelFor(scope);
    if (rest) return this.routeRest(this.restBySigningName.get(scope!.service)!, request);
    const params = queryParameters(request);
    const action = params.get('Action');
    if (action === null) {
      // Unsigned: the REST API whose paths it matches, if any (authentication then refuses it).
      for (const service of this.restBySigningName.values()) {
        const operation = restOperationOf(service.model, request);
        if (operation) return { service, operation, operationName: operation.name, protocol: service.model.metadata.protocol, model: service.model };
      }
      return undefined;
    }
    const version = params.get('Version') ?? '';
    const service = (scope && this.queryBySigningName.get(scope.service)) ?? this.queryByVersion.get(version);
    if (!service) throw CommonErrors.invalidAction(action, version);
    const { protocol } = service.model.metadata;
    const model = isQueryProtocol(protocol) ? service.model : service.query?.model ?? service.model;
    return { service, operation: operationOf(model, action), operationName: action, protocol: isQueryProtocol(protocol) ? protocol : 'awsQuery', model };
  }

  /** The model of the API a JSON target names (for the error shape when routing fails). */
  modelForTarget(target: string | undefined): ServiceModel | undefined {
    if (!target) return undefined;
    return this.byTarget.get(target.slice(0, target.lastIndexOf('.')))?.model;
  }

  /** The model of the REST API a credential scope was signed for (for the error shape when routing fails). */
  restModelFor(scope: CredentialScope | undefined): ServiceModel | undefined {
    return scope ? this.restBySigningName.get(scope.service)?.model : undefined;
  }

  private routeRest(service: ServiceDefinition, request: WireRequest): Route {
    const operation = restOperationOf(service.model, request);
    return { service, operation, operationName: operation?.name ?? `${request.method} ${request.path}`, protocol: service.model.metadata.protocol, model: service.model };
  }

  private routeJson(request: WireRequest, target: string): Route {
    if (request.method !== 'POST' || !target) throw CommonErrors.missingAction();
    const dot = target.lastIndexOf('.');
    const service = dot > 0 ? this.byTarget.get(target.slice(0, dot)) : undefined;
    if (!service) throw CommonErrors.unknownOperation();
    const name = target.slice(dot + 1);
    return { service, operation: operationOf(service.model, name), operationName: name, protocol: service.model.metadata.protocol, model: service.model };
  }
}

const operationOf = (model: ServiceModel, name: string): OperationModel | undefined =>
  Object.hasOwn(model.operations, name) ? model.operations[name] : undefined;
