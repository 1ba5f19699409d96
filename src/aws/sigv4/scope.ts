/**
 * What Wharf reads from an AWS Signature Version 4 request before verifying it: the credential
 * scope names the access key, the region and the service, which routing needs before anything
 * else (the verifier in `verify.ts` checks the signature itself).
 */

/** The parts of a SigV4 credential scope: `AKID/20261123/us-east-1/ecs/aws4_request`. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const AUTH = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$/i;

function parseScope(credential: string): CredentialScope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1])) return undefined;
  const [accessKeyId, date, region, service] = parts;
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}

/**
 * The credential scope of a signed request: from the `Authorization` header, or from the
 * `X-Amz-Credential` query parameter of a presigned URL. Undefined when the request is unsigned
 * or the header is not a well-formed SigV4 header.
 */
export function credentialScope(authorization: string | undefined, query?: URLSearchParams): CredentialScope | undefined {
  if (authorization) {
    const m = AUTH.exec(authorization.trim());
    return m ? parseScope(m[1]) : undefined;
  }
  const credential = query?.get('X-Amz-Credential');
  return credential ? parseScope(credential) : undefined;
}
