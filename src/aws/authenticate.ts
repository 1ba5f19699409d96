/**
 * The authenticate stage: who signed the request. The SigV4 signature is verified against the
 * secret IAM holds for the access key (`verifyRequest`, built on @smithy/signature-v4); the
 * credential scope must name a region Wharf serves and the API's own signing name. In `wharf
 * dev` an access key IAM does not know acts as the account root, unverified, so that
 * `AWS_ACCESS_KEY_ID=test` just works; a key IAM knows is always verified and held to its
 * policies.
 */
import type { Authority, KeyLookup } from './auth.ts';
import { AwsError } from './errors.ts';
import type { ServiceModel } from './model/types.ts';
import type { Principal } from './operation.ts';
import type { WireRequest } from './protocol/types.ts';
import { isRegion } from './regions.ts';
import {
  credentialScope, SignatureError, signatureErrorCode, SignatureMessages, verifyRequest,
  type CredentialScope, type SignatureErrorKind, type SignatureFamily,
} from './sigv4/index.ts';

export interface AuthenticationOptions {
  /** `wharf dev`: an unknown access key acts as the account root, without verification. */
  unknownKeysAsRoot: boolean;
  /** The account unknown keys act in (dev). */
  account: string;
}

/** Who the request is from and the region it acts in. */
export interface Authenticated {
  principal: Principal;
  region: string;
}

/** The root of `account`, as an unknown key in dev mode acts. */
export function rootPrincipal(account: string, accessKeyId?: string): Principal {
  return { arn: `arn:aws:iam::${account}:root`, account, userId: account, kind: 'root', accessKeyId };
}

const FAMILY: Record<ServiceModel['metadata']['protocol'], SignatureFamily> = {
  awsJson1_0: 'json', awsJson1_1: 'json', awsQuery: 'query', ec2Query: 'ec2', restJson1: 'rest-json', restXml: 'rest-xml',
};

/** The AWS error for a signature failure, as the request's protocol words it. */
export function signatureError(model: ServiceModel, kind: SignatureErrorKind, message: string): AwsError {
  const wire = signatureErrorCode(kind, FAMILY[model.metadata.protocol]);
  return new AwsError(wire.code, wire.message ?? message, wire.status);
}

/**
 * Verifies the request's signature and says who made it. `scope` is the request's credential
 * scope (undefined when it is unsigned or malformed); the pipeline passes the one routing read.
 */
export async function authenticate(
  wire: WireRequest, model: ServiceModel, authority: Authority, options: AuthenticationOptions, now: number,
  scope: CredentialScope | undefined = credentialScope(wire.headers.authorization, wire.query),
): Promise<Authenticated> {
  if (!scope) {
    // Unsigned or malformed: the verifier words the refusal as AWS does.
    await verify(wire, model, (id, token) => authority.findSigningKey(id, token, now), now);
    throw signatureError(model, 'MissingAuthenticationToken', SignatureMessages.missingToken);
  }
  if (!isRegion(scope.region)) {
    throw signatureError(model, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${scope.region}'. `.trim());
  }
  if (scope.service !== model.metadata.signingName) {
    throw signatureError(model, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${model.metadata.signingName}'. `.trim());
  }
  const sessionToken = wire.headers['x-amz-security-token'] ?? wire.query.get('X-Amz-Security-Token') ?? undefined;
  let first: KeyLookup | undefined = await authority.findSigningKey(scope.accessKeyId, sessionToken, now);
  if (first.status === 'unknown' && options.unknownKeysAsRoot && sessionToken === undefined) {
    return { principal: rootPrincipal(options.account, scope.accessKeyId), region: scope.region };
  }
  const principal = await verify(wire, model, async (id, token) => {
    // The first lookup answers the verifier's own, so a request costs one.
    if (first && id === scope.accessKeyId && token === sessionToken) {
      const found = first;
      first = undefined;
      return found;
    }
    return authority.findSigningKey(id, token, now);
  }, now);
  return { principal, region: scope.region };
}

/** Runs the verifier, turning its refusals into the protocol's errors. */
async function verify(
  wire: WireRequest, model: ServiceModel, lookup: (id: string, token: string | undefined) => Promise<KeyLookup>, now: number,
): Promise<Principal> {
  try {
    const verified = await verifyRequest(wire, lookup, { now, service: model.metadata.signingName });
    return verified.key.principal;
  } catch (error) {
    if (error instanceof SignatureError) throw signatureError(model, error.kind, error.message);
    throw error;
  }
}
