/**
 * EC2 instance identity documents signed by Wharf, as EC2 signs them: the document (JSON, the
 * fields the instance metadata service gives at /latest/dynamic/instance-identity/document)
 * and its signature (base64 RSA SHA-256, as at .../instance-identity/signature) by one RSA key
 * per Wharf, kept in the store so every replica signs and verifies with it. ECS's
 * RegisterContainerInstance verifies a signature given with a document; the hosts of Wharf's
 * instances get theirs in their data directory.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../common/index.ts';
import { transact, type Store } from '../state/index.ts';

const KEY = 'iam/instance-identity-key';

interface IdentityKeyRecord {
  privateKeyPem: string;
  createdAt: number;
}

/** What an instance's identity document says. */
export interface InstanceIdentityFields {
  accountId: string;
  region: string;
  availabilityZone: string;
  instanceId: string;
  instanceType: string;
  imageId: string;
  privateIp: string;
  architecture: string;
  /** When the instance was launched (ms). */
  pendingTime: number;
}

/** The document as the metadata service gives it: the same field names and order. */
export function instanceIdentityDocument(f: InstanceIdentityFields): string {
  return JSON.stringify({
    accountId: f.accountId,
    architecture: f.architecture,
    availabilityZone: f.availabilityZone,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: f.imageId,
    instanceId: f.instanceId,
    instanceType: f.instanceType,
    kernelId: null,
    pendingTime: new Date(f.pendingTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    privateIp: f.privateIp,
    ramdiskId: null,
    region: f.region,
    version: '2017-09-30',
  }, null, 2);
}

/** Signs and verifies identity documents with Wharf's key. */
export class InstanceIdentitySigner {
  private readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
  }

  /** The public key (PEM) that verifies the signatures, for whoever checks a document. */
  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The document's signature: base64 RSA SHA-256. */
  sign(document: string): string {
    return sign('sha256', Buffer.from(document), this.privateKey).toString('base64');
  }

  /** Whether `signature` is this Wharf's signature of `document` (whitespace in the base64 ignored). */
  verify(document: string, signature: string): boolean {
    const bytes = Buffer.from(signature.replace(/\s+/g, ''), 'base64');
    if (!bytes.length) return false;
    try {
      return verify('sha256', Buffer.from(document), this.publicKey, bytes);
    } catch {
      return false;
    }
  }
}

/** Wharf's identity document key: read from the store, made on first use. */
export async function loadInstanceIdentitySigner(store: Store, clock: Clock): Promise<InstanceIdentitySigner> {
  const record = await transact(store, async (tx) => {
    const existing = await tx.get<IdentityKeyRecord>(KEY);
    if (existing) return existing;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const created: IdentityKeyRecord = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), createdAt: clock.now() };
    tx.put(KEY, created);
    return created;
  });
  return new InstanceIdentitySigner(createPrivateKey(record.privateKeyPem));
}
