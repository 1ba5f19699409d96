/** What a request handler knows about the request beyond its input. */
export interface RequestContext {
  /** From the SigV4 credential scope, else the server's default region. */
  region: string;
  /** The account the request acts in. */
  account: string;
  /** From the SigV4 credential scope, when the request was signed. */
  accessKeyId?: string;
  /** The id returned in `x-amzn-RequestId`. */
  requestId: string;
}

/**
 * One API action: takes the decoded JSON input (not yet validated — each handler validates
 * its own input at the edge) and returns the JSON output object.
 */
export type ActionHandler = (input: Record<string, unknown>, ctx: RequestContext) => Promise<object>;

/** An AWS service as the endpoint serves it over the AWS JSON 1.0/1.1 protocols. */
export interface JsonService {
  /** The `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerServiceV20141113`. */
  targetPrefix: string;
  /** `1.1` for ECS, ECR, Logs...; `1.0` for services that use AWS JSON 1.0. */
  jsonVersion: '1.0' | '1.1';
  /** Action name (e.g. `CreateCluster`) → handler. */
  actions: Record<string, ActionHandler>;
}
