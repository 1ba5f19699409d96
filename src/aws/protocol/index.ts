/**
 * The protocol part of Wharf's AWS platform: one codec per wire protocol, each turning a
 * request's bytes into an operation's typed input and its typed output or error into the bytes
 * the AWS SDKs parse, driven by the service model alone. The endpoint picks a codec with
 * `codecFor(model.metadata.protocol)`.
 */
import type { ProtocolName } from '../model/types.ts';
import { ec2QueryCodec } from './ec2-query.ts';
import { jsonCodec } from './json.ts';
import { awsQueryCodec } from './query.ts';
import { restJsonCodec } from './rest-json.ts';
import type { Codec } from './types.ts';

export type { Codec, WireRequest, WireResponse } from './types.ts';
export { queryParameters } from './query-input.ts';
export { restOperationOf } from './rest-json.ts';

const codecs: Partial<Record<ProtocolName, Codec>> = {
  awsJson1_0: jsonCodec('1.0'),
  awsJson1_1: jsonCodec('1.1'),
  awsQuery: awsQueryCodec,
  ec2Query: ec2QueryCodec,
  restJson1: restJsonCodec,
};

/** The codec of a wire protocol. restXml has none yet: asking for it is a programming error. */
export function codecFor(protocol: ProtocolName): Codec {
  const codec = codecs[protocol];
  if (!codec) throw new Error(`Wharf has no codec for the ${protocol} protocol yet.`);
  return codec;
}

/**
 * Whether a protocol is one of the Query family (awsQuery, ec2Query): operations named by
 * `Action`, APIs by `Version`, and refusals worded with Query's codes (`InvalidAction`, `AccessDenied`).
 */
export function isQueryProtocol(protocol: ProtocolName): boolean {
  return protocol === 'awsQuery' || protocol === 'ec2Query';
}

/** Whether a protocol names its operations by HTTP method and path (restJson1, restXml). */
export function isRestProtocol(protocol: ProtocolName): boolean {
  return protocol === 'restJson1' || protocol === 'restXml';
}
