/**
 * The ec2Query codec against the real @aws-sdk/client-ec2, driving the slice of botocore's EC2
 * model in `ec2-model.testing.ts` (it has DescribeKeyPairs, which Wharf's own model leaves out): the SDK's
 * `Filter.1.Value.1`-style parameters decode to the command's input; `<item>` lists, EC2's
 * lower-case element names and millisecond timestamps come back as the handler gave them; an
 * error arrives as EC2ServiceException named by its code (EC2 models no error shapes).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand, DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, EC2Client, EC2ServiceException,
  type AuthorizeSecurityGroupIngressCommandInput, type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../errors.ts';
import { ec2TestModel } from './ec2-model.testing.ts';
import { clientConfig, startCodecServer, type CodecServer, type DecodedCall } from './roundtrip.testing.ts';

let answer: (call: DecodedCall) => object = () => ({});
let server: CodecServer;
let ec2: EC2Client;

before(async () => {
  server = await startCodecServer(ec2TestModel, (call) => answer(call));
  ec2 = new EC2Client(clientConfig(server.url));
});

after(async () => {
  ec2.destroy();
  await server.close();
});

function body<T extends { $metadata?: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...rest } = output;
  return rest;
}

const lastCall = () => server.calls.at(-1);

describe('EC2 through @aws-sdk/client-ec2', () => {
  it('DescribeSecurityGroups: Filters with values and GroupIds in; groups with nested IpPermissions out', async () => {
    const groups: SecurityGroup[] = [{
      GroupId: 'sg-1', GroupName: 'web', Description: 'web & <friends>', OwnerId: '123456789012', VpcId: 'vpc-1',
      IpPermissions: [{
        IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'anyone' }, { CidrIp: '10.0.0.0/8' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: 'sg-2', UserId: '123456789012', Description: 'peers' }],
      }],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
      Tags: [{ Key: 'Name', Value: 'web' }],
    }, { GroupId: 'sg-2', GroupName: 'db', Description: '', OwnerId: '123456789012', IpPermissions: [], IpPermissionsEgress: [], Tags: [] }];
    answer = () => ({ SecurityGroups: groups, NextToken: 'next' });
    const input = {
      Filters: [{ Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] }, { Name: 'group-name', Values: ['web'] }],
      GroupIds: ['sg-1', 'sg-2'], DryRun: false, MaxResults: 10,
    };
    const got = await ec2.send(new DescribeSecurityGroupsCommand(input));
    assert.deepEqual(lastCall(), { operation: 'DescribeSecurityGroups', input });
    assert.deepEqual(body(got), { SecurityGroups: groups, NextToken: 'next' });
  });

  it('DescribeSecurityGroups: empty input lists are not sent, and an empty answer reads back', async () => {
    answer = () => ({ SecurityGroups: [] });
    const got = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [], Filters: [] }));
    assert.deepEqual(lastCall()?.input, {}, 'ec2Query sends no parameter for an empty list');
    assert.deepEqual(body(got), { SecurityGroups: [] });
  });

  it('AuthorizeSecurityGroupIngress: IpPermissions with nested lists and TagSpecifications in; rules out', async () => {
    const input: AuthorizeSecurityGroupIngressCommandInput = {
      GroupId: 'sg-1',
      IpPermissions: [{
        IpProtocol: 'tcp', FromPort: 22, ToPort: 22,
        IpRanges: [{ CidrIp: '203.0.113.0/24', Description: 'office' }],
        Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }],
        UserIdGroupPairs: [{ GroupId: 'sg-9', Description: 'bastion' }],
        PrefixListIds: [{ PrefixListId: 'pl-1' }],
      }, { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'wharf' }] }],
      DryRun: true,
    };
    const output = {
      Return: true,
      SecurityGroupRules: [{
        SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', GroupOwnerId: '123456789012', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22,
        CidrIpv4: '203.0.113.0/24', Description: 'office', Tags: [{ Key: 'team', Value: 'wharf' }],
        ReferencedGroupInfo: { GroupId: 'sg-9', UserId: '123456789012' },
      }],
    };
    answer = () => output;
    const got = await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
    assert.deepEqual(lastCall(), { operation: 'AuthorizeSecurityGroupIngress', input });
    assert.deepEqual(body(got), output);
  });

  it('DescribeKeyPairs: timestamps written with milliseconds read back as the same Dates', async () => {
    const keyPairs = [
      { KeyPairId: 'key-1', KeyName: 'deploy', KeyFingerprint: 'ab:cd', KeyType: 'ed25519' as const, CreateTime: new Date('2026-12-03T06:50:01Z'), Tags: [] },
      { KeyPairId: 'key-2', KeyName: 'ops', CreateTime: new Date('2026-12-03T06:50:01.250Z'), PublicKey: 'ssh-ed25519 AAAA ops' },
    ];
    answer = () => ({ KeyPairs: keyPairs });
    const got = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['deploy', 'ops'], IncludePublicKey: true }));
    assert.deepEqual(lastCall()?.input, { KeyNames: ['deploy', 'ops'], IncludePublicKey: true });
    assert.deepEqual(body(got), { KeyPairs: keyPairs });
    assert.match(String(server.responses.at(-1)?.body), /<createTime>2026-12-03T06:50:01\.000Z<\/createTime>/);
  });

  it('errors: the code as thrown, its message and status on EC2ServiceException', async () => {
    answer = () => { throw new AwsError('InvalidGroup.NotFound', "The security group 'sg-404' does not exist"); };
    const caught = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-404'] })).then(() => assert.fail('succeeded'), (e: unknown) => e);
    assert.ok(caught instanceof EC2ServiceException);
    assert.equal(caught.name, 'InvalidGroup.NotFound');
    assert.equal(caught.message, "The security group 'sg-404' does not exist");
    assert.equal(caught.$fault, 'client');
    assert.equal(caught.$metadata.httpStatusCode, 400);
    assert.match(caught.$metadata.requestId ?? '', /^00000000-/);
  });

  it('errors: a value that does not parse is InvalidParameterValue naming the parameter', async () => {
    const caught = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 'many' as unknown as number })).then(() => assert.fail('succeeded'), (e: unknown) => e);
    assert.ok(caught instanceof EC2ServiceException);
    assert.equal(caught.name, 'InvalidParameterValue');
    assert.match(caught.message, /parameter MaxResults is invalid/);
  });
});
