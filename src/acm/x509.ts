/**
 * X.509 v3 certificates built from parts (RFC 5280 section 4.1): the TBSCertificate encoded with
 * `der.ts`, signed with the issuer's key by node's crypto (sha256WithRSAEncryption for RSA,
 * ecdsa-with-SHA256/384 for EC), wrapped as a Certificate. Used for Wharf's root certificate
 * and the leaves it issues for RequestCertificate. Pure apart from the signature.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  bitString, boolean, children, explicit, implicit, integer, namedBits, nul, octetString, oid, printableString, read, sequence, set, time, utf8String,
} from './der.ts';

/** Object identifiers the certificates use. */
export const OID = {
  commonName: '2.5.4.3', organizationName: '2.5.4.10', countryName: '2.5.4.6', organizationalUnitName: '2.5.4.11',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11', ecdsaWithSha256: '1.2.840.10045.4.3.2', ecdsaWithSha384: '1.2.840.10045.4.3.3',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14', authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage's bit numbers (RFC 5280 section 4.2.1.3). */
export const KEY_USAGE_BITS = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8,
} as const;

/** One attribute of a distinguished name. */
export type NameAttribute = { type: 'C' | 'O' | 'OU' | 'CN'; value: string };

/** What a certificate says: its names, serial, validity, key, and the extensions Wharf writes. */
export interface CertificateTemplate {
  /** Positive, at most 20 octets (RFC 5280 section 4.1.2.2). */
  serial: Buffer;
  subject: NameAttribute[];
  issuer: NameAttribute[];
  notBefore: number;
  notAfter: number;
  /** The subject's public key. */
  publicKey: KeyObject;
  /** The issuer's public key (the subject's own for a self-signed root), for the authority key identifier. */
  issuerPublicKey: KeyObject;
  /** A CA certificate (basicConstraints cA, pathLen 0) or a leaf. */
  ca: boolean;
  /** KeyUsage bit numbers (critical). */
  keyUsage: number[];
  /** ExtendedKeyUsage OIDs (a leaf's). */
  extendedKeyUsage?: string[];
  /** subjectAltName dNSNames (a leaf's). */
  dnsNames?: string[];
}

const ATTRIBUTE_OID = { C: OID.countryName, O: OID.organizationName, OU: OID.organizationalUnitName, CN: OID.commonName } as const;

/** Name ::= SEQUENCE OF RelativeDistinguishedName, one attribute per RDN; countries as PrintableString, the rest UTF8String. */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  return sequence(...attributes.map((a) => set(sequence(oid(ATTRIBUTE_OID[a.type]), a.type === 'C' ? printableString(a.value) : utf8String(a.value)))));
}

/** The subjectPublicKey bits of a key's SubjectPublicKeyInfo. */
function subjectPublicKeyBits(key: KeyObject): Buffer {
  const spki = read(key.export({ type: 'spki', format: 'der' }));
  const bits = children(spki.content)[1]!;
  return bits.content.subarray(1);
}

/** A key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 section 4.2.1.2, method 1). */
export const keyIdentifier = (key: KeyObject): Buffer => createHash('sha1').update(subjectPublicKeyBits(key)).digest();

/** The signature algorithm an issuer's key signs with, and its digest. */
function signatureAlgorithm(issuerKey: KeyObject): { identifier: Buffer; digest: 'sha256' | 'sha384' } {
  if (issuerKey.asymmetricKeyType === 'rsa') return { identifier: sequence(oid(OID.sha256WithRSAEncryption), nul()), digest: 'sha256' };
  if (issuerKey.asymmetricKeyType === 'ec') {
    const curve = issuerKey.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' || curve === 'secp521r1'
      ? { identifier: sequence(oid(OID.ecdsaWithSha384)), digest: 'sha384' }
      : { identifier: sequence(oid(OID.ecdsaWithSha256)), digest: 'sha256' };
  }
  throw new RangeError(`Cannot sign with a ${issuerKey.asymmetricKeyType} key.`);
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }. */
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

/** The extensions of `t`, in a stable order. */
function extensions(t: CertificateTemplate): Buffer {
  const list: Buffer[] = [
    extension(OID.basicConstraints, true, t.ca ? sequence(boolean(true), integer(0)) : sequence()),
    extension(OID.keyUsage, true, namedBits(t.keyUsage)),
  ];
  if (t.extendedKeyUsage?.length) list.push(extension(OID.extKeyUsage, false, sequence(...t.extendedKeyUsage.map(oid))));
  if (t.dnsNames?.length) list.push(extension(OID.subjectAltName, false, sequence(...t.dnsNames.map((n) => implicit(2, Buffer.from(n, 'ascii'))))));
  list.push(extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(t.publicKey))));
  list.push(extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyIdentifier(t.issuerPublicKey)))));
  return explicit(3, sequence(...list));
}

/** The TBSCertificate of `t`, as the issuer's key will sign it. */
export function tbsCertificate(t: CertificateTemplate, signatureAlgorithmIdentifier: Buffer): Buffer {
  return sequence(
    explicit(0, integer(2)),
    integer(t.serial),
    signatureAlgorithmIdentifier,
    encodeName(t.issuer),
    sequence(time(t.notBefore), time(t.notAfter)),
    encodeName(t.subject),
    t.publicKey.export({ type: 'spki', format: 'der' }),
    extensions(t),
  );
}

/** The certificate `t` signed with `issuerKey` (a private key), in DER. */
export function buildCertificate(t: CertificateTemplate, issuerKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(issuerKey);
  const tbs = tbsCertificate(t, algorithm.identifier);
  const signature = sign(algorithm.digest, tbs, issuerKey.asymmetricKeyType === 'ec' ? { key: issuerKey, dsaEncoding: 'der' } : issuerKey);
  return sequence(tbs, algorithm.identifier, bitString(signature));
}

/** DER as PEM with `label`, in 64-character lines. */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const body = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
