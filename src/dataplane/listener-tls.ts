/**
 * A secure listener's TLS, shared by the ALB's HTTPS listeners and the NLB's TLS listeners: its
 * ACM certificates (the default first, then those AddListenerCertificates added) chosen by the
 * client's server name (SNI) among the names they cover — the default when none does — and the
 * TLS versions its security policy allows.
 */
import tls from 'node:tls';
import { coversName, type ServingCertificate } from '../acm/index.ts';
import { SSL_POLICIES, type ListenerRecord } from '../lb/index.ts';

/** What node's TLS server is given for one listener. */
export type ListenerTls = tls.SecureContextOptions & {
  SNICallback: (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void;
};

/** Loads a certificate with its key (ACM's port); undefined when it does not exist. */
export type CertificateSource = (arn: string) => Promise<ServingCertificate | undefined>;

const VERSIONS: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * The TLS versions of a security policy, as node takes them. Versions under TLS 1.2 are not
 * offered whatever the policy says: the OpenSSL node is built with refuses them at its default
 * security level.
 */
export function policyVersions(sslPolicy: string | undefined): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } | undefined {
  const policy = SSL_POLICIES.find((p) => p.name === sslPolicy);
  const ranks = (policy?.protocols ?? []).map((p) => VERSIONS.indexOf(p as tls.SecureVersion)).filter((i) => i >= 0);
  if (ranks.length === 0) return undefined;
  return { minVersion: VERSIONS[Math.max(2, Math.min(...ranks))]!, maxVersion: VERSIONS[Math.max(2, ...ranks)]! };
}

/**
 * The listener's TLS options, or undefined (logged) when none of its certificates can be loaded:
 * a secure listener without a certificate stays closed.
 */
export async function listenerTls(listener: ListenerRecord, certificate: CertificateSource | undefined, log: (why: string) => void): Promise<ListenerTls | undefined> {
  const loaded: ServingCertificate[] = [];
  for (const { certificateArn } of listener.certificates) {
    const cert = await certificate?.(certificateArn).catch(() => undefined);
    if (cert) loaded.push(cert);
  }
  const [fallback] = loaded;
  if (!fallback) {
    log(`no certificate to serve ${listener.protocol} on port ${listener.port}; it stays closed`);
    return undefined;
  }
  const contexts = loaded.map((c) => ({ names: c.domainNames, context: tls.createSecureContext({ cert: c.fullChainPem, key: c.privateKeyPem }) }));
  return {
    cert: fallback.fullChainPem, key: fallback.privateKeyPem, ...policyVersions(listener.sslPolicy),
    SNICallback: (servername, cb) => cb(null, (contexts.find((c) => coversName(c.names, servername)) ?? contexts[0]!).context),
  };
}
