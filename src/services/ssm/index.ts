/**
 * AWS Systems Manager Parameter Store, as served by Wharf: PutParameter, GetParameter(s),
 * GetParametersByPath, DescribeParameters, GetParameterHistory, labels, tags and deletes over
 * the parameters domain. The platform decodes SSM's JSON 1.1 protocol, authenticates,
 * authorizes each operation as `ssm:<Action>` on the parameter's ARN
 * (`arn:aws:ssm:<region>:<account>:parameter/<name>`; a path's ARN for GetParametersByPath,
 * `*` for DescribeParameters), validates against SSM's model and encodes.
 */
import {
  AwsError, coralValidationMessage, paginate, ssmModel, type OperationSpec, type RequestContext, type ServiceDefinition, type SsmOperations,
} from '../../aws/index.ts';
import type { ParameterStringFilter, Tag } from '@aws-sdk/client-ssm';
import type { Clock, Ids, Sealer } from '../../common/index.ts';
import * as parameters from '../../parameters/index.ts';
import type { Store } from '../../state/index.ts';

/** What the SSM API runs on: the store, clock, ids and the sealer of SecureString values. */
export interface SsmDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  sealer: Sealer;
}

type Table = { [K in keyof SsmOperations]?: OperationSpec<SsmOperations[K]['input'], SsmOperations[K]['output']> };

const scopeOf = (ctx: RequestContext): parameters.Scope => ({ account: ctx.account, region: ctx.region });

/** The ARN IAM authorizes a parameter reference by: its own ARN, or the name's without a selector. */
function arnOf(ctx: RequestContext, reference: string | undefined): string {
  if (reference === undefined) return '*';
  if (reference.startsWith('arn:')) {
    const parts = reference.split(':');
    return parts.length > 7 ? parts.slice(0, 7).join(':') : reference;
  }
  return parameters.parameterArn(scopeOf(ctx), reference.split(':')[0]!);
}

const filtersIn = (filters: readonly ParameterStringFilter[] | undefined): parameters.StringFilter[] =>
  (filters ?? []).map((f) => ({ key: f.Key ?? '', ...(f.Option !== undefined ? { option: f.Option } : {}), ...(f.Values ? { values: f.Values } : {}) }));
const tagsIn = (tags: readonly Tag[] | undefined): parameters.ParameterTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));

function page<T>(items: T[], keyOf: (item: T) => string, input: { NextToken?: string; MaxResults?: number }, defaultMax: number): { items: T[]; NextToken?: string } {
  const result = paginate(items, keyOf, input.NextToken, input.MaxResults, () => parameters.SsmErrors.invalidNextToken(), defaultMax);
  return result.nextToken !== undefined ? { items: result.items, NextToken: result.nextToken } : { items: result.items };
}

const parameterOut = (p: parameters.ParameterView) => ({
  Name: p.name, Type: p.type, Value: p.value, Version: p.version, ...(p.selector !== undefined ? { Selector: p.selector } : {}),
  LastModifiedDate: new Date(p.lastModifiedDate), ARN: p.arn, DataType: p.dataType,
});

const metadataOut = (m: parameters.MetadataView) => ({
  Name: m.name, ARN: m.arn, Type: m.type, ...(m.keyId !== undefined ? { KeyId: m.keyId } : {}), LastModifiedDate: new Date(m.lastModifiedDate),
  LastModifiedUser: m.lastModifiedUser, ...(m.description !== undefined ? { Description: m.description } : {}),
  ...(m.allowedPattern !== undefined ? { AllowedPattern: m.allowedPattern } : {}), Version: m.version, Tier: m.tier, Policies: [], DataType: m.dataType,
});

/** A required member: present once validation passed (a missing one is the validator's error). */
function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw parameters.SsmErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function taggedParameter(resourceType: string | undefined): void {
  if (resourceType !== 'Parameter') throw parameters.SsmErrors.invalidResourceType();
}

/** The SSM API (Parameter Store). */
export function ssmService(deps: SsmDeps): ServiceDefinition<SsmOperations> {
  let built: parameters.ParametersEnv | undefined;
  const envOf = (): parameters.ParametersEnv => (built ??= { store: deps.store, clock: deps.clock, sealer: deps.sealer });
  const one = (i: { Name?: string }, ctx: RequestContext) => [arnOf(ctx, i.Name)];
  const operations: Table = {
    PutParameter: {
      authorization: { resources: one },
      handler: async (i, ctx) => {
        if (i.Policies !== undefined && i.Policies !== '' && i.Policies !== '[]') throw parameters.SsmErrors.validation('Parameter policies are not supported by this endpoint.');
        const result = await parameters.putParameter(envOf(), scopeOf(ctx), {
          name: need(i.Name, 'name'), value: need(i.Value, 'value'), type: i.Type, description: i.Description, keyId: i.KeyId, overwrite: i.Overwrite,
          allowedPattern: i.AllowedPattern, tags: tagsIn(i.Tags), tier: i.Tier, dataType: i.DataType, user: ctx.principal.arn,
        });
        return { Version: result.version, Tier: result.tier };
      },
    },
    GetParameter: {
      authorization: { resources: one },
      handler: async (i, ctx) => ({ Parameter: parameterOut(await parameters.getParameter(envOf(), scopeOf(ctx), need(i.Name, 'name'), i.WithDecryption ?? false)) }),
    },
    GetParameters: {
      authorization: { resources: (i, ctx) => (i.Names?.length ? i.Names.map((n) => arnOf(ctx, n)) : ['*']) },
      handler: async (i, ctx) => {
        const { parameters: found, invalid } = await parameters.getParameters(envOf(), scopeOf(ctx), need(i.Names, 'names'), i.WithDecryption ?? false);
        return { Parameters: found.map(parameterOut), InvalidParameters: invalid };
      },
    },
    GetParametersByPath: {
      authorization: { resources: (i, ctx) => [i.Path === undefined ? '*' : parameters.parameterArn(scopeOf(ctx), i.Path === '/' ? '/' : i.Path.replace(/\/$/, ''))] },
      handler: async (i, ctx) => {
        const all = await parameters.getParametersByPath(envOf(), scopeOf(ctx), {
          path: need(i.Path, 'path'), recursive: i.Recursive, filters: filtersIn(i.ParameterFilters), decrypt: i.WithDecryption ?? false,
        });
        const { items, NextToken } = page(all, (p) => p.name, i, 10);
        return { Parameters: items.map(parameterOut), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DescribeParameters: {
      handler: async (i, ctx) => {
        if (i.Filters?.length && i.ParameterFilters?.length) throw parameters.SsmErrors.validation('You can use either Filters or ParameterFilters in a single request.');
        const filters = i.Filters?.length
          ? parameters.fromLegacy(i.Filters.map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })))
          : filtersIn(i.ParameterFilters);
        const all = await parameters.describeParameters(envOf(), scopeOf(ctx), filters);
        const { items, NextToken } = page(all, (m) => m.name, i, 10);
        return { Parameters: items.map(metadataOut), ...(NextToken ? { NextToken } : {}) };
      },
    },
    GetParameterHistory: {
      authorization: { resources: one },
      handler: async (i, ctx) => {
        const all = await parameters.getParameterHistory(envOf(), scopeOf(ctx), need(i.Name, 'name'), i.WithDecryption ?? false);
        const { items, NextToken } = page(all, (h) => String(h.version).padStart(20, '0'), i, 50);
        return {
          Parameters: items.map((h) => ({ ...metadataOut(h), ARN: undefined, Value: h.value, Labels: h.labels })),
          ...(NextToken ? { NextToken } : {}),
        };
      },
    },
    LabelParameterVersion: {
      authorization: { resources: one },
      handler: async (i, ctx) => {
        const r = await parameters.labelParameterVersion(envOf(), scopeOf(ctx), need(i.Name, 'name'), i.ParameterVersion, need(i.Labels, 'labels'));
        return { InvalidLabels: r.invalidLabels, ParameterVersion: r.version };
      },
    },
    UnlabelParameterVersion: {
      authorization: { resources: one },
      handler: async (i, ctx) => {
        const r = await parameters.unlabelParameterVersion(envOf(), scopeOf(ctx), need(i.Name, 'name'), need(i.ParameterVersion, 'parameterVersion'), need(i.Labels, 'labels'));
        return { RemovedLabels: r.removedLabels, InvalidLabels: r.invalidLabels };
      },
    },
    DeleteParameter: {
      authorization: { resources: one },
      handler: async (i, ctx) => {
        await parameters.deleteParameter(envOf(), scopeOf(ctx), need(i.Name, 'name'));
        return {};
      },
    },
    DeleteParameters: {
      authorization: { resources: (i, ctx) => (i.Names?.length ? i.Names.map((n) => arnOf(ctx, n)) : ['*']) },
      handler: async (i, ctx) => {
        const r = await parameters.deleteParameters(envOf(), scopeOf(ctx), need(i.Names, 'names'));
        return { DeletedParameters: r.deleted, InvalidParameters: r.invalid };
      },
    },
    AddTagsToResource: {
      authorization: { resources: (i, ctx) => [arnOf(ctx, i.ResourceId)] },
      handler: async (i, ctx) => {
        taggedParameter(i.ResourceType);
        await parameters.changeTags(envOf(), scopeOf(ctx), need(i.ResourceId, 'resourceId'), tagsIn(i.Tags), []);
        return {};
      },
    },
    RemoveTagsFromResource: {
      authorization: { resources: (i, ctx) => [arnOf(ctx, i.ResourceId)] },
      handler: async (i, ctx) => {
        taggedParameter(i.ResourceType);
        await parameters.changeTags(envOf(), scopeOf(ctx), need(i.ResourceId, 'resourceId'), [], need(i.TagKeys, 'tagKeys'));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i, ctx) => [arnOf(ctx, i.ResourceId)] },
      handler: async (i, ctx) => {
        taggedParameter(i.ResourceType);
        const tags = await parameters.listTags(envOf(), scopeOf(ctx), need(i.ResourceId, 'resourceId'));
        return { TagList: tags.map((t) => ({ Key: t.key, Value: t.value })) };
      },
    },
  };
  return {
    model: ssmModel,
    iamPrefix: 'ssm',
    operations,
    validationError: (violations) => new AwsError('ValidationException', coralValidationMessage(violations), 400),
    partly: {
      PutParameter: 'no parameter policies; DataType text only; KeyId is recorded, not looked up in KMS (values are sealed under the control plane\'s key).',
      GetParameter: 'without WithDecryption a SecureString\'s value is a stand-in ciphertext (the sealed value, base64), not a KMS ciphertext.',
      DescribeParameters: 'no Shared parameters (resource shares).',
    },
  };
}
