/**
 * The one error type business code throws. The HTTP layer alone turns it into the AWS wire
 * shape: `{"__type": code, "message": ...}` with `status`, which the AWS SDKs map to their
 * modeled exception classes by `code`.
 */
export class AwsError extends Error {
  constructor(
    /** The AWS error code, e.g. `ClusterNotFoundException`. */
    readonly code: string,
    message: string,
    /** HTTP status: 4xx for the caller's fault, 5xx for ours. */
    readonly status = 400,
    /** Further members of the error shape the protocol sends where the model has them (EFS's `FileSystemId`). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = code;
  }
}

/** Errors the platform itself answers, whatever the service: malformed requests, routing, limits. */
export const CommonErrors = {
  /** Body is not JSON, or not an object. */
  serialization: (message: string) => new AwsError('SerializationException', message),
  /** AWS JSON: X-Amz-Target names no operation of the service (or no service). */
  unknownOperation: () => new AwsError('UnknownOperationException', 'The requested operation is not recognized by the service.'),
  /** AWS JSON without a target, or a method other than POST. */
  missingAction: () => new AwsError('MissingAction', 'Missing Action'),
  /** Query: the Action names no operation of the API (or the Version no API). */
  invalidAction: (action: string, version: string) =>
    new AwsError('InvalidAction', `Could not find operation ${action} for version ${version || 'NO_VERSION_SPECIFIED'}`),
  /** The request body is larger than this endpoint accepts. */
  tooLarge: (limit: number) => new AwsError('RequestEntityTooLargeException', `Request body exceeds the limit of ${limit} bytes.`, 413),
  /** Lost too many optimistic-concurrency races: retryable, as a 5xx is for the SDKs. */
  throttling: (message: string) => new AwsError('ThrottlingException', message, 400),
  /** The store cannot be reached (no etcd quorum): nothing was written; the SDKs retry a 503. */
  serviceUnavailable: (message: string) => new AwsError('ServiceUnavailable', message, 503),
};
