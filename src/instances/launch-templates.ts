/**
 * Launch templates: named, versioned launch parameters. A template's record holds its default
 * and latest version numbers; each version is its own document; its name is held by a key of
 * its own, so two creates of one name cannot both commit.
 */
import { applyFilters, type Ec2Filter, type Ec2Tag, type Scope } from '../network/index.ts';
import { AwsError } from '../aws/index.ts';
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import type { InstancesEnv } from './env.ts';
import { InstanceErrors } from './errors.ts';
import { mergeLaunchData } from './launch-data.ts';
import {
  instanceKeys, isLaunchTemplateId, launchTemplateId, type LaunchTemplateData, type LaunchTemplateRecord, type LaunchTemplateVersionRecord,
} from './records.ts';

/** A template named by id or by name (exactly one). */
export interface TemplateRef {
  id?: string;
  name?: string;
}

/** A template with one of its versions. */
export interface TemplateVersion {
  template: LaunchTemplateRecord;
  version: LaunchTemplateVersionRecord;
}

/** A template per version: at most this many versions, as EC2's quota. */
export const MAX_VERSIONS = 10_000;

/** The template `ref` names, read through `tx`; EC2's errors when it names none. */
export async function loadTemplate(tx: Tx, scope: Scope, ref: TemplateRef): Promise<LaunchTemplateRecord> {
  if (ref.id !== undefined && ref.name !== undefined) throw InstanceErrors.templateIdAndName();
  if (ref.id !== undefined) {
    if (!isLaunchTemplateId(ref.id)) throw InstanceErrors.templateIdMalformed(ref.id);
    const template = await tx.get<LaunchTemplateRecord>(instanceKeys.template(scope, ref.id));
    if (!template) throw InstanceErrors.templateIdNotFound(ref.id);
    return template;
  }
  if (ref.name === undefined) throw InstanceErrors.templateIdOrName();
  const held = await tx.get<{ launchTemplateId: string }>(instanceKeys.templateName(scope, ref.name));
  const template = held && (await tx.get<LaunchTemplateRecord>(instanceKeys.template(scope, held.launchTemplateId)));
  if (!template) throw InstanceErrors.templateNameNotFound();
  return template;
}

/** The version number a request's version means: absent or `$Default` the default, `$Latest` the latest, else the number. */
export function versionNumber(template: LaunchTemplateRecord, version: string | undefined): number {
  if (version === undefined || version === '$Default') return template.defaultVersion;
  if (version === '$Latest') return template.latestVersion;
  if (!/^[1-9][0-9]{0,9}$/.test(version)) throw InstanceErrors.versionNotFound(version, template.launchTemplateId);
  return Number(version);
}

/** One version of a template, read through `tx`; VersionNotFound when it is not (or no longer) there. */
export async function loadVersion(tx: Tx, scope: Scope, template: LaunchTemplateRecord, version: string | undefined): Promise<LaunchTemplateVersionRecord> {
  const n = versionNumber(template, version);
  const record = await tx.get<LaunchTemplateVersionRecord>(instanceKeys.version(scope, template.launchTemplateId, n));
  if (!record) throw InstanceErrors.versionNotFound(version ?? String(n), template.launchTemplateId);
  return record;
}

/** What CreateLaunchTemplate asks for. */
export interface CreateTemplateRequest {
  name: string;
  versionDescription?: string;
  data: LaunchTemplateData;
  tags: Ec2Tag[];
  /** The ARN of the principal that asked. */
  createdBy: string;
}

/** CreateLaunchTemplate: the template and its version 1 (the default). */
export async function createLaunchTemplate(env: InstancesEnv, scope: Scope, request: CreateTemplateRequest): Promise<TemplateVersion> {
  const id = launchTemplateId(env.ids.hex32());
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    if (await tx.get(instanceKeys.templateName(scope, request.name))) throw InstanceErrors.templateNameExists();
    const template: LaunchTemplateRecord = {
      launchTemplateId: id, launchTemplateName: request.name, createdAt: now, createdBy: request.createdBy,
      defaultVersion: 1, latestVersion: 1, tags: request.tags,
    };
    const version: LaunchTemplateVersionRecord = {
      launchTemplateId: id, versionNumber: 1, createdAt: now, createdBy: request.createdBy, data: request.data,
      ...(request.versionDescription !== undefined ? { versionDescription: request.versionDescription } : {}),
    };
    tx.put(instanceKeys.templateName(scope, request.name), { launchTemplateId: id });
    tx.put(instanceKeys.template(scope, id), template);
    tx.put(instanceKeys.version(scope, id, 1), version);
    return { template, version };
  });
}

/** What CreateLaunchTemplateVersion asks for. */
export interface CreateVersionRequest extends TemplateRef {
  sourceVersion?: string;
  versionDescription?: string;
  data: LaunchTemplateData;
  createdBy: string;
}

/** CreateLaunchTemplateVersion: the next version, from the source version's parameters with the request's over them. */
export async function createLaunchTemplateVersion(env: InstancesEnv, scope: Scope, request: CreateVersionRequest): Promise<TemplateVersion> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const template = await loadTemplate(tx, scope, request);
    const source = request.sourceVersion === undefined ? undefined : await loadVersion(tx, scope, template, request.sourceVersion);
    const n = template.latestVersion + 1;
    if (n > MAX_VERSIONS) throw InstanceErrors.invalidParameterValue(`A launch template can have at most ${MAX_VERSIONS} versions.`);
    const version: LaunchTemplateVersionRecord = {
      launchTemplateId: template.launchTemplateId, versionNumber: n, createdAt: now, createdBy: request.createdBy,
      data: source ? mergeLaunchData(source.data, request.data) : request.data,
      ...(request.versionDescription !== undefined ? { versionDescription: request.versionDescription } : {}),
    };
    const updated = { ...template, latestVersion: n };
    tx.put(instanceKeys.template(scope, template.launchTemplateId), updated);
    tx.put(instanceKeys.version(scope, template.launchTemplateId, n), version);
    return { template: updated, version };
  });
}

/** ModifyLaunchTemplate: sets the default version. */
export async function modifyLaunchTemplate(store: Store, scope: Scope, request: TemplateRef & { defaultVersion?: string }): Promise<LaunchTemplateRecord> {
  return transact(store, async (tx) => {
    const template = await loadTemplate(tx, scope, request);
    if (request.defaultVersion === undefined) return template;
    const version = await loadVersion(tx, scope, template, request.defaultVersion);
    const updated = { ...template, defaultVersion: version.versionNumber };
    tx.put(instanceKeys.template(scope, template.launchTemplateId), updated);
    return updated;
  });
}

/** DeleteLaunchTemplate: the template and every version of it. */
export async function deleteLaunchTemplate(store: Store, scope: Scope, ref: TemplateRef): Promise<LaunchTemplateRecord> {
  return transact(store, async (tx) => {
    const template = await loadTemplate(tx, scope, ref);
    for (const v of await tx.list<LaunchTemplateVersionRecord>(instanceKeys.versions(scope, template.launchTemplateId))) {
      tx.delete(instanceKeys.version(scope, template.launchTemplateId, v.versionNumber));
    }
    tx.delete(instanceKeys.template(scope, template.launchTemplateId));
    tx.delete(instanceKeys.templateName(scope, template.launchTemplateName));
    return template;
  });
}

/** A version DeleteLaunchTemplateVersions could not delete, with EC2's code for why. */
export interface VersionNotDeleted {
  version: string;
  code: 'launchTemplateVersionDoesNotExist' | 'unexpectedError';
  message: string;
}

/** DeleteLaunchTemplateVersions: each version deleted, or said why not (the default version is never deleted). */
export async function deleteLaunchTemplateVersions(
  store: Store, scope: Scope, request: TemplateRef & { versions: string[] },
): Promise<{ template: LaunchTemplateRecord; deleted: number[]; failed: VersionNotDeleted[] }> {
  return transact(store, async (tx) => {
    const template = await loadTemplate(tx, scope, request);
    const deleted: number[] = [];
    const failed: VersionNotDeleted[] = [];
    for (const v of request.versions) {
      const n = /^[1-9][0-9]{0,9}$/.test(v) ? Number(v) : undefined;
      const key = n === undefined ? undefined : instanceKeys.version(scope, template.launchTemplateId, n);
      if (n === undefined || !key || !(await tx.get(key)) || deleted.includes(n)) {
        failed.push({ version: v, code: 'launchTemplateVersionDoesNotExist', message: 'The specified launch template version does not exist.' });
      } else if (n === template.defaultVersion) {
        failed.push({ version: v, code: 'unexpectedError', message: 'Cannot delete the default version of a launch template.' });
      } else {
        tx.delete(key);
        deleted.push(n);
      }
    }
    return { template, deleted, failed };
  });
}

/** What DescribeLaunchTemplates asks for. */
export interface DescribeTemplatesRequest {
  ids?: string[];
  names?: string[];
  filters?: Ec2Filter[];
}

/** DescribeLaunchTemplates: the templates named (all when none are) that pass the filters, by id. */
export async function describeLaunchTemplates(store: Store, scope: Scope, request: DescribeTemplatesRequest): Promise<LaunchTemplateRecord[]> {
  const all = (await listDocs<LaunchTemplateRecord>(store, instanceKeys.templates(scope))).map((d) => d.value);
  for (const id of request.ids ?? []) {
    if (!isLaunchTemplateId(id)) throw InstanceErrors.templateIdMalformed(id);
    if (!all.some((t) => t.launchTemplateId === id)) throw InstanceErrors.templateIdNotFound(id);
  }
  if (request.names?.some((n) => !all.some((t) => t.launchTemplateName === n))) throw InstanceErrors.templateNameNotFound();
  const named = request.ids?.length || request.names?.length
    ? all.filter((t) => request.ids?.includes(t.launchTemplateId) || request.names?.includes(t.launchTemplateName))
    : all;
  return applyFilters(named, request.filters, {
    'launch-template-name': (t) => [t.launchTemplateName],
    'create-time': (t) => [new Date(t.createdAt).toISOString()],
  }, (t) => t.tags);
}

/** What DescribeLaunchTemplateVersions asks for. */
export interface DescribeVersionsRequest extends TemplateRef {
  versions?: string[];
  minVersion?: string;
  maxVersion?: string;
  filters?: Ec2Filter[];
}

/**
 * DescribeLaunchTemplateVersions: of one template, the versions named (`$Latest`, `$Default`
 * or numbers) or in the range, newest first; without a template, only `$Latest` and `$Default`
 * of every template may be asked for.
 */
export async function describeLaunchTemplateVersions(store: Store, scope: Scope, request: DescribeVersionsRequest): Promise<TemplateVersion[]> {
  return transact(store, async (tx) => {
    const templates = request.id === undefined && request.name === undefined
      ? await tx.list<LaunchTemplateRecord>(instanceKeys.templates(scope))
      : [await loadTemplate(tx, scope, request)];
    if (templates.length !== 1 && request.versions?.some((v) => v !== '$Latest' && v !== '$Default')) {
      throw InstanceErrors.invalidParameterValue('Version numbers can be given only with a launch template ID or name.');
    }
    const out: TemplateVersion[] = [];
    for (const template of templates) {
      const versions = await tx.list<LaunchTemplateVersionRecord>(instanceKeys.versions(scope, template.launchTemplateId));
      let chosen = versions;
      if (request.versions?.length) {
        const wanted = new Set(request.versions.map((v) => versionNumber(template, v)));
        chosen = versions.filter((v) => wanted.has(v.versionNumber));
        if (templates.length === 1 && chosen.length < wanted.size) {
          const missing = request.versions.find((v) => !versions.some((r) => r.versionNumber === versionNumber(template, v)))!;
          throw InstanceErrors.versionNotFound(missing, template.launchTemplateId);
        }
      } else if (templates.length !== 1) {
        chosen = [];
      }
      const min = request.minVersion === undefined ? undefined : versionNumber(template, request.minVersion);
      const max = request.maxVersion === undefined ? undefined : versionNumber(template, request.maxVersion);
      chosen = chosen.filter((v) => (min === undefined || v.versionNumber >= min) && (max === undefined || v.versionNumber <= max));
      out.push(...chosen.sort((a, b) => b.versionNumber - a.versionNumber).map((version) => ({ template, version })));
    }
    return applyFilters(out, request.filters, {
      'is-default-version': (v) => [v.version.versionNumber === v.template.defaultVersion],
      'image-id': (v) => [v.version.data.imageId],
      'instance-type': (v) => [v.version.data.instanceType],
      'key-name': (v) => [v.version.data.keyName],
      'iam-instance-profile': (v) => [v.version.data.iamInstanceProfile?.arn ?? v.version.data.iamInstanceProfile?.name],
      'create-time': (v) => [new Date(v.version.createdAt).toISOString()],
    });
  });
}


/** The template and version a reference names, if both are there: its id, its name and the version as asked (`$Default` when none was). */
export async function findLaunchTemplate(store: Store, scope: Scope, ref: TemplateRef & { version?: string }): Promise<{ id: string; name: string; version: string } | undefined> {
  try {
    return await transact(store, async (tx) => {
      const template = await loadTemplate(tx, scope, ref);
      const version = ref.version ?? '$Default';
      await loadVersion(tx, scope, template, version);
      return { id: template.launchTemplateId, name: template.launchTemplateName, version };
    });
  } catch (error) {
    if (error instanceof AwsError) return undefined;
    throw error;
  }
}
