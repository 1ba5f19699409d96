/**
 * Tags on certificates (AddTagsToCertificate, RemoveTagsFromCertificate) and ACM's account
 * configuration (GetAccountConfiguration, PutAccountConfiguration).
 */
import { getDoc, transact, type Store } from '../state/index.ts';
import { AcmErrors } from './errors.ts';
import { keys, type CertificateRecord, type CertificateTag, type ConfigurationRecord, type Scope } from './records.ts';

/** Tags one certificate may carry. */
export const MAX_TAGS = 50;

/** Refuses tags ACM refuses: `aws:` keys, and more than 50. */
export function checkTags(tags: readonly CertificateTag[]): void {
  if (tags.some((t) => t.key.toLowerCase().startsWith('aws:'))) throw AcmErrors.invalidTag('Tag keys beginning with aws: are reserved for AWS use.');
  if (new Set(tags.map((t) => t.key)).size > MAX_TAGS) throw AcmErrors.tooManyTags(`A certificate can have at most ${MAX_TAGS} tags.`);
}

/** The certificate's tags with `tags` added (a key already there takes the new value). */
export function withTags(record: CertificateRecord, tags: readonly CertificateTag[]): CertificateRecord {
  checkTags(tags);
  const byKey = new Map(record.tags.map((t) => [t.key, t]));
  for (const t of tags) byKey.set(t.key, t);
  if (byKey.size > MAX_TAGS) throw AcmErrors.tooManyTags(`A certificate can have at most ${MAX_TAGS} tags.`);
  return { ...record, tags: [...byKey.values()] };
}

/** The certificate without `tags`: a tag given with a value goes only if its value is that one. */
export function withoutTags(record: CertificateRecord, tags: readonly CertificateTag[]): CertificateRecord {
  checkTags(tags);
  const removes = (t: CertificateTag) => tags.some((r) => r.key === t.key && (r.value === undefined || r.value === (t.value ?? '')));
  return { ...record, tags: record.tags.filter((t) => !removes(t)) };
}

/** ACM's default: expiry events start 45 days before a certificate expires. */
export const DEFAULT_DAYS_BEFORE_EXPIRY = 45;

/** GetAccountConfiguration. */
export async function accountConfiguration(store: Store, scope: Scope): Promise<ConfigurationRecord> {
  return (await getDoc<ConfigurationRecord>(store, keys.configuration(scope)))?.value ?? { daysBeforeExpiry: DEFAULT_DAYS_BEFORE_EXPIRY };
}

/** PutAccountConfiguration: DaysBeforeExpiry from 1 to 45. */
export async function putAccountConfiguration(store: Store, scope: Scope, daysBeforeExpiry: number | undefined): Promise<void> {
  if (daysBeforeExpiry === undefined) return;
  if (!Number.isInteger(daysBeforeExpiry) || daysBeforeExpiry < 1 || daysBeforeExpiry > 45) {
    throw AcmErrors.validation('DaysBeforeExpiry must be an integer from 1 to 45.');
  }
  await transact(store, async (tx) => {
    tx.put<ConfigurationRecord>(keys.configuration(scope), { daysBeforeExpiry });
  });
}
