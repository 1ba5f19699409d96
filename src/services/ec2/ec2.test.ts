/** The EC2 adapter's own wording: parameters named as EC2 names them, validation errors, private DNS names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ec2Service } from './index.ts';
import { privateDnsName } from '../../network/index.ts';
import { ec2ParameterName, ec2ValidationError } from './validation.ts';
import { toInstanceStatus } from './instance-shapes.ts';

describe('EC2 parameter names', () => {
  it('the query name with a lowercase first letter; list positions from 1', () => {
    assert.equal(ec2ParameterName('CreateSecurityGroup', ['Description']), 'groupDescription');
    assert.equal(ec2ParameterName('CreateSecurityGroup', ['GroupName']), 'groupName');
    assert.equal(ec2ParameterName('DescribeSecurityGroups', ['MaxResults']), 'maxResults');
    assert.equal(ec2ParameterName('AuthorizeSecurityGroupIngress', ['IpPermissions', 0, 'FromPort']), 'ipPermissions.1.fromPort');
    assert.equal(ec2ParameterName('CreateTags', ['Resources']), 'resourceId');
    assert.equal(ec2ParameterName('NoSuchOperation', ['Thing']), 'thing');
  });

  it('a missing member is MissingParameter, any other broken constraint InvalidParameterValue', () => {
    const missing = ec2ValidationError([{ path: ['VpcId'], value: undefined, constraint: 'required', message: 'Member must not be null' }], 'CreateSubnet');
    assert.deepEqual([missing.code, missing.message, missing.status], ['MissingParameter', 'The request must contain the parameter vpcId', 400]);
    const range = ec2ValidationError([{ path: ['MaxResults'], value: 2, constraint: 'range', message: 'Member must have value greater than or equal to 5' }], 'DescribeVpcs');
    assert.deepEqual([range.code, range.message], ['InvalidParameterValue', 'Value (2) for parameter maxResults is invalid. Member must have value greater than or equal to 5']);
  });
});

describe('the adapter', () => {
  it('serves every operation of its model, as ec2:<Operation>', () => {
    const service = ec2Service(undefined as never);
    assert.equal(service.iamPrefix, 'ec2');
    assert.deepEqual(Object.keys(service.operations).sort(), Object.keys(service.model.operations).sort());
  });

  it('private DNS names as EC2 gives them', () => {
    assert.equal(privateDnsName('us-east-1', '10.0.1.5'), 'ip-10-0-1-5.ec2.internal');
    assert.equal(privateDnsName('eu-west-1', '172.31.0.9'), 'ip-172-31-0-9.eu-west-1.compute.internal');
  });
});

describe('instance status', () => {
  const instance = {
    instanceId: 'i-0123456789abcdef0', reservationId: 'r-0123456789abcdef0', ownerId: '123456789012', imageId: 'ami-12345678', instanceType: 't3.micro',
    state: 'running', stateTransitionReason: '', launchTime: 0, amiLaunchIndex: 0, availabilityZone: 'us-east-1a', subnetId: 'subnet-1', vpcId: 'vpc-1',
    privateIpAddress: '172.31.0.4', networkInterfaceId: 'eni-0123456789abcdef0', macAddress: '0a:00:00:00:00:00', groups: [], tags: [],
  } as const;
  const checks = (i: Parameters<typeof toInstanceStatus>[1], hostless?: boolean) => {
    const s = toInstanceStatus({ account: '123456789012', region: 'us-east-1' }, i, hostless);
    return [s.InstanceState?.Name, s.InstanceStatus?.Status, s.SystemStatus?.Status, s.AvailabilityZoneId];
  };

  it('ok while running on a host, insufficient-data with no host behind it, not-applicable otherwise', () => {
    assert.deepEqual(checks({ ...instance, groups: [], tags: [] }), ['running', 'ok', 'ok', 'use1-az1']);
    assert.deepEqual(checks({ ...instance, groups: [], tags: [] }, true), ['running', 'insufficient-data', 'insufficient-data', 'use1-az1']);
    assert.deepEqual(checks({ ...instance, state: 'stopped', groups: [], tags: [] }), ['stopped', 'not-applicable', 'not-applicable', 'use1-az1']);
  });
});
