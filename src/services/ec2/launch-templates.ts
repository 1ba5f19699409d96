/**
 * Launch templates: CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates,
 * DescribeLaunchTemplateVersions, ModifyLaunchTemplate, DeleteLaunchTemplate,
 * DeleteLaunchTemplateVersions, over the instances domain.
 */
import type { RequestContext } from '../../aws/index.ts';
import * as instances from '../../instances/index.ts';
import { mergeTags } from '../../network/index.ts';
import { arn, authorizeTagOnCreate, filtersIn, need, page, scopeOf, specConditions, specsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { launchDataIn, toLaunchTemplate, toLaunchTemplateVersion } from './instance-shapes.ts';

/** The template a request names, as IAM authorizes it (by id; `*` when named by name). */
const templateArn = (i: { LaunchTemplateId?: string }, ctx: RequestContext): string[] => [arn(ctx, 'launch-template', i.LaunchTemplateId)];

const refOf = (i: { LaunchTemplateId?: string; LaunchTemplateName?: string }): instances.TemplateRef => ({
  ...(i.LaunchTemplateId !== undefined ? { id: i.LaunchTemplateId } : {}),
  ...(i.LaunchTemplateName !== undefined ? { name: i.LaunchTemplateName } : {}),
});

/** The tags a CreateLaunchTemplate asks for: every specification must be for `launch-template`. */
function templateTags(specs: ReturnType<typeof specsIn>) {
  let tags: ReturnType<typeof mergeTags> = [];
  for (const spec of specs) {
    if (spec.resourceType !== 'launch-template') {
      throw instances.InstanceErrors.invalidParameterValue(`'${spec.resourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    tags = mergeTags(tags, spec.tags);
  }
  return tags;
}

/** Launch templates. */
export function launchTemplateOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    CreateLaunchTemplate: {
      authorization: { resources: (_i, ctx) => [arn(ctx, 'launch-template')], conditions: specConditions },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const tags = templateTags(specsIn(i.TagSpecifications));
        await authorizeTagOnCreate(ctx, 'CreateLaunchTemplate', arn(ctx, 'launch-template'), tags);
        const { template } = await instances.createLaunchTemplate(deps, scope, {
          name: need(i.LaunchTemplateName, 'LaunchTemplateName'), data: launchDataIn(need(i.LaunchTemplateData, 'LaunchTemplateData')),
          tags, createdBy: ctx.principal.arn, ...(i.VersionDescription !== undefined ? { versionDescription: i.VersionDescription } : {}),
        });
        return { LaunchTemplate: toLaunchTemplate(template) };
      },
    },
    CreateLaunchTemplateVersion: {
      authorization: { resources: templateArn },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const made = await instances.createLaunchTemplateVersion(deps, scope, {
          ...refOf(i), data: launchDataIn(need(i.LaunchTemplateData, 'LaunchTemplateData')), createdBy: ctx.principal.arn,
          ...(i.SourceVersion !== undefined ? { sourceVersion: i.SourceVersion } : {}),
          ...(i.VersionDescription !== undefined ? { versionDescription: i.VersionDescription } : {}),
        });
        return { LaunchTemplateVersion: toLaunchTemplateVersion(made) };
      },
    },
    DescribeLaunchTemplates: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const list = await instances.describeLaunchTemplates(deps.store, scope, {
          ids: i.LaunchTemplateIds, names: i.LaunchTemplateNames, filters: filtersIn(i.Filters),
        });
        const { items, NextToken } = page(list, (t) => t.launchTemplateId, i);
        return { LaunchTemplates: items.map(toLaunchTemplate), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DescribeLaunchTemplateVersions: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const list = await instances.describeLaunchTemplateVersions(deps.store, scope, {
          ...refOf(i), versions: i.Versions, minVersion: i.MinVersion, maxVersion: i.MaxVersion, filters: filtersIn(i.Filters),
        });
        const { items, NextToken } = page(list, (v) => `${v.template.launchTemplateId}/${String(1e10 - v.version.versionNumber).padStart(11, '0')}`, i);
        return { LaunchTemplateVersions: items.map(toLaunchTemplateVersion), ...(NextToken ? { NextToken } : {}) };
      },
    },
    ModifyLaunchTemplate: {
      authorization: { resources: templateArn },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const template = await instances.modifyLaunchTemplate(deps.store, scope, { ...refOf(i), defaultVersion: i.DefaultVersion });
        return { LaunchTemplate: toLaunchTemplate(template) };
      },
    },
    DeleteLaunchTemplate: {
      authorization: { resources: templateArn },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        return { LaunchTemplate: toLaunchTemplate(await instances.deleteLaunchTemplate(deps.store, scope, refOf(i))) };
      },
    },
    DeleteLaunchTemplateVersions: {
      authorization: { resources: templateArn },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const { template, deleted, failed } = await instances.deleteLaunchTemplateVersions(deps.store, scope, {
          ...refOf(i), versions: need(i.Versions, 'LaunchTemplateVersion'),
        });
        const names = { LaunchTemplateId: template.launchTemplateId, LaunchTemplateName: template.launchTemplateName };
        return {
          SuccessfullyDeletedLaunchTemplateVersions: deleted.map((n) => ({ ...names, VersionNumber: n })),
          UnsuccessfullyDeletedLaunchTemplateVersions: failed.map((f) => ({
            ...names, VersionNumber: /^\d+$/.test(f.version) ? Number(f.version) : 0, ResponseError: { Code: f.code, Message: f.message },
          })),
        };
      },
    },
  };
}
