/**
 * Certificates as stored: one record per certificate with what DescribeCertificate shows, its
 * PEM certificate and chain, and its private key sealed (never in clear); the certificate
 * authority Wharf issues from, one per Wharf, its key sealed too; idempotency tokens of
 * RequestCertificate; each account's ACM configuration. Records are not API shapes: timestamps
 * are epoch ms; the ACM adapter (`services/acm`) turns them into the API's.
 */

/** Every certificate belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a certificate (ACM's tag value is optional). */
export interface CertificateTag {
  key: string;
  value?: string;
}

/** ACM's certificate statuses. */
export type CertificateStatus = 'PENDING_VALIDATION' | 'ISSUED' | 'INACTIVE' | 'EXPIRED' | 'VALIDATION_TIMED_OUT' | 'REVOKED' | 'FAILED';

/** ACM's key algorithms. */
export type KeyAlgorithm = 'RSA_1024' | 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'EC_prime256v1' | 'EC_secp384r1' | 'EC_secp521r1';

/** The key algorithms RequestCertificate issues with (RSA_2048 by default). */
export const REQUESTABLE_KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'];

/** How ownership of a domain is (here: was at once) validated. */
export type ValidationMethod = 'DNS' | 'EMAIL';

/** One domain of a certificate and how it was validated. */
export interface DomainValidationRecord {
  domainName: string;
  validationDomain: string;
  validationMethod: ValidationMethod;
  /** DNS: the CNAME record ACM would have asked for. */
  resourceRecord?: { name: string; type: 'CNAME'; value: string };
  /** EMAIL: the addresses ACM would have written to. */
  validationEmails?: string[];
}

/** An extended key usage: ACM's name and the OID. */
export interface ExtendedKeyUsageRecord {
  name: string;
  oid: string;
}

/** What DescribeCertificate shows of a certificate, read from it. */
export interface CertificateFacts {
  domainName: string;
  subjectAlternativeNames: string[];
  keyAlgorithm: KeyAlgorithm;
  /** ACM's spelling, e.g. SHA256WITHRSA. */
  signatureAlgorithm: string;
  /** Colon-separated hex octets, as ACM shows a serial. */
  serial: string;
  subject: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  keyUsages: string[];
  extendedKeyUsages: ExtendedKeyUsageRecord[];
}

/** A certificate: everything DescribeCertificate shows, its PEMs, and its private key sealed. */
export interface CertificateRecord extends CertificateFacts {
  arn: string;
  id: string;
  type: 'IMPORTED' | 'AMAZON_ISSUED';
  /** As stored; an ISSUED certificate past its NotAfter reads as EXPIRED. */
  status: CertificateStatus;
  createdAt: number;
  importedAt?: number;
  issuedAt?: number;
  inUseBy: string[];
  domainValidation: DomainValidationRecord[];
  transparencyLogging: 'ENABLED' | 'DISABLED';
  exportOption: 'ENABLED' | 'DISABLED';
  exported?: boolean;
  renewal?: { status: 'SUCCESS'; updatedAt: number };
  tags: CertificateTag[];
  certificatePem: string;
  /** The issuer's certificates, leaf's issuer first; for a certificate Wharf issued, its root. */
  chainPem?: string;
  /** The private key (PKCS #8 PEM), sealed for the certificate's ARN. */
  sealedKey: string;
}

/** The certificate authority Wharf issues from: its root certificate and its key, sealed. */
export interface AuthorityRecord {
  certificatePem: string;
  sealedKey: string;
  createdAt: number;
}

/** A RequestCertificate idempotency token: the certificate it made, for one hour. */
export interface TokenRecord {
  arn: string;
  expiresAt: number;
}

/** ACM's account configuration (per account and region). */
export interface ConfigurationRecord {
  daysBeforeExpiry: number;
}

/** The context a certificate's private key is sealed for: it cannot be opened as another's. */
export const keySealContext = (arn: string): string => `acm:${arn}#private-key`;

/** The context the authority's key is sealed for. */
export const AUTHORITY_SEAL_CONTEXT = 'acm:authority#private-key';

/** Where the records live. */
export const keys = {
  authority: () => 'acm/authority',
  certificates: (s: Scope) => `acm/${s.account}/${s.region}/certificate/`,
  certificate: (s: Scope, id: string) => `acm/${s.account}/${s.region}/certificate/${id}`,
  token: (s: Scope, token: string) => `acm/${s.account}/${s.region}/token/${token}`,
  configuration: (s: Scope) => `acm/${s.account}/${s.region}/configuration`,
};

/** `arn:aws:acm:<region>:<account>:certificate/<uuid>`. */
export const certificateArn = (s: Scope, id: string): string => `arn:aws:acm:${s.region}:${s.account}:certificate/${id}`;

const ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;

/** The scope and id a certificate ARN names, or undefined for a string that is not one. */
export function parseCertificateArn(arn: string): { scope: Scope; id: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { scope: { region: m[1]!, account: m[2]! }, id: m[3]! } : undefined;
}
