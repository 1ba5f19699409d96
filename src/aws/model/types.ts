/**
 * The service models Wharf is driven by: AWS's own API models (the shapes, members, required
 * members and enums of the pinned AWS SDK clients, with the lengths, ranges and patterns of
 * botocore's JSON models), reduced to what the protocols and the validator need. The form is
 * botocore's, so anyone who has read an AWS model reads these. Generated into
 * `src/aws/models/<service>.json` by `scripts/generate-models.ts`; never edited by hand.
 */

/** The wire protocols of the AWS APIs Wharf serves. */
export type ProtocolName = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1' | 'restXml';

/** What identifies a service on the wire and in IAM. */
export interface ServiceMetadata {
  /** e.g. `ECS`, `IAM`: the SDK's service id. */
  serviceId: string;
  /** The version every request names (`Version=` for the Query protocols). */
  apiVersion: string;
  protocol: ProtocolName;
  /** The service name in a SigV4 credential scope (`ecs`, `iam`, `sts`, `elasticloadbalancing`). */
  signingName: string;
  /** The `X-Amz-Target` prefix of the AWS JSON protocols (`AmazonEC2ContainerServiceV20141113`). */
  targetPrefix?: string;
  /** The XML namespace of the Query protocols' responses. */
  xmlNamespace?: string;
  /** The awsQueryCompatible trait: a JSON service that also sends the Query error code. */
  awsQueryCompatible?: boolean;
}

/** One member of a structure, or the member/key/value of a list or map. */
export interface MemberRef {
  /** The shape the member has (a key of `ServiceModel.shapes`). */
  shape: string;
  /** The name on the wire where it differs from the member name (Query/XML `locationName`). */
  locationName?: string;
  /** ec2Query's request name where it differs (`ec2QueryName` trait). */
  queryName?: string;
  /** Flattened list or map in XML/Query (no `member`/`entry` wrapper). */
  flattened?: boolean;
  /** Timestamp format where the member overrides the protocol's default. */
  timestampFormat?: 'iso8601' | 'epoch-seconds' | 'http-date';
  /** A client token the SDK fills in when the caller does not. */
  idempotencyToken?: boolean;
  /** For REST protocols: where the member travels. */
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  /** Carried in the HTTP body as the whole payload (REST protocols). */
  payload?: boolean;
}

/** A structure: an operation's input or output, an error, or a nested object. */
export interface StructureShape {
  type: 'structure';
  members: Record<string, MemberRef>;
  /** Members that must be present. */
  required?: string[];
  /** For error shapes: the code on the wire and the HTTP status. */
  error?: { code: string; httpStatusCode: number; senderFault?: boolean };
  /** An error shape (an exception). */
  exception?: boolean;
  /** A union: exactly one member set. */
  union?: boolean;
  /** The whole value, members and all, is never shown (Smithy's `sensitive` on a structure). */
  sensitive?: boolean;
}

export interface ListShape {
  type: 'list';
  member: MemberRef;
  flattened?: boolean;
  min?: number;
  max?: number;
  /** The whole list is never shown (Smithy's `sensitive` on a list). */
  sensitive?: boolean;
}

export interface MapShape {
  type: 'map';
  key: MemberRef;
  value: MemberRef;
  flattened?: boolean;
  min?: number;
  max?: number;
  /** The whole map is never shown (Smithy's `sensitive` on a map). */
  sensitive?: boolean;
}

export interface StringShape {
  type: 'string';
  enum?: string[];
  min?: number;
  max?: number;
  /** A Java-style regular expression the whole value must match. */
  pattern?: string;
  /** Never shown in logs or error messages (Smithy's `sensitive`). */
  sensitive?: boolean;
}

export interface NumberShape {
  type: 'integer' | 'long' | 'float' | 'double';
  min?: number;
  max?: number;
}

export interface BlobShape {
  type: 'blob';
  min?: number;
  max?: number;
  sensitive?: boolean;
}

export interface SimpleShape {
  type: 'boolean' | 'timestamp' | 'document';
  timestampFormat?: 'iso8601' | 'epoch-seconds' | 'http-date';
}

export type Shape = StructureShape | ListShape | MapShape | StringShape | NumberShape | BlobShape | SimpleShape;

/** One operation of the API. */
export interface OperationModel {
  name: string;
  /** Input structure; absent when the operation takes none. */
  input?: string;
  /** Output structure; absent when the operation returns nothing. */
  output?: string;
  /** The Query protocols' `<XResult>` wrapper element. */
  resultWrapper?: string;
  /** REST protocols: method and path template. */
  http?: { method: string; requestUri: string; responseCode?: number };
  /** Error shapes the operation may return. */
  errors?: string[];
}

/** One AWS API, as the protocols and the validator see it. */
export interface ServiceModel {
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}
