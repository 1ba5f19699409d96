import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors.ts';
import type { ServiceModel } from '../model/types.ts';
import { expectAwsError } from '../testing.ts';
import { ec2QueryCodec } from './ec2-query.ts';
import type { WireRequest } from './types.ts';

/** A small EC2-style API: member names in every naming form, lists named `item`. */
const model: ServiceModel = {
  metadata: { serviceId: 'Boats', apiVersion: '2016-11-15', protocol: 'ec2Query', signingName: 'boats', xmlNamespace: 'http://boats.example/doc/2016-11-15' },
  operations: {
    Describe: { name: 'Describe', input: 'DescribeRequest', output: 'DescribeResult' },
    Ping: { name: 'Ping' },
  },
  shapes: {
    DescribeRequest: {
      type: 'structure',
      members: {
        Filters: { shape: 'FilterList', locationName: 'Filter' },
        DryRun: { shape: 'Boolean', locationName: 'dryRun' },
        groupName: { shape: 'String' },
        Odd: { shape: 'String', locationName: 'ignoredName', queryName: 'Special' },
        MaxResults: { shape: 'Integer' },
        Ids: { shape: 'IdList', locationName: 'GroupId' },
        Since: { shape: 'Timestamp' },
      },
    },
    DescribeResult: {
      type: 'structure',
      members: {
        Groups: { shape: 'GroupList', locationName: 'securityGroupInfo' },
        NextToken: { shape: 'String', locationName: 'nextToken' },
        Return: { shape: 'Boolean', locationName: 'return' },
      },
    },
    Filter: { type: 'structure', members: { Name: { shape: 'String' }, Values: { shape: 'ValueList', locationName: 'Value' } } },
    FilterList: { type: 'list', member: { shape: 'Filter', locationName: 'Filter' } },
    ValueList: { type: 'list', member: { shape: 'String', locationName: 'item' } },
    IdList: { type: 'list', member: { shape: 'String', locationName: 'groupId' } },
    Group: {
      type: 'structure',
      members: {
        GroupId: { shape: 'String', locationName: 'groupId' },
        CreatedAt: { shape: 'Timestamp', locationName: 'createTime' },
        Ports: { shape: 'PortList', locationName: 'ipPermissions' },
      },
    },
    GroupList: { type: 'list', member: { shape: 'Group', locationName: 'item' } },
    PortList: { type: 'list', member: { shape: 'Integer', locationName: 'item' } },
    String: { type: 'string' },
    Integer: { type: 'integer' },
    Boolean: { type: 'boolean' },
    Timestamp: { type: 'timestamp' },
  },
};

const decode = (params: Record<string, string>, operation = 'Describe') => {
  const body = new URLSearchParams({ Action: operation, Version: '2016-11-15', ...params }).toString();
  const request: WireRequest = { method: 'POST', path: '/', query: new URLSearchParams(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(body) };
  return ec2QueryCodec.decodeInput(model, model.operations[operation], request);
};

describe('ec2Query decodeInput', () => {
  it('names members by queryName, else capitalized locationName, else capitalized name; lists are always Name.N', () => {
    assert.deepEqual(decode({
      'Filter.1.Name': 'group-name', 'Filter.1.Value.1': 'web', 'Filter.1.Value.2': 'db', 'Filter.2.Name': 'vpc-id',
      DryRun: 'false', GroupName: 'web', Special: 'by queryName', MaxResults: '5', 'GroupId.2': 'sg-2', 'GroupId.1': 'sg-1',
      Since: '2026-12-03T06:50:01.000Z',
      // The model's own names are not what EC2 reads.
      Filters: 'x', dryRun: 'true', groupName: 'lower', IgnoredName: 'no', Odd: 'no', 'Filter.member.1.Name': 'no',
    }), {
      Filters: [{ Name: 'group-name', Values: ['web', 'db'] }, { Name: 'vpc-id' }],
      DryRun: false, groupName: 'web', Odd: 'by queryName', MaxResults: 5, Ids: ['sg-1', 'sg-2'],
      Since: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)),
    });
  });

  it('answers values that do not parse with InvalidParameterValue naming the parameter', async () => {
    await expectAwsError(Promise.resolve().then(() => decode({ MaxResults: 'many' })), 'InvalidParameterValue', /parameter MaxResults is invalid: must be an integer/);
    await expectAwsError(Promise.resolve().then(() => decode({ DryRun: 'maybe' })), 'InvalidParameterValue', /parameter DryRun is invalid/);
  });

  it('reads an operation without input as {}', () => {
    assert.deepEqual(decode({ Anything: '1' }, 'Ping'), {});
  });
});

describe('ec2Query encodeOutput', () => {
  it('writes requestId first, members by locationName without a Result wrapper, lists as <item>, timestamps with milliseconds', () => {
    const response = ec2QueryCodec.encodeOutput(model, model.operations.Describe, {
      Groups: [{ GroupId: 'sg-1', CreatedAt: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)), Ports: [22, 443] }, { GroupId: 'sg-<2>', Ports: [] }],
      NextToken: undefined,
      Return: true,
    }, 'req-1');
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': 'req-1' });
    assert.equal(response.body, '<DescribeResponse xmlns="http://boats.example/doc/2016-11-15/"><requestId>req-1</requestId>'
      + '<securityGroupInfo><item><groupId>sg-1</groupId><createTime>2026-12-03T06:50:01.000Z</createTime><ipPermissions><item>22</item><item>443</item></ipPermissions></item>'
      + '<item><groupId>sg-&lt;2&gt;</groupId><ipPermissions></ipPermissions></item></securityGroupInfo><return>true</return></DescribeResponse>');
  });

  it('writes only the requestId for an operation without output', () => {
    assert.equal(ec2QueryCodec.encodeOutput(model, model.operations.Ping, {}, 'req-2').body,
      '<PingResponse xmlns="http://boats.example/doc/2016-11-15/"><requestId>req-2</requestId></PingResponse>');
  });
});

describe('ec2Query encodeError', () => {
  it('writes Response/Errors/Error with the code as thrown and RequestID', () => {
    const response = ec2QueryCodec.encodeError(model, new AwsError('InvalidGroup.NotFound', "The security group 'sg-1' does not exist & more"), 'req-3');
    assert.equal(response.status, 400);
    assert.deepEqual(response.headers, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': 'req-3' });
    assert.equal(response.body, '<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>'
      + '<Message>The security group &apos;sg-1&apos; does not exist &amp; more</Message></Error></Errors><RequestID>req-3</RequestID></Response>');
  });

  it('keeps the status of server errors', () => {
    assert.equal(ec2QueryCodec.encodeError(undefined, new AwsError('InternalError', 'x', 500), 'req-4').status, 500);
  });
});
