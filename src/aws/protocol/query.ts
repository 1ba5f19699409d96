/**
 * The AWS Query protocol (IAM, STS): form-encoded parameters in (`Action=CreateUser&Version=…
 * &Tags.member.1.Key=team`), XML out (`<CreateUserResponse><CreateUserResult>…`). Members are
 * named by their locationName or name, lists are `Name.member.N` (or `Name.N` when flattened),
 * maps `Name.entry.N.key`/`.value`. Errors carry the awsQueryError code of the modeled error
 * (`NoSuchEntity` for IAM's NoSuchEntityException) and its status, which is what the SDKs match
 * their exception classes on.
 */
import type { AwsError } from '../errors.ts';
import type { MemberRef, OperationModel, ServiceModel } from '../model/types.ts';
import { readQueryInput, type QueryNaming } from './query-input.ts';
import { structureOf, wireError } from './shapes.ts';
import type { Codec, WireRequest, WireResponse } from './types.ts';
import { writeMembers } from './xml-output.ts';
import { XmlWriter } from './xml.ts';

const awsQueryNaming: QueryNaming = {
  member: (name: string, ref: MemberRef) => ref.locationName ?? name,
  flatLists: false,
  mapPart: (ref: MemberRef, fallback: 'key' | 'value') => ref.locationName ?? fallback,
};

const XML_HEADERS = (requestId: string): Record<string, string> => ({ 'content-type': 'text/xml', 'x-amzn-RequestId': requestId });

/**
 * The awsQuery codec. Output is wrapped in `<OpResponse xmlns><OpResult>` (no Result element
 * when the operation has no output) followed by `<ResponseMetadata><RequestId>`; timestamps
 * are ISO 8601 UTC with milliseconds only when the instant has them. Errors are
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`: an
 * AwsError naming an error shape (by shape name or wire code) is sent with the shape's wire code
 * and status (see `wireError`).
 */
export const awsQueryCodec: Codec = {
  decodeInput(model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown> {
    return readQueryInput(awsQueryNaming, model, operation, request);
  },

  encodeOutput(model: ServiceModel, operation: OperationModel, output: object, requestId: string): WireResponse {
    const w = new XmlWriter();
    const root = `${operation.name}Response`;
    w.start(root, { xmlns: model.metadata.xmlNamespace });
    if (operation.output) {
      const result = operation.resultWrapper ?? `${operation.name}Result`;
      w.start(result);
      writeMembers(w, model, structureOf(model, operation.output), output as Record<string, unknown>, { millis: 'when-set' });
      w.end(result);
    }
    w.start('ResponseMetadata').leaf('RequestId', requestId).end('ResponseMetadata');
    w.end(root);
    return { status: 200, headers: XML_HEADERS(requestId), body: w.toString() };
  },

  encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): WireResponse {
    const wire = wireError(model, error);
    const w = new XmlWriter();
    w.start('ErrorResponse', { xmlns: model?.metadata.xmlNamespace });
    w.start('Error').leaf('Type', wire.fault).leaf('Code', wire.code).leaf('Message', error.message).end('Error');
    w.leaf('RequestId', requestId);
    w.end('ErrorResponse');
    return { status: wire.status, headers: XML_HEADERS(requestId), body: w.toString() };
  },
};
