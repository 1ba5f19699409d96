/** The EC2 adapter's own wording: parameters named as EC2 names them, validation errors, private DNS names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ec2Service } from './index.ts';
import { privateDnsName } from '../../network/index.ts';
import { ec2ParameterName, ec2ValidationError } from './validation.ts';

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
