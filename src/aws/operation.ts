/**
 * What an AWS API adapter gives the platform: its model, and for each operation a handler with
 * typed input and output and what IAM checks before it runs. The platform does the rest for
 * every API alike (decode, authenticate, authorize, validate, encode: see `endpoint.ts`).
 */
import type { AwsError } from './errors.ts';
import type { ServiceModel } from './model/types.ts';

/** Who made a request, as SigV4 and IAM established it. */
export interface Principal {
  /** `arn:aws:iam::123456789012:root`, `…:user/path/name`, `arn:aws:sts::…:assumed-role/Role/session`. */
  arn: string;
  account: string;
  /** What GetCallerIdentity calls UserId: the account id for root, `AIDA…` for a user, `AROA…:session` for a role session. */
  userId: string;
  kind: 'root' | 'user' | 'assumed-role';
  /** The access key the request was signed with (absent for internal callers). */
  accessKeyId?: string;
}

/** Condition keys and their values for one authorization (`aws:RequestTag/team`, `ecs:cluster`, ...). */
export type ConditionValues = Record<string, string | string[] | undefined>;

/** One question for IAM: may the caller do `action` on `resource`? */
export interface AuthorizationRequest {
  /** `ecs:RunTask`. */
  action: string;
  /** The resource ARN, or `*` for actions without a resource. */
  resource: string;
  /** Request-specific condition keys; the platform adds the global ones (aws:SourceIp, aws:CurrentTime, ...). */
  conditions?: ConditionValues;
}

/** What a handler knows of its request beyond its input. */
export interface RequestContext {
  /** The id returned in `x-amzn-RequestId` / `<RequestId>`. */
  requestId: string;
  /** From the SigV4 credential scope (validated), else the server's default region. */
  region: string;
  /** The account the request acts in: the principal's. */
  account: string;
  principal: Principal;
  /** The caller's address (aws:SourceIp). */
  sourceIp: string;
  /** The Host the request was sent to (SQS's queue URLs name it). */
  host?: string;
  /** Aborted when the caller's connection closes: an operation streaming events stops then. */
  signal?: AbortSignal;
  /** Checks a further action as the caller (iam:PassRole when a task role is named), throwing AccessDenied. */
  authorize(request: AuthorizationRequest): Promise<void>;
}

/** What IAM checks before an operation runs: resources and conditions read from the decoded input. */
export interface OperationAuthorization<I> {
  /** The IAM action; `<iamPrefix>:<Operation>` when absent. */
  action?: string;
  /**
   * The resource ARNs the request acts on, each authorized; `['*']` when absent. The input is
   * decoded (types are right) but not yet validated: required members may be missing.
   */
  resources?: (input: Partial<I>, ctx: RequestContext) => string[] | Promise<string[]>;
  /** Request-specific condition keys (`aws:RequestTag/*`, `aws:TagKeys`, `ecs:cluster`, ...). */
  conditions?: (input: Partial<I>, ctx: RequestContext) => ConditionValues | Promise<ConditionValues>;
  /** Operations any authenticated caller may call (sts:GetCallerIdentity). */
  public?: boolean;
}

/** One operation as an adapter implements it. */
export interface OperationSpec<I, O> {
  handler: (input: I, ctx: RequestContext) => Promise<O>;
  authorization?: OperationAuthorization<I>;
}

/** An operation's input and output types, as the SDK declares them. */
export interface OperationTypes {
  input: object;
  output: object;
}

/** One constraint a request broke, found by the validator. */
export interface Violation {
  /** Where, from the input's root: `['containerDefinitions', 0, 'name']`. */
  path: (string | number)[];
  /** The offending value (undefined for a missing member). */
  value: unknown;
  /** The kind of constraint. */
  constraint: 'required' | 'enum' | 'length' | 'range' | 'pattern' | 'union';
  /** AWS's wording of the constraint: `Member must have length less than or equal to 64`. */
  message: string;
  /** The value may not be shown (a sensitive member). */
  sensitive?: boolean;
}

/** The Query form of an AWS JSON API. */
export interface QueryForm {
  /** The API's model with its Query member names and result wrappers (same shapes and constraints). */
  model: ServiceModel;
  /**
   * Input members a Query request may carry in its path rather than its parameters (SQS's
   * queue URL, when a client posts to the queue's URL): read only where the parameters gave none.
   */
  pathInput?: (path: string, host: string | undefined) => Record<string, string>;
}

/** An AWS API as the platform serves it. */
export interface ServiceDefinition<Ops extends { [K in keyof Ops]: OperationTypes } = Record<string, OperationTypes>> {
  model: ServiceModel;
  /** The IAM service prefix (`ecs`, `ecr`, `iam`, `sts`). */
  iamPrefix: string;
  /** The operations Wharf implements; the model's others answer as not implemented. */
  operations: { [K in keyof Ops]?: OperationSpec<Ops[K]['input'], Ops[K]['output']> };
  /** How this API words a request that breaks its model's constraints. */
  validationError(violations: Violation[], operation: string): AwsError;
  /**
   * For an AWS JSON API that was a Query API (SQS): how a Query request is read and answered,
   * as its older clients (the AWS CLI before 2.13) expect. Without it a Query request to an
   * awsQueryCompatible API is read and answered with `model`'s member names.
   */
  query?: QueryForm;
  /**
   * What Wharf leaves out of operations it implements, in a sentence each: `docs/coverage/`
   * lists these operations as "partly" with the sentence, so the docs say what the code does.
   */
  partly?: { [K in keyof Ops]?: string };
}
