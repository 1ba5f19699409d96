/**
 * The EC2 Query protocol: awsQuery's form-encoded requests with EC2's own naming, and XML
 * responses without a Result wrapper. A member's parameter is its queryName (the ec2QueryName
 * trait), else its locationName capitalized, else its name capitalized (`Filter.1.Name`); lists
 * are always `Name.N`. Output members use their locationName (`securityGroupInfo`), list items
 * the list member's (`item` throughout EC2's model), and `<requestId>` comes first. EC2 models
 * no error shapes: an AwsError's code (`InvalidGroup.NotFound`) is sent as it is.
 */
import type { AwsError } from '../errors.ts';
import type { MemberRef, OperationModel, ServiceModel } from '../model/types.ts';
import { readQueryInput, type QueryNaming } from './query-input.ts';
import { structureOf, wireError } from './shapes.ts';
import type { Codec, WireRequest, WireResponse } from './types.ts';
import { writeMembers } from './xml-output.ts';
import { XmlWriter } from './xml.ts';

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const ec2Naming: QueryNaming = {
  member: (name: string, ref: MemberRef) => ref.queryName ?? capitalize(ref.locationName ?? name),
  flatLists: true,
  // ec2Query leaves maps undefined; this is how the SDKs send them (EC2's model has none in inputs).
  mapPart: (ref: MemberRef, fallback: 'key' | 'value') => ref.queryName ?? ref.locationName ?? fallback,
};

/** EC2 writes its namespace with a trailing slash, though its model's omits it. */
const namespace = (model: ServiceModel) => {
  const ns = model.metadata.xmlNamespace;
  return ns && !ns.endsWith('/') ? `${ns}/` : ns;
};

const XML_HEADERS = (requestId: string): Record<string, string> => ({ 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId });

/**
 * The ec2Query codec. Output: `<OpResponse xmlns><requestId/>…members…</OpResponse>`, ISO
 * timestamps always with milliseconds (`2026-12-03T06:50:01.000Z`), as EC2 writes them. Errors:
 * `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
 */
export const ec2QueryCodec: Codec = {
  decodeInput(model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown> {
    return readQueryInput(ec2Naming, model, operation, request);
  },

  encodeOutput(model: ServiceModel, operation: OperationModel, output: object, requestId: string): WireResponse {
    const w = new XmlWriter();
    const root = `${operation.name}Response`;
    w.start(root, { xmlns: namespace(model) }).leaf('requestId', requestId);
    if (operation.output) {
      writeMembers(w, model, structureOf(model, operation.output), output as Record<string, unknown>, { millis: 'always' });
    }
    w.end(root);
    return { status: 200, headers: XML_HEADERS(requestId), body: w.toString() };
  },

  encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): WireResponse {
    const wire = wireError(model, error);
    const w = new XmlWriter();
    w.start('Response').start('Errors').start('Error');
    // ec2Query names a modeled error by its shape name, never an awsQueryError code.
    w.leaf('Code', wire.shape ?? error.code).leaf('Message', error.message);
    w.end('Error').end('Errors').leaf('RequestID', requestId).end('Response');
    return { status: wire.status, headers: XML_HEADERS(requestId), body: w.toString() };
  },
};
