/**
 * Sanity of the committed, generated service models: every reference resolves, the services'
 * wire metadata is what the SDK clients send, and spot checks of what each source contributed
 * (constraints from botocore, enums and members from the current SDK).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ecrSdk from '@aws-sdk/client-ecr';
import * as ec2Sdk from '@aws-sdk/client-ec2';
import * as secretsmanagerSdk from '@aws-sdk/client-secrets-manager';
import * as ssmSdk from '@aws-sdk/client-ssm';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as iamSdk from '@aws-sdk/client-iam';
import * as stsSdk from '@aws-sdk/client-sts';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as schedulerSdk from '@aws-sdk/client-scheduler';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import * as acmSdk from '@aws-sdk/client-acm';
import * as servicediscoverySdk from '@aws-sdk/client-servicediscovery';
import * as codedeploySdk from '@aws-sdk/client-codedeploy';
import * as sqsSdk from '@aws-sdk/client-sqs';
import * as applicationAutoscalingSdk from '@aws-sdk/client-application-auto-scaling';
import * as autoscalingSdk from '@aws-sdk/client-auto-scaling';
import type { MemberRef, ServiceModel, Shape } from '../model/types.ts';
import { ec2Model } from './ec2.ts';
import { secretsmanagerModel } from './secretsmanager.ts';
import { ssmModel } from './ssm.ts';
import { ecrModel } from './ecr.ts';
import { ecsModel } from './ecs.ts';
import { iamModel } from './iam.ts';
import { stsModel } from './sts.ts';
import { logsModel } from './logs.ts';
import { eventsModel } from './events.ts';
import { schedulerModel } from './scheduler.ts';
import { elbv2Model } from './elbv2.ts';
import { acmModel } from './acm.ts';
import { servicediscoveryModel } from './servicediscovery.ts';
import { codedeployModel } from './codedeploy.ts';
import { sqsModel } from './sqs.ts';
import { sqsQueryModel } from './sqs-query.ts';
import { applicationAutoscalingModel } from './application-autoscaling.ts';
import { autoscalingModel } from './autoscaling.ts';

const models: Record<string, ServiceModel> = {
  ecs: ecsModel, ecr: ecrModel, iam: iamModel, sts: stsModel, ec2: ec2Model, secretsmanager: secretsmanagerModel, ssm: ssmModel, logs: logsModel, events: eventsModel,
  scheduler: schedulerModel, elbv2: elbv2Model, acm: acmModel,
  servicediscovery: servicediscoveryModel, codedeploy: codedeployModel, sqs: sqsModel, 'sqs-query': sqsQueryModel, 'application-autoscaling': applicationAutoscalingModel,
  autoscaling: autoscalingModel,
};
const clients: Record<string, object> = {
  ecs: ecsSdk, ecr: ecrSdk, iam: iamSdk, sts: stsSdk, ec2: ec2Sdk, secretsmanager: secretsmanagerSdk, ssm: ssmSdk, logs: logsSdk, events: eventsSdk,
  scheduler: schedulerSdk, elbv2: elbv2Sdk, acm: acmSdk,
  servicediscovery: servicediscoverySdk, codedeploy: codedeploySdk, sqs: sqsSdk, 'sqs-query': sqsSdk, 'application-autoscaling': applicationAutoscalingSdk,
  autoscaling: autoscalingSdk,
};
/** The APIs whose model holds only the operations Wharf serves (scripts/generate-models.ts's `operations`). */
const narrowed: Record<string, number> = { ec2: 35, ssm: 13, elbv2: 34, codedeploy: 28, autoscaling: 14 };

function refsOf(shape: Shape): [string, MemberRef][] {
  switch (shape.type) {
    case 'structure':
      return Object.entries(shape.members);
    case 'list':
      return [['member', shape.member]];
    case 'map':
      return [['key', shape.key], ['value', shape.value]];
    default:
      return [];
  }
}

for (const [id, model] of Object.entries(models)) {
  describe(`${id} model`, () => {
    test('has exactly the operations of the installed SDK client (regenerate after upgrading it)', () => {
      const commands = Object.keys(clients[id]!).filter((k) => /^[A-Z]\w*Command$/.test(k)).map((k) => k.slice(0, -'Command'.length));
      if (narrowed[id] !== undefined) {
        assert.equal(Object.keys(model.operations).length, narrowed[id]);
        assert.deepEqual(Object.keys(model.operations).filter((name) => !commands.includes(name)), []);
      } else {
        assert.deepEqual(Object.keys(model.operations).sort(), commands.sort());
      }
    });

    test('every operation names itself and its input, output and errors exist as structures', () => {
      assert.ok(Object.keys(model.operations).length > 5);
      for (const [name, op] of Object.entries(model.operations)) {
        assert.equal(op.name, name);
        for (const shape of [op.input, op.output].filter((s) => s !== undefined)) {
          assert.equal(model.shapes[shape]?.type, 'structure', `${name}: ${shape}`);
        }
        for (const error of op.errors ?? []) {
          const shape = model.shapes[error];
          assert.ok(shape?.type === 'structure' && shape.exception && shape.error, `${name}: error ${error}`);
        }
      }
    });

    test('every member, list member and map key/value refers to a shape of the model', () => {
      for (const [name, shape] of Object.entries(model.shapes)) {
        for (const [member, ref] of refsOf(shape)) assert.ok(model.shapes[ref.shape], `${name}.${member} → ${ref.shape}`);
        if (shape.type === 'structure') {
          for (const required of shape.required ?? []) assert.ok(shape.members[required], `${name} requires unknown ${required}`);
        }
      }
    });

    test('every shape is reachable from an operation or is an error', () => {
      const reached = new Set<string>();
      const visit = (name: string): void => {
        if (reached.has(name)) return;
        reached.add(name);
        for (const [, ref] of refsOf(model.shapes[name]!)) visit(ref.shape);
      };
      for (const op of Object.values(model.operations)) for (const s of [op.input, op.output]) if (s) visit(s);
      for (const [name, shape] of Object.entries(model.shapes)) if (shape.type === 'structure' && shape.exception) visit(name);
      assert.deepEqual(Object.keys(model.shapes).filter((n) => !reached.has(n)), []);
    });

    test('constraints are well formed', () => {
      for (const [name, shape] of Object.entries(model.shapes)) {
        if ('min' in shape && shape.min !== undefined && 'max' in shape && shape.max !== undefined) assert.ok(shape.min <= shape.max, name);
        if (shape.type === 'string' && shape.enum) assert.ok(shape.enum.length > 0, name);
      }
    });
  });
}

describe('service metadata', () => {
  test('ECS: AWS JSON 1.1, its target prefix, signed as ecs', () => {
    assert.equal(ecsModel.metadata.protocol, 'awsJson1_1');
    assert.equal(ecsModel.metadata.targetPrefix, 'AmazonEC2ContainerServiceV20141113');
    assert.equal(ecsModel.metadata.signingName, 'ecs');
    assert.equal(ecsModel.metadata.apiVersion, '2014-11-13');
    assert.equal(ecsModel.metadata.serviceId, 'ECS');
  });

  test('ECR: AWS JSON 1.1, its target prefix, signed as ecr', () => {
    assert.equal(ecrModel.metadata.protocol, 'awsJson1_1');
    assert.equal(ecrModel.metadata.targetPrefix, 'AmazonEC2ContainerRegistry_V20150921');
    assert.equal(ecrModel.metadata.signingName, 'ecr');
  });

  test('IAM and STS: AWS Query with their versions and XML namespaces', () => {
    assert.deepEqual(
      [iamModel.metadata.protocol, iamModel.metadata.apiVersion, iamModel.metadata.signingName, iamModel.metadata.xmlNamespace],
      ['awsQuery', '2010-05-08', 'iam', 'https://iam.amazonaws.com/doc/2010-05-08/'],
    );
    assert.deepEqual(
      [stsModel.metadata.protocol, stsModel.metadata.apiVersion, stsModel.metadata.signingName, stsModel.metadata.xmlNamespace],
      ['awsQuery', '2011-06-15', 'sts', 'https://sts.amazonaws.com/doc/2011-06-15/'],
    );
    assert.equal(iamModel.metadata.targetPrefix, undefined);
  });

  test('ACM: AWS JSON 1.1, its target prefix, signed as acm', () => {
    assert.deepEqual([acmModel.metadata.protocol, acmModel.metadata.targetPrefix, acmModel.metadata.signingName], ['awsJson1_1', 'CertificateManager', 'acm']);
  });

  test('Cloud Map: AWS JSON 1.1, its target prefix, signed as servicediscovery', () => {
    const m = servicediscoveryModel.metadata;
    assert.deepEqual([m.protocol, m.targetPrefix, m.signingName], ['awsJson1_1', 'Route53AutoNaming_v20170314', 'servicediscovery']);
  });

  test('CodeDeploy: AWS JSON 1.1, its target prefix, signed as codedeploy', () => {
    const m = codedeployModel.metadata;
    assert.deepEqual([m.protocol, m.targetPrefix, m.signingName], ['awsJson1_1', 'CodeDeploy_20141006', 'codedeploy']);
  });

  test('SQS: AWS JSON 1.0, its target prefix, signed as sqs, also served in awsQuery', () => {
    const m = sqsModel.metadata;
    assert.deepEqual([m.protocol, m.targetPrefix, m.signingName, m.awsQueryCompatible], ['awsJson1_0', 'AmazonSQS', 'sqs', true]);
  });

  test('SQS\'s Query form: awsQuery with the same version and signing name, the Query namespace, no target', () => {
    const m = sqsQueryModel.metadata;
    assert.deepEqual([m.protocol, m.apiVersion, m.signingName, m.xmlNamespace, m.targetPrefix], ['awsQuery', '2012-11-05', 'sqs', 'http://queue.amazonaws.com/doc/2012-11-05/', undefined]);
  });

  test('Application Auto Scaling: AWS JSON 1.1, its target prefix, signed as application-autoscaling', () => {
    const m = applicationAutoscalingModel.metadata;
    assert.deepEqual([m.protocol, m.targetPrefix, m.signingName], ['awsJson1_1', 'AnyScaleFrontendService', 'application-autoscaling']);
  });

  test('EC2 Auto Scaling: the Query protocol, its version and namespace, signed as autoscaling', () => {
    const m = autoscalingModel.metadata;
    assert.deepEqual([m.protocol, m.apiVersion, m.signingName, m.xmlNamespace], ['awsQuery', '2011-01-01', 'autoscaling', 'http://autoscaling.amazonaws.com/doc/2011-01-01/']);
  });

  test('EC2: the EC2 Query protocol, its version and namespace, signed as ec2', () => {
    assert.deepEqual(
      [ec2Model.metadata.protocol, ec2Model.metadata.apiVersion, ec2Model.metadata.signingName, ec2Model.metadata.xmlNamespace],
      ['ec2Query', '2016-11-15', 'ec2', 'http://ec2.amazonaws.com/doc/2016-11-15'],
    );
  });
});

describe('SQS\'s Query form', () => {
  test('the JSON model\'s structures, members, required members and errors: only wire names differ', () => {
    for (const [name, shape] of Object.entries(sqsModel.shapes)) {
      const query = sqsQueryModel.shapes[name];
      assert.equal(query?.type, shape.type, name);
      if (shape.type !== 'structure' || query?.type !== 'structure') continue;
      assert.deepEqual(Object.keys(query.members), Object.keys(shape.members), name);
      assert.deepEqual([query.required, query.error], [shape.required, shape.error], name);
    }
    for (const [name, op] of Object.entries(sqsModel.operations)) {
      const { resultWrapper: _json, ...rest } = op;
      const { resultWrapper: _query, ...queryRest } = sqsQueryModel.operations[name]!;
      assert.deepEqual(queryRest, rest, name);
    }
  });

  test('members named as SQS\'s Query API names them: flattened lists by their items, maps as Name/Value or Key/Value', () => {
    const member = (structure: string, name: string) => {
      const shape = sqsQueryModel.shapes[structure];
      assert.ok(shape?.type === 'structure');
      return shape.members[name]!;
    };
    assert.equal(member('SendMessageRequest', 'MessageAttributes').locationName, 'MessageAttribute');
    assert.deepEqual(sqsQueryModel.shapes.MessageBodyAttributeMap, {
      type: 'map', key: { shape: 'String', locationName: 'Name' }, value: { shape: 'MessageAttributeValue', locationName: 'Value' }, flattened: true,
    });
    assert.equal(member('ReceiveMessageResult', 'Messages').locationName, 'Message');
    assert.equal(member('Message', 'Attributes').locationName, 'Attribute');
    assert.equal(member('SendMessageBatchRequest', 'Entries').locationName, 'SendMessageBatchRequestEntry');
    assert.equal(member('DeleteMessageBatchResult', 'Failed').locationName, 'BatchResultErrorEntry');
    assert.equal(member('GetQueueAttributesRequest', 'AttributeNames').locationName, 'AttributeName');
    assert.equal(member('ListQueuesResult', 'QueueUrls').locationName, 'QueueUrl');
    assert.equal(member('TagQueueRequest', 'Tags').locationName, 'Tag');
    assert.equal(member('CreateQueueRequest', 'tags').locationName, 'Tag');
    assert.equal(member('UntagQueueRequest', 'TagKeys').locationName, 'TagKey');
    assert.equal(sqsQueryModel.operations.ReceiveMessage?.resultWrapper, 'ReceiveMessageResult');
  });

  test('ReceiveMessage\'s AttributeName.N takes the message attributes\' names, as the Query API did', () => {
    const receive = sqsQueryModel.shapes.ReceiveMessageRequest;
    assert.ok(receive?.type === 'structure');
    const list = sqsQueryModel.shapes[receive.members.AttributeNames!.shape];
    assert.ok(list?.type === 'list');
    const names = sqsQueryModel.shapes[list.member.shape];
    assert.ok(names?.type === 'string' && names.enum?.includes('ApproximateReceiveCount') && names.enum.includes('All'));
  });
});

describe('what each source contributed', () => {
  test('IAM userNameType: botocore length and pattern', () => {
    assert.deepEqual(iamModel.shapes.userNameType, { type: 'string', min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
    const createUser = iamModel.shapes.CreateUserRequest;
    assert.ok(createUser?.type === 'structure');
    assert.equal(createUser.members.UserName?.shape, 'userNameType');
    assert.deepEqual(createUser.required, ['UserName']);
  });

  test('IAM: Query result wrappers and error codes as the Query protocol sends them', () => {
    assert.equal(iamModel.operations.CreateUser?.resultWrapper, 'CreateUserResult');
    assert.equal(iamModel.operations.DeleteUser?.resultWrapper, undefined, 'no output, no wrapper');
    assert.deepEqual(iamModel.shapes.NoSuchEntityException, {
      type: 'structure', members: { message: { shape: 'noSuchEntityMessage' } },
      error: { code: 'NoSuchEntity', httpStatusCode: 404, senderFault: true }, exception: true,
    });
    assert.ok(iamModel.operations.CreateUser?.errors?.includes('EntityAlreadyExistsException'));
  });

  test('ECS LaunchType: the enum of the current SDK, newer than botocore', () => {
    const launchType = ecsModel.shapes.LaunchType;
    assert.ok(launchType?.type === 'string');
    assert.deepEqual([...(launchType.enum ?? [])].sort(), Object.values(ecsSdk.LaunchType).sort());
    assert.ok(launchType.enum?.includes('MANAGED_INSTANCES'));
  });

  test('ECS RunTask: members in model order, taskDefinition required, clientToken an idempotency token', () => {
    const runTask = ecsModel.shapes.RunTaskRequest;
    assert.ok(runTask?.type === 'structure');
    assert.deepEqual(runTask.required, ['taskDefinition']);
    assert.deepEqual(runTask.members.clientToken, { shape: 'String', idempotencyToken: true });
    const names = Object.keys(runTask.members);
    assert.equal(names[0], 'capacityProviderStrategy');
    assert.ok(names.indexOf('taskDefinition') < names.indexOf('clientToken'));
    assert.equal(ecsModel.shapes.ClusterFieldList?.type, 'list');
  });

  test('ECS errors: code is the shape name, status from the SDK (403) or the fault (400/500)', () => {
    const error = (name: string) => {
      const shape = ecsModel.shapes[name];
      assert.ok(shape?.type === 'structure');
      return shape.error;
    };
    assert.deepEqual(error('ClusterNotFoundException'), { code: 'ClusterNotFoundException', httpStatusCode: 400, senderFault: true });
    assert.deepEqual(error('ServerException'), { code: 'ServerException', httpStatusCode: 500 });
    assert.equal(error('AccessDeniedException')?.httpStatusCode, 403);
  });

  test('ECR: enums and ranges', () => {
    const tagStatus = ecrModel.shapes.TagStatus;
    assert.ok(tagStatus?.type === 'string');
    assert.deepEqual(tagStatus.enum, ['TAGGED', 'UNTAGGED', 'ANY']);
    assert.deepEqual(ecrModel.shapes.MaxResults, { type: 'integer', min: 1, max: 1000 });
  });

  test('EC2: a narrowed model with wire names, query names and ranges of the served operations only', () => {
    assert.equal(ec2Model.operations.CreateVolume, undefined);
    assert.equal(ec2Model.shapes.CreateVolumeRequest, undefined);
    const group = ec2Model.shapes.SecurityGroup;
    assert.ok(group?.type === 'structure');
    assert.deepEqual(group.members.Description, { shape: 'String', locationName: 'groupDescription', queryName: 'GroupDescription' });
    const create = ec2Model.shapes.CreateSecurityGroupRequest;
    assert.ok(create?.type === 'structure');
    assert.deepEqual(create.required, ['Description', 'GroupName']);
    assert.deepEqual(ec2Model.shapes.DescribeSecurityGroupsMaxResults, { type: 'integer', min: 5, max: 1000 });
  });

  test('sensitive members come from the SDK', () => {
    const password = iamModel.shapes.passwordType;
    assert.ok(password?.type === 'string' && password.sensitive);
    const credentials = stsModel.shapes.Credentials;
    assert.ok(credentials?.type === 'structure');
    const secret = stsModel.shapes[credentials.members.SecretAccessKey!.shape];
    assert.ok(secret?.type === 'string' && secret.sensitive);
  });
});
