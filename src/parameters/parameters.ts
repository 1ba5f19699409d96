/**
 * Parameter Store's operations over the store: put (create or overwrite, a new version each
 * time), get by reference, by name list and by path, describe with filters, history, labels,
 * tags and delete. Every write is one transaction guarded on the record it read; SecureString
 * values are sealed before they reach a record and opened only when asked to decrypt.
 */
import { getDoc, listDocs, transact } from '../state/index.ts';
import type { ParametersEnv } from './env.ts';
import { SsmErrors } from './errors.ts';
import { checkFilters, passes, type StringFilter } from './filters.ts';
import { checkAllowedPattern, checkName, isUnder, normalizePath, parseReference, tierFor } from './names.ts';
import {
  current, DEFAULT_KEY_ID, keys, MAX_TAGS, parameterArn, sealContext,
  type ParameterRecord, type ParameterTag, type ParameterTier, type ParameterType, type ParameterVersionRecord, type Scope,
} from './records.ts';
import { appendVersion, attachLabels, detachLabels, select } from './versions.ts';

/** What PutParameter asks for. */
export interface PutRequest {
  name: string;
  value: string;
  type?: ParameterType;
  description?: string;
  keyId?: string;
  overwrite?: boolean;
  allowedPattern?: string;
  tags?: ParameterTag[];
  tier?: string;
  dataType?: string;
  /** Who writes it (LastModifiedUser). */
  user: string;
}

/** A parameter's value at one version, as GetParameter and its kin show it. */
export interface ParameterView {
  name: string;
  arn: string;
  type: ParameterType;
  value: string;
  version: number;
  selector?: string;
  lastModifiedDate: number;
  dataType: string;
}

/** A parameter's current version without its value, as DescribeParameters shows it. */
export interface MetadataView {
  name: string;
  arn: string;
  type: ParameterType;
  keyId?: string;
  lastModifiedDate: number;
  lastModifiedUser: string;
  description?: string;
  allowedPattern?: string;
  version: number;
  tier: ParameterTier;
  dataType: string;
}

/** One version with its value and labels, as GetParameterHistory shows it. */
export interface HistoryView extends MetadataView {
  value: string;
  labels: string[];
}

const DATA_TYPES = new Set(['text']);

/** A version's value: the plaintext, or for a SecureString without decryption a stand-in ciphertext (never the plaintext). */
function valueOf(env: ParametersEnv, scope: Scope, p: ParameterRecord, v: ParameterVersionRecord, decrypt: boolean): string {
  if (v.type !== 'SecureString') return v.value ?? '';
  if (!decrypt) return Buffer.from(v.sealed ?? '').toString('base64');
  return env.sealer.open(v.sealed ?? '', sealContext(parameterArn(scope, p.name), v.version)).toString('utf8');
}

function metadataOf(scope: Scope, p: ParameterRecord, v: ParameterVersionRecord): MetadataView {
  return {
    name: p.name, arn: parameterArn(scope, p.name), type: v.type,
    ...(v.type === 'SecureString' ? { keyId: v.keyId ?? DEFAULT_KEY_ID } : {}),
    lastModifiedDate: v.lastModifiedDate, lastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { allowedPattern: v.allowedPattern } : {}),
    version: v.version, tier: v.tier, dataType: v.dataType,
  };
}

function viewOf(env: ParametersEnv, scope: Scope, p: ParameterRecord, v: ParameterVersionRecord, decrypt: boolean, selector?: string): ParameterView {
  return {
    name: p.name, arn: parameterArn(scope, p.name), type: v.type, value: valueOf(env, scope, p, v, decrypt), version: v.version,
    ...(selector !== undefined ? { selector } : {}), lastModifiedDate: v.lastModifiedDate, dataType: v.dataType,
  };
}

/** The record a name or ARN (without selector) names, or undefined. */
async function find(env: ParametersEnv, scope: Scope, candidates: readonly string[]): Promise<ParameterRecord | undefined> {
  for (const name of candidates) {
    const doc = await getDoc<ParameterRecord>(env.store, keys.parameter(scope, name));
    if (doc) return doc.value;
  }
  return undefined;
}

/** The stored name a name or ARN refers to (its first candidate when none exists). */
async function nameOf(env: ParametersEnv, scope: Scope, reference: string): Promise<string> {
  const { candidates, selectorText } = parseReference(reference, scope);
  if (selectorText !== undefined || candidates.length === 0) throw SsmErrors.notFound(reference);
  return (await find(env, scope, candidates))?.name ?? candidates[0]!;
}

/** PutParameter: a new parameter (version 1) or, with Overwrite, its next version. */
export async function putParameter(env: ParametersEnv, scope: Scope, request: PutRequest): Promise<{ version: number; tier: ParameterTier }> {
  const name = request.name.trim();
  checkName(name);
  if (request.tags?.length && request.overwrite) {
    throw SsmErrors.validation('Invalid request: tags and overwrite can\'t be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.');
  }
  const dataType = request.dataType ?? 'text';
  if (!DATA_TYPES.has(dataType)) throw SsmErrors.validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  if ((request.tags?.length ?? 0) > MAX_TAGS) throw SsmErrors.tooManyTags();
  const key = keys.parameter(scope, name);
  const arn = parameterArn(scope, name);
  return transact(env.store, async (tx) => {
    const existing = await tx.get<ParameterRecord>(key);
    if (existing && !request.overwrite) throw SsmErrors.alreadyExists();
    const previous = existing ? current(existing) : undefined;
    const type = request.type ?? previous?.type;
    if (!type) throw SsmErrors.validation('A parameter type is required when you create a parameter.');
    const allowedPattern = request.allowedPattern ?? previous?.allowedPattern;
    checkAllowedPattern(allowedPattern, request.value);
    const tier = tierFor(request.tier, previous?.tier, Buffer.byteLength(request.value));
    const version = (previous?.version ?? 0) + 1;
    const description = request.description ?? previous?.description;
    const record: ParameterVersionRecord = {
      version, type,
      ...(type === 'SecureString'
        ? { sealed: env.sealer.seal(request.value, sealContext(arn, version)), keyId: request.keyId ?? (previous?.type === 'SecureString' ? previous.keyId : undefined) ?? DEFAULT_KEY_ID }
        : { value: request.value }),
      ...(description !== undefined ? { description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      tier, dataType, labels: [], lastModifiedDate: env.clock.now(), lastModifiedUser: request.user,
    };
    const base: ParameterRecord = existing ?? { name, versions: [], tags: request.tags ?? [] };
    tx.put(key, { ...base, versions: appendVersion(base, record) });
    return { version, tier };
  });
}

/** GetParameter: the version a name or ARN (with an optional `:version` or `:label`) selects. */
export async function getParameter(env: ParametersEnv, scope: Scope, reference: string, decrypt: boolean): Promise<ParameterView> {
  const ref = parseReference(reference, scope);
  const p = await find(env, scope, ref.candidates);
  if (!p) throw SsmErrors.notFound(reference);
  const v = select(p, ref.selector);
  if (!v) {
    if (ref.selector.kind === 'version') throw SsmErrors.versionNotFound(p.name, ref.selector.version);
    throw SsmErrors.versionNotFound(p.name, ref.selectorText?.slice(1) ?? '');
  }
  return viewOf(env, scope, p, v, decrypt, ref.selectorText);
}

/** GetParameters: the references found, and those that name nothing (InvalidParameters). */
export async function getParameters(env: ParametersEnv, scope: Scope, references: readonly string[], decrypt: boolean): Promise<{ parameters: ParameterView[]; invalid: string[] }> {
  const parameters: ParameterView[] = [];
  const invalid: string[] = [];
  for (const reference of [...new Set(references)]) {
    try {
      parameters.push(await getParameter(env, scope, reference, decrypt));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ParameterNotFound' && code !== 'ParameterVersionNotFound') throw error;
      invalid.push(reference);
    }
  }
  return { parameters, invalid };
}

/** What GetParametersByPath asks for. */
export interface ByPathRequest {
  path: string;
  recursive?: boolean;
  filters?: StringFilter[];
  decrypt: boolean;
}

/** GetParametersByPath: the parameters under a path (one level, or all with Recursive) that pass the filters, by name; a Label filter picks the labelled version. */
export async function getParametersByPath(env: ParametersEnv, scope: Scope, request: ByPathRequest): Promise<ParameterView[]> {
  const path = normalizePath(request.path);
  const filters = request.filters ?? [];
  checkFilters(filters, 'by-path');
  const labels = filters.filter((f) => f.key === 'Label').flatMap((f) => f.values ?? []);
  const under = keys.parameter(scope, path === '/' ? '/' : `${path}/`);
  const all = (await listDocs<ParameterRecord>(env.store, under)).map((d) => d.value);
  const views: ParameterView[] = [];
  for (const p of all) {
    if (!isUnder(p.name, path, request.recursive ?? false) || !passes(p, filters)) continue;
    const v = labels.length ? [...p.versions].reverse().find((x) => x.labels.some((l) => labels.includes(l))) : current(p);
    if (v) views.push(viewOf(env, scope, p, v, request.decrypt));
  }
  return views;
}

/** DescribeParameters: every parameter's current version that passes the filters, by name. */
export async function describeParameters(env: ParametersEnv, scope: Scope, filters: readonly StringFilter[]): Promise<MetadataView[]> {
  checkFilters(filters, 'describe');
  const all = (await listDocs<ParameterRecord>(env.store, keys.parameters(scope))).map((d) => d.value);
  return all.filter((p) => passes(p, filters)).map((p) => metadataOf(scope, p, current(p)));
}

/** GetParameterHistory: every version kept, oldest first, with its labels. */
export async function getParameterHistory(env: ParametersEnv, scope: Scope, reference: string, decrypt: boolean): Promise<HistoryView[]> {
  const { candidates, selectorText } = parseReference(reference, scope);
  const p = selectorText === undefined ? await find(env, scope, candidates) : undefined;
  if (!p) throw SsmErrors.notFound(reference);
  return p.versions.map((v) => ({ ...metadataOf(scope, p, v), value: valueOf(env, scope, p, v, decrypt), labels: [...v.labels] }));
}

/** LabelParameterVersion: labels moved onto a version (the latest when none is given). */
export async function labelParameterVersion(env: ParametersEnv, scope: Scope, reference: string, version: number | undefined, labels: readonly string[]): Promise<{ invalidLabels: string[]; version: number }> {
  const name = await nameOf(env, scope, reference);
  return transact(env.store, async (tx) => {
    const p = await tx.get<ParameterRecord>(keys.parameter(scope, name));
    if (!p) throw SsmErrors.notFound(reference);
    const target = version ?? current(p).version;
    const result = attachLabels(p, target, labels);
    tx.put(keys.parameter(scope, name), { ...p, versions: result.versions });
    return { invalidLabels: result.invalidLabels, version: target };
  });
}

/** UnlabelParameterVersion: labels removed from a version. */
export async function unlabelParameterVersion(env: ParametersEnv, scope: Scope, reference: string, version: number, labels: readonly string[]): Promise<{ removedLabels: string[]; invalidLabels: string[] }> {
  const name = await nameOf(env, scope, reference);
  return transact(env.store, async (tx) => {
    const p = await tx.get<ParameterRecord>(keys.parameter(scope, name));
    if (!p) throw SsmErrors.notFound(reference);
    const result = detachLabels(p, version, labels);
    tx.put(keys.parameter(scope, name), { ...p, versions: result.versions });
    return { removedLabels: result.removedLabels, invalidLabels: result.invalidLabels };
  });
}

/** DeleteParameter: the parameter and all its versions. */
export async function deleteParameter(env: ParametersEnv, scope: Scope, reference: string): Promise<void> {
  const { deleted } = await deleteParameters(env, scope, [reference]);
  if (deleted.length === 0) throw SsmErrors.notFound(reference);
}

/** DeleteParameters: those found are deleted together; the others are InvalidParameters. */
export async function deleteParameters(env: ParametersEnv, scope: Scope, references: readonly string[]): Promise<{ deleted: string[]; invalid: string[] }> {
  const named = await Promise.all([...new Set(references)].map(async (r) => {
    try {
      return { reference: r, name: await nameOf(env, scope, r) };
    } catch {
      return { reference: r, name: undefined };
    }
  }));
  return transact(env.store, async (tx) => {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const { reference, name } of named) {
      if (name !== undefined && await tx.get<ParameterRecord>(keys.parameter(scope, name))) {
        tx.delete(keys.parameter(scope, name));
        deleted.push(reference);
      } else invalid.push(reference);
    }
    return { deleted, invalid };
  });
}

/** ListTagsForResource: a parameter's tags. */
export async function listTags(env: ParametersEnv, scope: Scope, resourceId: string): Promise<ParameterTag[]> {
  const { candidates, selectorText } = parseReference(resourceId, scope);
  const p = selectorText === undefined ? await find(env, scope, candidates) : undefined;
  if (!p) throw SsmErrors.invalidResourceId();
  return p.tags;
}

/** AddTagsToResource (`add`) and RemoveTagsFromResource (`remove`): a parameter's tags changed, at most 50. */
export async function changeTags(env: ParametersEnv, scope: Scope, resourceId: string, add: readonly ParameterTag[], remove: readonly string[]): Promise<void> {
  const { candidates, selectorText } = parseReference(resourceId, scope);
  const found = selectorText === undefined ? await find(env, scope, candidates) : undefined;
  if (!found) throw SsmErrors.invalidResourceId();
  await transact(env.store, async (tx) => {
    const p = await tx.get<ParameterRecord>(keys.parameter(scope, found.name));
    if (!p) throw SsmErrors.invalidResourceId();
    const tags = p.tags.filter((t) => !remove.includes(t.key) && !add.some((a) => a.key === t.key));
    tags.push(...add);
    if (tags.length > MAX_TAGS) throw SsmErrors.tooManyTags();
    tx.put(keys.parameter(scope, p.name), { ...p, tags });
  });
}
