/**
 * Which secret a SecretId names, and which secrets ListSecrets' filters pass: pure. A SecretId
 * is a name, a full ARN, or a partial ARN (one without the six-character random suffix).
 */
import { partialArn, type Scope, type SecretRecord } from './records.ts';

/** A name the secret could be stored under, and whether the record found there is the one meant. */
export interface Candidate {
  name: string;
  matches: (record: SecretRecord) => boolean;
}

const ARN_PREFIX = 'arn:aws:secretsmanager:';

/** Where to look for the secret `secretId` names, in order. */
export function candidatesFor(scope: Scope, secretId: string): Candidate[] {
  if (!secretId.startsWith(ARN_PREFIX)) return [{ name: secretId, matches: () => true }];
  const secretPrefix = `${partialArn(scope, '')}`;
  if (!secretId.startsWith(secretPrefix)) return [];
  const rest = secretId.slice(secretPrefix.length);
  const out: Candidate[] = [];
  // A full ARN: the name, then `-` and six characters.
  if (/-[A-Za-z0-9]{6}$/.test(rest)) out.push({ name: rest.slice(0, -7), matches: (r) => r.arn === secretId });
  // A partial ARN: the name alone.
  if (rest.length > 0) out.push({ name: rest, matches: (r) => partialArn(scope, r.name) === secretId });
  return out;
}

/** One of ListSecrets' filters. */
export interface SecretFilter {
  key: string;
  values: string[];
}

/** Words as Secrets Manager splits a search: at any change of case, letter to digit, or punctuation. */
export function words(text: string): string[] {
  return text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g)?.map((w) => w.toLowerCase()) ?? [];
}

const startsWithCi = (text: string, prefix: string) => text.toLowerCase().startsWith(prefix.toLowerCase());

/** Whether one filter value (without `!`) matches the secret. */
function matchesValue(record: SecretRecord, key: string, value: string): boolean {
  switch (key) {
    case 'name': return record.name.startsWith(value);
    case 'description': {
      const d = record.description ?? '';
      return startsWithCi(d, value) || d.split(/\s+/).some((w) => startsWithCi(w, value));
    }
    case 'tag-key': return record.tags.some((t) => t.key.startsWith(value));
    case 'tag-value': return record.tags.some((t) => t.value.startsWith(value));
    case 'primary-region':
    case 'owning-service': return false;
    case 'all': {
      const haystack = [record.name, record.description ?? '', ...record.tags.flatMap((t) => [t.key, t.value])].flatMap(words);
      return words(value).some((w) => haystack.some((h) => h.startsWith(w)));
    }
    default: return false;
  }
}

/** Every filter passes: one of its values matches, and none of its `!` values does. */
export function matchesFilters(record: SecretRecord, filters: readonly SecretFilter[]): boolean {
  return filters.every((f) => {
    const positive = f.values.filter((v) => !v.startsWith('!'));
    const negative = f.values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
    if (negative.some((v) => matchesValue(record, f.key, v))) return false;
    return positive.length === 0 || positive.some((v) => matchesValue(record, f.key, v));
  });
}
