import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parsePolicy, type EvaluationRequest } from '../policy/index.ts';
import { managedPolicies, managedPolicyByArn, managedPolicyByName } from './index.ts';

const NAMES = [
  'AmazonECSTaskExecutionRolePolicy', 'AmazonEC2ContainerServiceforEC2Role', 'AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEC2ContainerRegistryPowerUser', 'AmazonEC2ContainerRegistryFullAccess', 'ReadOnlyAccess', 'AdministratorAccess', 'AmazonECSServiceRolePolicy',
];

const role = { arn: 'arn:aws:sts::123456789012:assumed-role/r/s', account: '123456789012', userId: 'AROAEXAMPLE:s', kind: 'assumed-role' as const };
const may = (name: string, action: string, resource = '*', context: EvaluationRequest['context'] = {}) =>
  evaluate({ principal: role, action, resource, context, identityPolicies: [managedPolicyByName(name)!.policy] }).decision === 'Allow';

describe('AWS managed policies', () => {
  it('ships each named policy once, with its ARN built from its path', () => {
    assert.deepEqual(managedPolicies.map((p) => p.name).sort(), NAMES.slice().sort());
    assert.equal(managedPolicyByName('AmazonECSTaskExecutionRolePolicy')!.arn, 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy');
    assert.equal(managedPolicyByName('AmazonECSServiceRolePolicy')!.arn, 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy');
    assert.equal(managedPolicyByName('AdministratorAccess')!.arn, 'arn:aws:iam::aws:policy/AdministratorAccess');
    assert.equal(managedPolicyByArn('arn:aws:iam::aws:policy/ReadOnlyAccess')!.name, 'ReadOnlyAccess');
    assert.equal(managedPolicyByArn('arn:aws:iam::aws:policy/Nope'), undefined);
    assert.deepEqual(managedPolicyByName('AmazonECSServiceRolePolicy')!.serviceLinkedRole, { roleName: 'AWSServiceRoleForECS', servicePrincipal: 'ecs.amazonaws.com' });
  });

  it('carries IAM metadata for each', () => {
    for (const p of managedPolicies) {
      assert.match(p.id, /^ANPA[A-Z0-9]{17}$/, p.name);
      assert.match(p.defaultVersionId, /^v\d+$/, p.name);
      assert.ok(p.description.length > 0, p.name);
      assert.ok(!Number.isNaN(Date.parse(p.createDate)) && !Number.isNaN(Date.parse(p.updateDate)), p.name);
      assert.ok(Date.parse(p.createDate) <= Date.parse(p.updateDate), p.name);
      assert.ok(p.arn.endsWith(`${p.path}${p.name}`), p.name);
      assert.equal(p.policy.arn, p.arn);
    }
  });

  it('every document parses as an identity policy (and as IAM would store it: 2012-10-17)', () => {
    for (const p of managedPolicies) {
      const parsed = parsePolicy(p.document, 'identity', { requireCurrentVersion: true });
      assert.ok(parsed.statements.length > 0, p.name);
    }
  });

  it('grant what they are for', () => {
    assert.equal(may('AmazonECSTaskExecutionRolePolicy', 'ecr:GetAuthorizationToken'), true);
    assert.equal(may('AmazonECSTaskExecutionRolePolicy', 'logs:PutLogEvents', 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:x'), true);
    assert.equal(may('AmazonECSTaskExecutionRolePolicy', 'ecs:RunTask'), false);
    assert.equal(may('AmazonEC2ContainerServiceforEC2Role', 'ecs:SubmitTaskStateChange'), true);
    assert.equal(may('AmazonEC2ContainerServiceforEC2Role', 'ecs:TagResource', '*', { 'ecs:CreateAction': 'RegisterContainerInstance' }), true);
    assert.equal(may('AmazonEC2ContainerServiceforEC2Role', 'ecs:TagResource', '*', { 'ecs:CreateAction': 'RunTask' }), false);
    assert.equal(may('AmazonECS_FullAccess', 'ecs:DeleteCluster', 'arn:aws:ecs:us-east-1:123456789012:cluster/x'), true);
    assert.equal(may('AmazonECS_FullAccess', 'iam:PassRole', 'arn:aws:iam::123456789012:role/t', { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }), true);
    assert.equal(may('AmazonECS_FullAccess', 'iam:PassRole', 'arn:aws:iam::123456789012:role/t', { 'iam:PassedToService': 'lambda.amazonaws.com' }), false);
    assert.equal(may('AmazonECS_FullAccess', 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/aws/service/ecs/optimized-ami'), true);
    assert.equal(may('AmazonEC2ContainerRegistryReadOnly', 'ecr:BatchGetImage'), true);
    assert.equal(may('AmazonEC2ContainerRegistryReadOnly', 'ecr:PutImage'), false);
    assert.equal(may('AmazonEC2ContainerRegistryPowerUser', 'ecr:PutImage'), true);
    assert.equal(may('AmazonEC2ContainerRegistryPowerUser', 'ecr:DeleteRepository'), false);
    assert.equal(may('AmazonEC2ContainerRegistryFullAccess', 'ecr:DeleteRepository'), true);
    assert.equal(may('ReadOnlyAccess', 'ecs:DescribeServices'), true);
    assert.equal(may('ReadOnlyAccess', 'ecs:CreateService'), false);
    assert.equal(may('ReadOnlyAccess', 'iam:ListRoles'), true);
    assert.equal(may('ReadOnlyAccess', 'sqs:ReceiveMessage'), true);
    assert.equal(may('ReadOnlyAccess', 's3:GetObject'), false);
    assert.equal(may('AdministratorAccess', 'anything:AtAll'), true);
    assert.equal(may('AmazonECSServiceRolePolicy', 'ec2:CreateNetworkInterface'), true);
    assert.equal(may('AmazonECSServiceRolePolicy', 'servicediscovery:DeleteService', '*', { 'aws:ResourceTag/AmazonECSManaged': 'true' }), true);
    assert.equal(may('AmazonECSServiceRolePolicy', 'servicediscovery:DeleteService'), false);
    assert.equal(may('AmazonECSServiceRolePolicy', 'logs:CreateLogStream', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/ecs/x:log-stream:y'), true);
  });
});
