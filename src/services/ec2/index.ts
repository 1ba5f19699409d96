/**
 * Amazon EC2's VPC networking, as served by Wharf: VPCs, subnets, security groups and their
 * rules, the task interfaces ECS makes, availability zones and tags, over the network domain;
 * and instances (Wharf hosts), instance types and launch templates, over the instances domain.
 * The platform decodes the EC2 Query protocol, authenticates, authorizes each operation as
 * `ec2:<Action>` on the resources' ARNs (`arn:aws:ec2:<region>:<account>:vpc/<id>`, Describe*
 * on `*`), validates against EC2's model and encodes; every request first makes its account's
 * default VPC in its region if it was never made.
 */
import { ec2Model, type Ec2Operations, type ServiceDefinition } from '../../aws/index.ts';
import type { Ec2Deps } from './common.ts';
import { instanceOperations } from './instances.ts';
import { instanceTypeOperations } from './instance-types.ts';
import { interfaceOperations } from './interfaces.ts';
import { launchTemplateOperations } from './launch-templates.ts';
import { ruleOperations } from './rules.ts';
import { securityGroupOperations } from './security-groups.ts';
import { subnetOperations } from './subnets.ts';
import { tagOperations } from './tags.ts';
import { ec2ValidationError } from './validation.ts';
import { vpcOperations } from './vpcs.ts';

export type { Ec2Deps } from './common.ts';

/** The EC2 API over the given store, clock and ids. */
export function ec2Service(deps: Ec2Deps): ServiceDefinition<Ec2Operations> {
  return {
    model: ec2Model,
    iamPrefix: 'ec2',
    operations: {
      ...vpcOperations(deps),
      ...subnetOperations(deps),
      ...securityGroupOperations(deps),
      ...ruleOperations(deps),
      ...interfaceOperations(deps),
      ...tagOperations(deps),
      ...instanceOperations(deps),
      ...instanceTypeOperations(deps),
      ...launchTemplateOperations(deps),
    },
    validationError: ec2ValidationError,
    partly: {
      CreateVpc: 'IPv4 only: no IPv6 blocks, IPAM pools or encryption control; tenancy default or dedicated (shown, not acted on).',
      DescribeVpcs: 'one IPv4 block per VPC; no IPv6 associations.',
      CreateSubnet: 'IPv4 only: no IPv6 blocks, IPAM pools or Outposts; a subnet spans every host of a cluster.',
      CreateSecurityGroup: 'group names and descriptions are checked for length and ASCII only.',
      AuthorizeSecurityGroupIngress: 'prefix lists are taken by id and not looked up; no peering (groups of other accounts or VPCs).',
      AuthorizeSecurityGroupEgress: 'prefix lists are taken by id and not looked up; no peering (groups of other accounts or VPCs).',
      DescribeNetworkInterfaces: 'the interfaces ECS makes for awsvpc tasks; no public IP association or IPv6 addresses.',
      DescribeAccountAttributes: 'the quota attributes carry AWS\'s default values.',
      RunInstances: 'an instance is a Wharf host (an agent with the type\'s resources) joining the cluster its user data names; any ami- id; no EBS volumes, Spot, placement groups, public addresses or key pairs looked up (KeyName is kept).',
      DescribeInstanceTypes: 'the t3, t3a, m5, c5, r5, m6i, c6i and m7g sizes Wharf offers, with AWS\'s figures.',
      DescribeInstanceStatus: 'checks are ok while an instance runs; no scheduled events.',
      DescribeInstanceAttribute: 'userData, instanceType and groupSet as set; the others at EC2\'s defaults.',
      CreateLaunchTemplate: 'the launch parameters Wharf acts on are kept (image, type, key name, user data, groups, instance profile, interfaces, zone, tags); others are dropped.',
    },
  };
}
