/**
 * Writes `docs/coverage/<api>.md`: every operation of each AWS API Wharf serves, from the API's
 * model, marked supported, partly (with what is left out, from the adapter's `partly`) or not
 * yet (the model has it, Wharf does not). Run `npx tsx scripts/coverage.ts` after changing an
 * adapter; `scripts/coverage.test.ts` fails while the docs and the adapters disagree.
 */
import { writeFileSync } from 'node:fs';
import type { ServiceDefinition } from '../src/aws/index.ts';
import { ecsService } from '../src/services/ecs/index.ts';
import { ec2Service } from '../src/services/ec2/index.ts';
import { ecrService } from '../src/services/ecr/index.ts';
import { iamService } from '../src/services/iam/index.ts';
import { secretsManagerService } from '../src/services/secretsmanager/index.ts';
import { stsService } from '../src/services/sts/index.ts';
import { ssmService } from '../src/services/ssm/index.ts';
import { efsService } from '../src/services/efs/index.ts';
import { logsService } from '../src/services/logs/index.ts';
import { eventsService } from '../src/services/events/index.ts';
import { schedulerService } from '../src/services/scheduler/index.ts';
import { cloudWatchService } from '../src/services/cloudwatch/index.ts';
import { elbv2Service } from '../src/services/elbv2/index.ts';
import { acmService } from '../src/services/acm/index.ts';
import { serviceDiscoveryService } from '../src/services/servicediscovery/index.ts';
import { codeDeployService } from '../src/services/codedeploy/index.ts';
import { sqsService } from '../src/services/sqs/index.ts';
import { applicationAutoScalingService } from '../src/services/application-autoscaling/index.ts';
import { autoScalingService } from '../src/services/autoscaling/index.ts';

/** Each adapter, built only to read its operation table (its dependencies are never touched). */
const untouchable = new Proxy({}, { get: (_t, name) => { throw new Error(`an adapter read deps.${String(name)} while being built`); } });
const adapters: Array<{ file: string; title: string; build: (deps: never) => unknown; note?: string }> = [
  { file: 'ecs', title: 'Amazon ECS', build: ecsService },
  { file: 'ecr', title: 'Amazon ECR', build: ecrService },
  { file: 'iam', title: 'AWS IAM', build: iamService },
  { file: 'sts', title: 'AWS STS', build: stsService },
  {
    file: 'ec2', title: 'Amazon EC2 (VPC networking, instances, launch templates)', build: ec2Service,
    note: 'Wharf\'s EC2 model holds only the VPC networking, instance and launch template operations below (`scripts/generate-models.ts` narrows EC2\'s '
      + 'several hundred operations to them); any other EC2 action answers `InvalidAction`. See [docs/vpc.md](../vpc.md) and [docs/ec2-instances.md](../ec2-instances.md).',
  },
  {
    file: 'secretsmanager', title: 'AWS Secrets Manager', build: secretsManagerService,
    note: 'Secret values are sealed at rest (AES-256-GCM under the control plane\'s key, bound to each secret\'s ARN and version id); '
      + 'a secret whose recovery window has passed is gone. No rotation (Wharf runs no Lambda) and no replication to other Regions.',
  },
  {
    file: 'ssm', title: 'AWS Systems Manager Parameter Store', build: ssmService,
    note: 'Wharf\'s SSM model holds only Parameter Store\'s operations below (`scripts/generate-models.ts` narrows SSM to them). '
      + 'SecureString values are sealed at rest under the control plane\'s key, bound to each parameter\'s ARN and version.',
  },
  {
    file: 'efs', title: 'Amazon EFS', build: efsService,
    note: 'Wharf\'s EFS model holds only the operations below (`scripts/generate-models.ts` narrows EFS to them). A mount target is '
      + 'a requester-managed interface with an address of its subnet (validated against the VPC records of the EC2 API); '
      + 'ECS tasks\' EFS volumes resolve their file system and access point through the EFS domain.',
  },
  {
    file: 'sqs', title: 'Amazon SQS', build: sqsService,
    note: 'Served in AWS JSON 1.0 (the SDK\'s and newer CLIs\') and in the older Query protocol (AWS CLIs before 2.13), with SQS\'s Query model\'s names. Queues and messages are records in the store '
      + '(a message is its body, written once, and a small state rewritten on each receive); an acknowledged send is committed. See [docs/sqs.md](../sqs.md).',
  },
  {
    file: 'logs', title: 'Amazon CloudWatch Logs', build: logsService,
    note: 'Log groups, streams and metric filters are records in the store; log events live in an append-only event store on disk '
      + '(see [docs/logs.md](../logs.md)). Retention policies are applied by the leader\'s hourly sweep, which deletes whole segments. '
      + 'Metric filters publish into CloudWatch\'s metrics as PutLogEvents takes events. StartLiveTail streams its session as an event '
      + 'stream (`application/vnd.amazon.eventstream`); SDK clients pass `disableHostPrefix: true`. `aws logs tail --follow` works, through FilterLogEvents.',
  },
  {
    file: 'events', title: 'Amazon EventBridge', build: eventsService,
    note: 'Buses, rules (event patterns and schedules), targets and PutEvents with a durable delivery queue; see [docs/events.md](../events.md) for the delivery model.',
  },
  {
    file: 'scheduler', title: 'Amazon EventBridge Scheduler', build: schedulerService,
    note: 'Schedule groups and schedules (`at()`, `rate()`, `cron()` in any IANA time zone, StartDate/EndDate, flexible windows, ActionAfterCompletion) '
      + 'fired by the leader through EventBridge\'s delivery queue, at least once; see [docs/events.md](../events.md#eventbridge-scheduler).',
  },
  {
    file: 'cloudwatch', title: 'Amazon CloudWatch (metrics and alarms)', build: cloudWatchService,
    note: 'Served in AWS JSON 1.0 (the SDK\'s) and awsQuery (the AWS CLI\'s). Datapoints are kept as per-minute aggregates, rolled up '
      + 'to 5 minutes and 1 hour as they age; metric alarms are evaluated every minute by the alarm controller (`src/controllers/alarms`). See [docs/metrics.md](../metrics.md).',
  },
  {
    file: 'elbv2', title: 'Elastic Load Balancing v2', build: elbv2Service,
    note: 'Wharf\'s ELBv2 model holds only the operations below (`scripts/generate-models.ts` narrows ELBv2 to them: no trust stores, '
      + 'capacity reservations or gateway load balancers). Load balancers, listeners, rules, target groups and registrations are records in '
      + 'the store; each load balancer has a loopback address of its own and an interface in each of its subnets. See [docs/load-balancing.md](../load-balancing.md).',
  }, {
    file: 'acm', title: 'AWS Certificate Manager', build: acmService,
    note: 'Certificates are issued at once by Wharf\'s own certificate authority, one per Wharf, whose root is served at `GET /_wharf/acm/ca.pem` '
      + 'and written to `<data-dir>/acm-ca.pem` (see [docs/acm.md](../acm.md)). Private keys are sealed at rest under the control plane\'s key, '
      + 'bound to each certificate\'s ARN, and never returned except by ExportCertificate of an exportable certificate. The ACME operations are not served.',
  }, {
    file: 'servicediscovery', title: 'AWS Cloud Map', build: serviceDiscoveryService,
    note: 'Namespaces, services, instances and operations are records in the store; every change completes in the request that makes it, '
      + 'so operations are SUCCESS at once. DiscoverInstances is served on the API endpoint itself: the SDK prefixes its host with `data-`, '
      + 'so SDK clients pointed at Wharf set `disableHostPrefix: true`. See [docs/service-discovery.md](../service-discovery.md).',
  }, {
    file: 'codedeploy', title: 'AWS CodeDeploy', build: codeDeployService,
    note: 'Blue/green deployments of ECS services (compute platform ECS) only: a deployment replaces the service\'s PRIMARY task set with a new one '
      + 'on the other target group of the pair, shifts the listeners\' forwards to it as the deployment configuration says, and deletes the original. '
      + 'Server and Lambda applications are refused; AppSpec hooks (Lambda functions) are refused. See [docs/codedeploy.md](../codedeploy.md).',
  }, {
    file: 'application-autoscaling', title: 'Application Auto Scaling', build: applicationAutoScalingService,
    note: 'ECS services\' desiredCount (`ecs:service:DesiredCount`) only: target tracking policies with the CloudWatch alarms they own, '
      + 'step scaling run by alarms whose actions name the policy, scheduled actions (`at()`, `rate()`, `cron()` with a time zone). '
      + 'Other namespaces are refused with ValidationException. See [docs/autoscaling.md](../autoscaling.md).',
  }, {
    file: 'autoscaling', title: 'Amazon EC2 Auto Scaling', build: autoScalingService,
    note: 'Wharf\'s EC2 Auto Scaling model holds only the operations below (`scripts/generate-models.ts` narrows it to them: no launch configurations, '
      + 'scaling policies, scheduled actions, lifecycle hooks, warm pools or instance refreshes). Groups launch Wharf\'s EC2 instances from launch templates; '
      + 'the leader\'s Auto Scaling controller keeps each at its desired capacity. See [docs/autoscaling-groups.md](../autoscaling-groups.md).',
  },
];

/** The coverage page of one API. */
export function coveragePage(title: string, def: ServiceDefinition, note?: string): string {
  const names = Object.keys(def.model.operations).sort();
  const partly = (def.partly ?? {}) as Record<string, string | undefined>;
  const status = (name: string) => (!def.operations[name] ? 'not yet' : partly[name] ? 'partly' : 'supported');
  const count = (s: string) => names.filter((n) => status(n) === s).length;
  const rows = names.map((n) => `| ${n} | ${status(n)} | ${partly[n] && def.operations[n] ? partly[n] : ''} |`);
  const { metadata } = def.model;
  return [
    `# ${title} in Wharf`,
    '',
    `Protocol \`${metadata.protocol}\`, API version ${metadata.apiVersion}, signing name \`${metadata.signingName}\`. `
      + `Of the ${names.length} operations in the API's model: ${count('supported')} supported, ${count('partly')} partly, `
      + `${count('not yet')} not yet. Every operation Wharf serves is authenticated with SigV4, authorized by IAM `
      + `as \`${def.iamPrefix}:<Operation>\` and validated against the model; one it does not serve answers that it is not implemented.`,
    '',
    ...(note ? [note, ''] : []),
    'Generated by `scripts/coverage.ts` from the model and the adapter; do not edit by hand.',
    '',
    '| operation | status | what is left out |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Every page, by file name. */
export function coveragePages(): Map<string, string> {
  return new Map(adapters.map((a) => [a.file, coveragePage(a.title, a.build(untouchable as never) as ServiceDefinition, a.note)]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, page] of coveragePages()) writeFileSync(new URL(`../docs/coverage/${file}.md`, import.meta.url), page);
}
