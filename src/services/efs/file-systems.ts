/**
 * File systems, their policies and tags: CreateFileSystem, DescribeFileSystems, DeleteFileSystem,
 * Put/Describe/DeleteFileSystemPolicy, TagResource, UntagResource, ListTagsForResource and the
 * older CreateTags, DeleteTags, DescribeTags.
 */
import { formatArn, requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as efs from '../../efs/index.ts';
import {
  envOf, fileSystemArnOf, fileSystemShape, need, page, resourceArnOf, scopeOf, tagsIn, tagsOut, type EfsDeps, type EfsOperationTable,
} from './common.ts';

/** A file system not made yet is authorized on the account's file systems (its id is not known before). */
const anyFileSystem = (ctx: RequestContext) => formatArn('elasticfilesystem', ctx.region, ctx.account, 'file-system/*');

const onFileSystem = (i: { FileSystemId?: string }, ctx: RequestContext) => [fileSystemArnOf(ctx, i.FileSystemId)];
const onResource = (i: { ResourceId?: string }, ctx: RequestContext) => [resourceArnOf(ctx, i.ResourceId)];

/** The file system, policy and tag operations. */
export function fileSystemOperations(deps: EfsDeps): EfsOperationTable {
  const env = envOf(deps);
  const policyOf = async (ctx: RequestContext, id: string) => {
    const [record] = await efs.describeFileSystems(deps.store, scopeOf(ctx), { fileSystemId: id });
    if (record?.policy === undefined) throw efs.EfsErrors.policyNotFound(id);
    return { FileSystemId: id, Policy: record.policy };
  };
  return {
    CreateFileSystem: {
      authorization: {
        resources: (_i, ctx) => [anyFileSystem(ctx)],
        conditions: (i) => ({ ...requestTagConditions(i.Tags), 'elasticfilesystem:Encrypted': String(i.Encrypted ?? false) }),
      },
      handler: async (i, ctx) => {
        const record = await efs.createFileSystem(env, scopeOf(ctx), {
          creationToken: need(i.CreationToken, 'CreationToken'), performanceMode: i.PerformanceMode, throughputMode: i.ThroughputMode,
          provisionedThroughputInMibps: i.ProvisionedThroughputInMibps, encrypted: i.Encrypted, kmsKeyId: i.KmsKeyId,
          availabilityZoneName: i.AvailabilityZoneName, backup: i.Backup, tags: tagsIn(i.Tags),
        });
        return fileSystemShape(record, deps.clock.now(), 'creating');
      },
    },
    DescribeFileSystems: {
      authorization: { resources: (i, ctx) => [i.FileSystemId !== undefined ? fileSystemArnOf(ctx, i.FileSystemId) : '*'] },
      handler: async (i, ctx) => {
        const all = await efs.describeFileSystems(deps.store, scopeOf(ctx), { fileSystemId: i.FileSystemId, creationToken: i.CreationToken });
        const { items, nextToken } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.fileSystemId}`, i.Marker, i.MaxItems, 10);
        const now = deps.clock.now();
        return { ...(i.Marker !== undefined ? { Marker: i.Marker } : {}), FileSystems: items.map((r) => fileSystemShape(r, now)), ...(nextToken ? { NextMarker: nextToken } : {}) };
      },
    },
    DeleteFileSystem: {
      authorization: { resources: onFileSystem },
      handler: async (i, ctx) => {
        await efs.deleteFileSystem(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'));
        return {};
      },
    },
    PutFileSystemPolicy: {
      authorization: { resources: onFileSystem },
      handler: async (i, ctx) => {
        const record = await efs.setFileSystemPolicy(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'), need(i.Policy, 'Policy'));
        return { FileSystemId: record.fileSystemId, Policy: record.policy };
      },
    },
    DescribeFileSystemPolicy: {
      authorization: { resources: onFileSystem },
      handler: (i, ctx) => policyOf(ctx, need(i.FileSystemId, 'FileSystemId')),
    },
    DeleteFileSystemPolicy: {
      authorization: { resources: onFileSystem },
      handler: async (i, ctx) => {
        await efs.setFileSystemPolicy(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'), undefined);
        return {};
      },
    },
    TagResource: {
      authorization: { resources: onResource, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await efs.tagResource(deps.store, scopeOf(ctx), need(i.ResourceId, 'ResourceId'), tagsIn(i.Tags));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: onResource, conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await efs.untagResource(deps.store, scopeOf(ctx), need(i.ResourceId, 'ResourceId'), need(i.TagKeys, 'TagKeys'));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: onResource },
      handler: async (i, ctx) => {
        const tags = await efs.tagsOf(deps.store, scopeOf(ctx), need(i.ResourceId, 'ResourceId'));
        const { items, nextToken } = page(tags, (t) => t.key, i.NextToken, i.MaxResults, 100);
        return { Tags: tagsOut(items), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
    CreateTags: {
      authorization: { resources: onFileSystem, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await efs.tagResource(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'), tagsIn(i.Tags));
        return {};
      },
    },
    DeleteTags: {
      authorization: { resources: onFileSystem, conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await efs.untagResource(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'), need(i.TagKeys, 'TagKeys'));
        return {};
      },
    },
    DescribeTags: {
      authorization: { resources: onFileSystem },
      handler: async (i, ctx) => {
        const tags = await efs.tagsOf(deps.store, scopeOf(ctx), need(i.FileSystemId, 'FileSystemId'));
        const { items, nextToken } = page(tags, (t) => t.key, i.Marker, i.MaxItems, 100);
        return { ...(i.Marker !== undefined ? { Marker: i.Marker } : {}), Tags: tagsOut(items), ...(nextToken ? { NextMarker: nextToken } : {}) };
      },
    },
  };
}
