/**
 * What a protocol codec does: turn an HTTP request into an operation's input, and an output or
 * an error into the HTTP response the AWS SDKs parse. One codec per wire protocol (AWS JSON,
 * AWS Query, EC2 Query, ...), each driven by the service model: no codec knows any operation.
 */
import type { AwsError } from '../errors.ts';
import type { OperationModel, ServiceModel } from '../model/types.ts';

/** An HTTP request as the endpoint read it: the whole body, headers lowercased. */
export interface WireRequest {
  method: string;
  /** The path without the query string, as sent (not decoded). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** An HTTP response ready to write. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** A body written as it comes, chunk by chunk, instead of `body` (an event stream). */
  stream?: AsyncIterable<Uint8Array>;
}

export interface Codec {
  /**
   * Reads an operation's input from the request, converting each member to its model type
   * (numbers, booleans, Dates for timestamps, Uint8Array for blobs, lists and maps from their
   * wire forms). A member of the wrong type is the protocol's serialization error, naming the
   * member; constraints (required, enums, lengths, ranges, patterns) are not checked here.
   */
  decodeInput(model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown>;
  /** Writes an operation's output (SDK-shaped: Dates, Uint8Arrays, plain objects) as the protocol does. */
  encodeOutput(model: ServiceModel, operation: OperationModel, output: object, requestId: string): WireResponse;
  /** Writes an error as the protocol does. `model` is absent when the service could not be told. */
  encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): WireResponse;
}
