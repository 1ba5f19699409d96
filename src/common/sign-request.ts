/**
 * Signs an outgoing HTTP request with SigV4, as the AWS SDKs do, for Wharf's own clients that
 * are not AWS API calls: `wharf import-osv-feed` and the agent's link handshake.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, sha256Hex } from './sha256.ts';

/** AWS credentials as the SDKs and the environment give them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An outgoing request, and the credentials, region and API signing name it is signed for. */
export interface RequestToSign {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  credentials: Credentials;
  region: string;
  /** The signing name of the API (`ecs`, `ecr`). */
  service: string;
  /** Signing time (epoch ms); now by default. */
  now?: number;
}

/** The headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256, authorization (and the session token). */
export async function signRequest(r: RequestToSign): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: r.credentials, region: r.region, service: r.service, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  r.url.searchParams.forEach((value, key) => { query[key] = value; });
  const signed = await signer.sign({
    method: r.method,
    protocol: r.url.protocol,
    hostname: r.url.hostname,
    port: r.url.port ? Number(r.url.port) : undefined,
    path: r.url.pathname,
    query,
    headers: { ...r.headers, host: r.url.host, 'x-amz-content-sha256': sha256Hex(r.body ?? '') },
    body: r.body,
  }, { signingDate: new Date(r.now ?? Date.now()) });
  return signed.headers as Record<string, string>;
}
