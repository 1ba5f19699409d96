/**
 * Instances: RunInstances, StartInstances, StopInstances, TerminateInstances, DescribeInstances,
 * DescribeInstanceStatus, DescribeInstanceAttribute, over the instances domain. An instance
 * profile is looked up in IAM (the identity domain), and its role must be one the caller may
 * pass (iam:PassRole), as EC2 checks.
 */
import type { InstanceAttribute, Reservation as SdkReservation } from '@aws-sdk/client-ec2';
import type { RequestContext } from '../../aws/index.ts';
import { getInstanceProfile, parseIamArn } from '../../identity/index.ts';
import * as instances from '../../instances/index.ts';
import { arn, authorizeTagOnCreate, filtersIn, need, page, scopeOf, specConditions, tagsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { launchDataIn, stateOf, toInstance, toInstanceStatus } from './instance-shapes.ts';
import type { Scope } from '../../network/index.ts';

/** IAM's instance profiles for RunInstances: by ARN (of the caller's account) or name, with iam:PassRole on the profile's role. */
function profilesFor(deps: Ec2Deps, ctx: RequestContext): instances.InstanceProfilesPort {
  return async (account, ref) => {
    let name = ref.name;
    if (ref.arn !== undefined) {
      const parts = parseIamArn(ref.arn);
      if (!parts || parts.type !== 'instance-profile' || parts.account !== account) return undefined;
      name = parts.name;
    }
    if (name === undefined) return undefined;
    const view = await getInstanceProfile(deps, account, name).catch(() => undefined);
    if (!view || (ref.arn !== undefined && view.arn !== ref.arn)) return undefined;
    const roleArn = view.roles[0]?.arn;
    if (roleArn !== undefined) await ctx.authorize({ action: 'iam:PassRole', resource: roleArn });
    return { arn: view.arn, id: view.instanceProfileId, ...(roleArn !== undefined ? { roleArn } : {}) };
  };
}

/** Instance ARNs of a request's ids. */
const instanceArns = (i: { InstanceIds?: string[] }, ctx: RequestContext): string[] => (i.InstanceIds ?? []).map((id) => arn(ctx, 'instance', id));

/** Start, stop or terminate: the changes, as EC2 lists them. */
async function change(deps: Ec2Deps, scope: Scope, ids: string[], request: instances.InstanceRequest) {
  const changes = await instances.changeInstances(deps, scope, ids, request);
  return changes.map((c) => ({ InstanceId: c.instanceId, CurrentState: stateOf(c.current), PreviousState: stateOf(c.previous) }));
}

/** Reservations of a page of instances, in order, each instance under its own reservation. */
function reservations(scope: Scope, list: instances.InstanceRecord[]): SdkReservation[] {
  const byId = new Map<string, SdkReservation>();
  for (const i of list) {
    let r = byId.get(i.reservationId);
    if (!r) {
      r = { ReservationId: i.reservationId, OwnerId: i.ownerId, Groups: [], Instances: [] };
      byId.set(i.reservationId, r);
    }
    r.Instances!.push(toInstance(scope, i));
  }
  return [...byId.values()];
}

/** DescribeInstances' and DescribeInstanceStatus' MaxResults: 5 to 1000, and not with instance ids. */
function checkMaxResults(i: { MaxResults?: number; InstanceIds?: string[] }): void {
  if (i.MaxResults === undefined) return;
  if (i.InstanceIds?.length) {
    throw instances.InstanceErrors.invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  if (i.MaxResults < 5 || i.MaxResults > 1000) {
    throw instances.InstanceErrors.invalidParameterValue(`Value ( ${i.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
}

/** Instances. */
export function instanceOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    RunInstances: {
      authorization: {
        resources: (i, ctx) => [
          arn(ctx, 'instance'),
          `arn:aws:ec2:${ctx.region}::image/${i.ImageId ?? '*'}`,
          arn(ctx, 'network-interface'),
          ...(i.SubnetId ? [arn(ctx, 'subnet', i.SubnetId)] : []),
          ...(i.SecurityGroupIds ?? []).map((g) => arn(ctx, 'security-group', g)),
          ...(i.LaunchTemplate?.LaunchTemplateId ? [arn(ctx, 'launch-template', i.LaunchTemplate.LaunchTemplateId)] : []),
        ],
        conditions: specConditions,
      },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const tags = (i.TagSpecifications ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => tagsIn(s.Tags));
        await authorizeTagOnCreate(ctx, 'RunInstances', arn(ctx, 'instance'), tags);
        const lt = i.LaunchTemplate;
        const reservation = await instances.runInstances(deps, scope, {
          ...launchDataIn(i),
          minCount: need(i.MinCount, 'MinCount'),
          maxCount: need(i.MaxCount, 'MaxCount'),
          ...(i.SubnetId !== undefined ? { subnetId: i.SubnetId } : {}),
          ...(i.PrivateIpAddress !== undefined ? { privateIpAddress: i.PrivateIpAddress } : {}),
          ...(i.ClientToken !== undefined ? { clientToken: i.ClientToken } : {}),
          ...(lt ? { launchTemplate: { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version } } : {}),
        }, profilesFor(deps, ctx));
        return {
          ReservationId: reservation.reservationId, OwnerId: reservation.ownerId, Groups: [],
          Instances: reservation.instances.map((r) => toInstance(scope, r)),
        };
      },
    },
    StartInstances: {
      authorization: { resources: instanceArns },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        return { StartingInstances: await change(deps, scope, need(i.InstanceIds, 'InstanceId'), 'start') };
      },
    },
    StopInstances: {
      authorization: { resources: instanceArns },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        return { StoppingInstances: await change(deps, scope, need(i.InstanceIds, 'InstanceId'), 'stop') };
      },
    },
    TerminateInstances: {
      authorization: { resources: instanceArns },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        return { TerminatingInstances: await change(deps, scope, need(i.InstanceIds, 'InstanceId'), 'terminate') };
      },
    },
    DescribeInstances: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        checkMaxResults(i);
        const list = await instances.describeInstances(deps.store, scope, { instanceIds: i.InstanceIds, filters: filtersIn(i.Filters) }, deps.clock.now());
        const { items, NextToken } = page(list, instances.listingKey, i);
        return { Reservations: reservations(scope, items), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DescribeInstanceStatus: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        checkMaxResults(i);
        const list = await instances.describeInstanceStatus(deps.store, scope, {
          instanceIds: i.InstanceIds, filters: filtersIn(i.Filters), includeAllInstances: i.IncludeAllInstances,
        }, deps.clock.now());
        const { items, NextToken } = page(list, instances.listingKey, i);
        return { InstanceStatuses: items.map((r) => toInstanceStatus(scope, r, deps.hostless)), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DescribeInstanceAttribute: {
      authorization: { resources: (i, ctx) => [arn(ctx, 'instance', i.InstanceId)] },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const r = await instances.getInstance(deps.store, scope, need(i.InstanceId, 'InstanceId'), deps.clock.now());
        return { InstanceId: r.instanceId, ...attribute(r, need(i.Attribute, 'Attribute')) };
      },
    },
  };
}

/** One attribute of an instance, as DescribeInstanceAttribute gives it. */
function attribute(r: instances.InstanceRecord, name: string): InstanceAttribute {
  switch (name) {
    case 'userData': return { UserData: r.userData !== undefined ? { Value: r.userData } : {} };
    case 'instanceType': return { InstanceType: { Value: r.instanceType } };
    case 'groupSet': return { Groups: r.groups.map((g) => ({ GroupId: g.groupId, GroupName: g.groupName })) };
    case 'disableApiTermination': return { DisableApiTermination: { Value: false } };
    case 'disableApiStop': return { DisableApiStop: { Value: false } };
    case 'instanceInitiatedShutdownBehavior': return { InstanceInitiatedShutdownBehavior: { Value: 'stop' } };
    case 'rootDeviceName': return { RootDeviceName: { Value: '/dev/xvda' } };
    case 'blockDeviceMapping': return { BlockDeviceMappings: [] };
    case 'productCodes': return { ProductCodes: [] };
    case 'sourceDestCheck': return { SourceDestCheck: { Value: true } };
    case 'ebsOptimized': return { EbsOptimized: { Value: false } };
    case 'enaSupport': return { EnaSupport: { Value: true } };
    case 'sriovNetSupport': return { SriovNetSupport: {} };
    case 'kernel': return { KernelId: {} };
    case 'ramdisk': return { RamdiskId: {} };
    case 'enclaveOptions': return { EnclaveOptions: { Enabled: false } };
    default: throw instances.InstanceErrors.invalidAttribute(name);
  }
}
