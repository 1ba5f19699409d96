/**
 * The AWS platform's public face: what the API adapters, the domain parts and the CLI use of
 * `aws/` — the endpoint and its middleware chain, the contract an adapter implements
 * (ServiceDefinition, typed operations, authorization), the ports to identity, typed AWS
 * errors, the service models and their validator, ARNs and regions, SigV4, paging.
 */
export { AwsError, CommonErrors } from './errors.ts';
export { parseArn, formatArn, formatGlobalArn, resourceOf, type Arn } from './arn.ts';
export { isRegion, partitionOf, REGIONS, type Partition } from './regions.ts';
export { paginate, type Page } from './paging.ts';
export { requestTagConditions, tagKeyConditions, type RequestTag } from './tagging.ts';
export { describeByReferences, type MissingReference, type ResolvedReference } from './describe.ts';
export { createEndpoint, type EndpointOptions, type Route, type UpgradeHandler } from './endpoint.ts';
export { sourceIpOf, wireRequestOf } from './wire.ts';
export { encodeEventStreamMessage, EVENT_STREAM_CONTENT_TYPE, type StreamEvent } from './event-stream.ts';
export { Pipeline, type AwsRequest, type PipelineOptions, type Stage } from './pipeline.ts';
export { authenticate, rootPrincipal, signatureError, type Authenticated, type AuthenticationOptions } from './authenticate.ts';
export { accessDenied, authorizationGlobals, authorizeOperation, authorizeRequest } from './authorize.ts';
export type { Authority, AuthorizationDecision, KeyLookup, SigningKey } from './auth.ts';
export type {
  AuthorizationRequest, ConditionValues, OperationAuthorization, OperationSpec, OperationTypes, Principal,
  QueryForm, RequestContext, ServiceDefinition, Violation,
} from './operation.ts';
export { validateInput, coralValidationMessage, coralPath, coralValue, memberPath } from './model/index.ts';
export type { OperationModel, ServiceModel, Shape } from './model/index.ts';
export { codecFor, queryParameters, type Codec, type WireRequest, type WireResponse } from './protocol/index.ts';
export { credentialScope, verifyRequest, SignatureError, type CredentialScope, type VerifiedRequest } from './sigv4/index.ts';
export { ecsModel, type EcsOperations } from './models/ecs.ts';
export { ecrModel, type EcrOperations } from './models/ecr.ts';
export { iamModel, type IamOperations } from './models/iam.ts';
export { stsModel, type StsOperations } from './models/sts.ts';
export { ec2Model, type Ec2Operations } from './models/ec2.ts';
export { secretsmanagerModel, type SecretsmanagerOperations } from './models/secretsmanager.ts';
export { ssmModel, type SsmOperations } from './models/ssm.ts';
export { efsModel, type EfsOperations } from './models/efs.ts';
export { logsModel, type LogsOperations } from './models/logs.ts';
export { eventsModel, type EventsOperations } from './models/events.ts';
export { cloudwatchModel, type CloudwatchOperations } from './models/cloudwatch.ts';
export { schedulerModel, type SchedulerOperations } from './models/scheduler.ts';
export { elbv2Model, type Elbv2Operations } from './models/elbv2.ts';
export { acmModel, type AcmOperations } from './models/acm.ts';
export { servicediscoveryModel, type ServicediscoveryOperations } from './models/servicediscovery.ts';
export { codedeployModel, type CodedeployOperations } from './models/codedeploy.ts';
export { sqsModel, type SqsOperations } from './models/sqs.ts';
export { sqsQueryModel } from './models/sqs-query.ts';
export { applicationAutoscalingModel, type ApplicationAutoscalingOperations } from './models/application-autoscaling.ts';
export { autoscalingModel, type AutoscalingOperations } from './models/autoscaling.ts';
