/**
 * Wharf's certificate authority: one per Wharf (every account and region issues from it), so an
 * operator trusts one root for everything the installation's load balancers serve. Made on first
 * use (the control plane asks at start, to write the root where the operator finds it), kept in
 * the store with its key sealed, shared by replicas; a race to make it keeps the first written.
 * It signs RequestCertificate's leaves: X.509 v3, the domain as subject CN and every name as a
 * DNS SAN, KeyUsage and ExtendedKeyUsage serverAuth, valid 395 days as ACM's are.
 */
import { X509Certificate, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AwsError } from '../aws/index.ts';
import type { Clock, Ids, Sealer } from '../common/index.ts';
import { getDoc, transact, type Store } from '../state/index.ts';
import { AUTHORITY_SEAL_CONTEXT, keys, type AuthorityRecord, type KeyAlgorithm } from './records.ts';
import { KEY_USAGE_BITS, OID, buildCertificate, toPem, type NameAttribute } from './x509.ts';

/** What the authority runs on. */
export interface AuthorityEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  sealer: Sealer;
}

/** The authority, opened: its root certificate (PEM and parsed) and its key. */
export interface Authority {
  record: AuthorityRecord;
  certificate: X509Certificate;
  name: NameAttribute[];
  key: KeyObject;
}

const DAY = 86_400_000;

/** How long the root is valid: ten years, past any leaf it signs. */
const ROOT_VALIDITY_MS = 3650 * DAY;

/** How long a leaf is valid: 395 days (13 months), as ACM's. */
export const LEAF_VALIDITY_MS = 395 * DAY;

/** A positive serial of 16 random octets (RFC 5280: positive, at most 20 octets). */
export function randomSerial(ids: Ids): Buffer {
  const serial = Buffer.from(ids.hex32(), 'hex');
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

/** Whole seconds: a certificate's times have no fractions. */
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The root's distinguished name; `tag` tells installations apart in trust stores. */
const rootName = (tag: string): NameAttribute[] => [{ type: 'O', value: 'Wharf' }, { type: 'OU', value: 'Certificate Manager' }, { type: 'CN', value: `Wharf ACM Root ${tag}` }];

/** A new root: RSA 2048 (the widest-trusted kind), self-signed, sealed. */
async function makeAuthority(env: AuthorityEnv): Promise<AuthorityRecord> {
  const now = seconds(env.clock.now());
  const { publicKey, privateKey } = await generateKey('RSA_2048');
  const name = rootName(env.ids.hex32().slice(0, 8));
  const der = buildCertificate({
    serial: randomSerial(env.ids), subject: name, issuer: name, notBefore: now - 60 * 60_000, notAfter: now + ROOT_VALIDITY_MS,
    publicKey, issuerPublicKey: publicKey, ca: true,
    keyUsage: [KEY_USAGE_BITS.digitalSignature, KEY_USAGE_BITS.keyCertSign, KEY_USAGE_BITS.cRLSign],
  }, privateKey);
  return {
    certificatePem: toPem(der),
    sealedKey: env.sealer.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, AUTHORITY_SEAL_CONTEXT),
    createdAt: now,
  };
}

/** Opens a stored authority with the sealer. */
function open(env: AuthorityEnv, record: AuthorityRecord): Authority {
  const certificate = new X509Certificate(record.certificatePem);
  const cn = certificate.subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
  return {
    record, certificate, name: rootName(cn.slice('Wharf ACM Root '.length)),
    key: createPrivateKey(env.sealer.open(record.sealedKey, AUTHORITY_SEAL_CONTEXT).toString('utf8')),
  };
}

/**
 * The authority's record, made and stored on first use (one per Wharf). Its key is not opened
 * here: a control plane whose sealing key is not the one it was sealed with (a store restored
 * elsewhere) still starts and serves the root; only issuing needs the key.
 */
export async function ensureAuthority(env: AuthorityEnv): Promise<AuthorityRecord> {
  const stored = await getDoc<AuthorityRecord>(env.store, keys.authority());
  if (stored) return stored.value;
  const made = await makeAuthority(env);
  return transact(env.store, async (tx) => {
    const raced = await tx.get<AuthorityRecord>(keys.authority());
    if (raced) return raced;
    tx.put(keys.authority(), made);
    return made;
  });
}

/** The authority opened for issuing (made on first use). */
export async function issuingAuthority(env: AuthorityEnv): Promise<Authority> {
  const record = await ensureAuthority(env);
  try {
    return open(env, record);
  } catch (error) {
    throw new AwsError('InternalFailure', `The certificate authority's key cannot be opened with this control plane's sealing key: ${error instanceof Error ? error.message : String(error)}`, 500);
  }
}

/** Puts a known authority back when the store has none (after the dev mode's reset), so the root operators trust stays the same. */
export async function restoreAuthority(store: Store, record: AuthorityRecord): Promise<void> {
  await transact(store, async (tx) => {
    if (!(await tx.get<AuthorityRecord>(keys.authority()))) tx.put(keys.authority(), record);
  });
}

const generate = promisify(generateKeyPair);

/** A fresh key pair of ACM's `algorithm`, made off the event loop (an RSA key takes a while). */
export function generateKey(algorithm: KeyAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (algorithm.startsWith('RSA_')) return generate('rsa', { modulusLength: Number(algorithm.slice(4)) });
  return generate('ec', { namedCurve: algorithm.slice(3) });
}

/** What a leaf is issued for. */
export interface LeafRequest {
  /** The subject's CN; first of `names`. */
  domainName: string;
  names: string[];
  keyAlgorithm: KeyAlgorithm;
  serial: Buffer;
  now: number;
}

/** A leaf signed by the authority, with its new private key (PKCS #8 PEM, for sealing at once). */
export async function issueLeaf(authority: Authority, req: LeafRequest): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const { publicKey, privateKey } = await generateKey(req.keyAlgorithm);
  const notBefore = seconds(req.now);
  const der = buildCertificate({
    serial: req.serial, subject: [{ type: 'CN', value: req.domainName }], issuer: authority.name,
    notBefore, notAfter: notBefore + LEAF_VALIDITY_MS, publicKey, issuerPublicKey: authority.certificate.publicKey, ca: false,
    keyUsage: publicKey.asymmetricKeyType === 'rsa' ? [KEY_USAGE_BITS.digitalSignature, KEY_USAGE_BITS.keyEncipherment] : [KEY_USAGE_BITS.digitalSignature],
    extendedKeyUsage: [OID.serverAuth], dnsNames: req.names,
  }, authority.key);
  return { certificatePem: toPem(der), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
