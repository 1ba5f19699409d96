/**
 * The ACM domain: certificates requested (issued at once by Wharf's own certificate authority)
 * or imported, their private keys sealed at rest, tags and account configuration; the authority
 * (one per Wharf) whose root operators trust; and what the load balancers use — a certificate's
 * chain and key for serving, and the InUseBy marks of their listeners. The ACM adapter
 * (`services/acm`) is its API; nothing here reads a request or shapes a response.
 */
export {
  AUTHORITY_SEAL_CONTEXT, REQUESTABLE_KEY_ALGORITHMS, certificateArn, keySealContext, keys, parseCertificateArn,
  type AuthorityRecord, type CertificateRecord, type CertificateStatus, type CertificateTag, type ConfigurationRecord, type DomainValidationRecord,
  type ExtendedKeyUsageRecord, type KeyAlgorithm, type Scope, type ValidationMethod,
} from './records.ts';
export { AcmErrors } from './errors.ts';
export { LEAF_VALIDITY_MS, ensureAuthority, issuingAuthority, restoreAuthority, type Authority, type AuthorityEnv } from './authority.ts';
export {
  DEFAULT_KEY_TYPES, MAX_CERTIFICATES, MAX_DOMAINS, certificateByArn, deleteCertificate, describeCertificate, exportCertificate, getCertificate, importCertificate,
  keyPairOrigin, listCertificates, modifyCertificate, renewCertificate, requestCertificate, statusAt,
  type AcmEnv, type ImportCertificateRequest, type ListCertificatesRequest, type RequestCertificateRequest,
} from './certificates.ts';
export { DEFAULT_DAYS_BEFORE_EXPIRY, MAX_TAGS, accountConfiguration, checkTags, putAccountConfiguration, withTags, withoutTags } from './tags.ts';
export {
  certificateForServing, certificateResourceInfo, coversName, issuedBy, markCertificateUse, setCertificateInUse, type CertificateResourceInfo, type ServingCertificate,
} from './serving.ts';
