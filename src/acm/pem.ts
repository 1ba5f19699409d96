/**
 * Reading certificates and keys as ACM does on ImportCertificate: PEM blocks parsed with node's
 * X509Certificate and createPrivateKey, ACM's refusals (more than one certificate, bad PEM, an
 * encrypted or unsupported key, a key that does not match, a certificate out of its validity or
 * not signed by its chain), and what DescribeCertificate shows of a certificate, read from its DER.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { bitsSet, children, oidText, read } from './der.ts';
import { AcmErrors } from './errors.ts';
import type { CertificateFacts, ExtendedKeyUsageRecord, KeyAlgorithm } from './records.ts';
import { OID } from './x509.ts';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The PEM blocks of `text` with their labels. */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1]!, pem: `${m[0]}\n` }));
}

const KEY_USAGE_NAMES = ['DIGITAL_SIGNATURE', 'NON_REPUDIATION', 'KEY_ENCIPHERMENT', 'DATA_ENCIPHERMENT', 'KEY_AGREEMENT', 'CERTIFICATE_SIGNING', 'CRL_SIGNING', 'ENCIPHER_ONLY', 'DECIPHER_ONLY'];

const EKU_NAMES: Record<string, string> = {
  [OID.serverAuth]: 'TLS_WEB_SERVER_AUTHENTICATION', [OID.clientAuth]: 'TLS_WEB_CLIENT_AUTHENTICATION', '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION', '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING', '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING', '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM',
  '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL', '1.3.6.1.5.5.7.3.7': 'IPSEC_USER', '2.5.29.37.0': 'ANY',
};

const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA1WITHRSA', '1.2.840.113549.1.1.11': 'SHA256WITHRSA', '1.2.840.113549.1.1.12': 'SHA384WITHRSA', '1.2.840.113549.1.1.13': 'SHA512WITHRSA',
  '1.2.840.10045.4.1': 'SHA1WITHECDSA', '1.2.840.10045.4.3.2': 'SHA256WITHECDSA', '1.2.840.10045.4.3.3': 'SHA384WITHECDSA', '1.2.840.10045.4.3.4': 'SHA512WITHECDSA',
};

const CURVES: Record<string, KeyAlgorithm> = { prime256v1: 'EC_prime256v1', secp384r1: 'EC_secp384r1', secp521r1: 'EC_secp521r1' };

/** ACM's key algorithm of a key, or undefined for one ACM does not take (Ed25519, RSA 8192, other curves). */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && [1024, 2048, 3072, 4096].includes(details?.modulusLength ?? 0)) return `RSA_${details!.modulusLength}` as KeyAlgorithm;
  if (key.asymmetricKeyType === 'ec') return CURVES[details?.namedCurve ?? ''];
  return undefined;
}

/** The extensions of a certificate's DER, by OID: their extnValue contents. */
function extensionsOf(der: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const tbs = children(read(der).content)[0]!;
  const wrapper = children(tbs.content).find((e) => e.tag === 0xa3);
  if (!wrapper) return out;
  for (const ext of children(read(wrapper.content).content)) {
    const parts = children(ext.content);
    out.set(oidText(parts[0]!.content), parts[parts.length - 1]!.content);
  }
  return out;
}

/** `AB01FF` → `ab:01:ff`. */
const colonHex = (hex: string): string => (hex.length % 2 ? `0${hex}` : hex).toLowerCase().match(/../g)!.join(':');

/** A distinguished name as ACM shows it: `C=US,O=Example,CN=www.example.com`. */
const nameText = (name: string): string => name.split('\n').filter(Boolean).join(',');

/** The attribute `type` of a name in node's multi-line form. */
const attribute = (name: string, type: string): string | undefined =>
  name.split('\n').find((l) => l.startsWith(`${type}=`))?.slice(type.length + 1);

/** The facts of a parsed certificate. */
export function factsOf(cert: X509Certificate): CertificateFacts {
  const der = cert.raw;
  const extensions = extensionsOf(der);
  const sans = (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const cn = attribute(cert.subject, 'CN');
  const domainName = cn ?? sans[0] ?? '';
  const keyUsage = extensions.get(OID.keyUsage);
  const sigOid = oidText(children(children(read(der).content)[1]!.content)[0]!.content);
  return {
    domainName,
    subjectAlternativeNames: sans.length ? sans : domainName ? [domainName] : [],
    keyAlgorithm: keyAlgorithmOf(cert.publicKey) ?? 'RSA_2048',
    signatureAlgorithm: SIGNATURE_NAMES[sigOid] ?? sigOid,
    serial: colonHex(cert.serialNumber),
    subject: nameText(cert.subject),
    issuer: attribute(cert.issuer, 'O') ?? attribute(cert.issuer, 'CN') ?? nameText(cert.issuer),
    notBefore: new Date(cert.validFrom).getTime(),
    notAfter: new Date(cert.validTo).getTime(),
    keyUsages: keyUsage ? bitsSet(read(keyUsage).content).map((b) => KEY_USAGE_NAMES[b] ?? 'CUSTOM') : [],
    extendedKeyUsages: (cert.keyUsage ?? []).map((o) => ({ name: EKU_NAMES[o] ?? 'CUSTOM', oid: o })),
  };
}

/** What ImportCertificate takes, checked: the certificate, its chain, its key (PKCS #8 PEM) and their facts. */
export interface ImportedMaterial {
  certificatePem: string;
  chainPem?: string;
  privateKeyPem: string;
  facts: CertificateFacts;
}

/** Checks ImportCertificate's certificate, key and chain as ACM does, at time `now`. */
export function readImport(certificate: Buffer, privateKey: Buffer, chain: Buffer | undefined, now: number): ImportedMaterial {
  const certBlocks = pemBlocks(certificate.toString('utf8')).filter((b) => b.label === 'CERTIFICATE');
  if (certBlocks.length > 1) throw AcmErrors.validation('The certificate field contains more than one certificate. You can specify only one certificate in this field.');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certBlocks[0]?.pem ?? '');
  } catch {
    throw AcmErrors.validation('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  }
  const keyText = privateKey.toString('utf8');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyText)) throw AcmErrors.validation('The private key should not be encrypted.');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyText, format: 'pem' });
  } catch {
    throw AcmErrors.validation('The private key is not supported.');
  }
  if (!keyAlgorithmOf(key) || !keyAlgorithmOf(cert.publicKey)) throw AcmErrors.validation('The private key is not supported.');
  if (!cert.checkPrivateKey(key)) throw AcmErrors.validation('The private key does not match the certificate.');
  const chainCerts: X509Certificate[] = [];
  if (chain !== undefined) {
    const blocks = pemBlocks(chain.toString('utf8'));
    try {
      if (blocks.length === 0 || blocks.some((b) => b.label !== 'CERTIFICATE')) throw new Error('not certificates');
      for (const b of blocks) chainCerts.push(new X509Certificate(b.pem));
    } catch {
      throw AcmErrors.validation('The certificate chain provided is not in a valid PEM format.');
    }
    if (!chainCerts.some((c) => cert.checkIssued(c) && cert.verify(c.publicKey))) throw AcmErrors.validation('Could not validate the certificate with the certificate chain.');
  }
  const facts = factsOf(cert);
  if (now < facts.notBefore) throw AcmErrors.validation('The certificate is not valid yet: the current time is before its Not Before date.');
  if (now > facts.notAfter) throw AcmErrors.validation('The certificate has expired: the current time is after its Not After date.');
  if (!cert.issuer) throw AcmErrors.validation('The certificate\'s Issuer field must not be empty.');
  return {
    certificatePem: cert.toString(),
    ...(chainCerts.length ? { chainPem: chainCerts.map((c) => c.toString()).join('') } : {}),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    facts,
  };
}
