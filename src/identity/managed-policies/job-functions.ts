/**
 * The job-function policies Wharf ships: AdministratorAccess (everything) and ReadOnlyAccess.
 *
 * ReadOnlyAccess is AWS's largest managed policy (hundreds of services). Wharf carries the
 * statements of its version v87 for the services Wharf serves (ecs, ecr, iam, sts, ec2,
 * elasticloadbalancing, logs, cloudwatch, events, application-autoscaling, sqs,
 * secretsmanager, ssm, servicediscovery, codedeploy, elasticfilesystem, autoscaling, acm),
 * as published, and leaves the other services' lines out. v87 predates EventBridge Scheduler,
 * so it grants no scheduler actions.
 */
import type { ManagedPolicyData } from './types.ts';

/** Full access to every service and resource. */
export const AdministratorAccess: ManagedPolicyData = {
  name: 'AdministratorAccess',
  path: '/',
  id: 'ANPAIWMBCKSKIEE64ZLYK',
  description: 'Provides full access to AWS services and resources.',
  defaultVersionId: 'v1',
  createDate: '2015-02-06T18:39:46Z',
  updateDate: '2015-02-06T18:39:46Z',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** Read-only access, restricted to the services Wharf serves (see the file comment). */
export const ReadOnlyAccess: ManagedPolicyData = {
  name: 'ReadOnlyAccess',
  path: '/',
  id: 'ANPAILL3HVNFSB6DCOWYQ',
  description: 'Provides read-only access to AWS services and resources.',
  defaultVersionId: 'v87',
  createDate: '2015-02-06T18:39:48Z',
  updateDate: '2022-05-23T20:16:18Z',
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'acm:Describe*', 'acm:Get*', 'acm:List*',
          'application-autoscaling:Describe*',
          'autoscaling:Describe*', 'autoscaling:GetPredictiveScalingForecast',
          'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
          'codedeploy:BatchGet*', 'codedeploy:Get*', 'codedeploy:List*',
          'ec2:Describe*', 'ec2:Get*', 'ec2:ListSnapshotsInRecycleBin', 'ec2:SearchLocalGatewayRoutes', 'ec2:SearchTransitGatewayRoutes',
          'ecr:BatchCheck*', 'ecr:BatchGet*', 'ecr:Describe*', 'ecr:Get*', 'ecr:List*',
          'ecs:Describe*', 'ecs:List*',
          'elasticfilesystem:Describe*',
          'elasticloadbalancing:Describe*',
          'events:Describe*', 'events:List*', 'events:Test*',
          'iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*',
          'logs:Describe*', 'logs:FilterLogEvents', 'logs:Get*', 'logs:ListTagsLogGroup', 'logs:StartQuery', 'logs:StopQuery',
          'logs:TestMetricFilter',
          'secretsmanager:Describe*', 'secretsmanager:GetResourcePolicy', 'secretsmanager:List*',
          'servicediscovery:Get*', 'servicediscovery:List*',
          'sqs:Get*', 'sqs:List*', 'sqs:Receive*',
          'ssm:Describe*', 'ssm:Get*', 'ssm:List*',
          'sts:GetAccessKeyInfo', 'sts:GetCallerIdentity', 'sts:GetSessionToken',
        ],
        Resource: '*',
      },
    ],
  },
};
