/**
 * Sections of a service's page that read other APIs than DescribeServices: its service
 * deployments (ECS's deployment history), its target groups' target health (ELBv2) and its
 * Application Auto Scaling target, policies and activities, each live.
 */
import {
  DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand, type Deployment, type Service, type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { useLive } from '../live.ts';
import { ApiError } from './api-error.tsx';
import { shortArn, Status, time } from './format.tsx';
import { KeyValues } from './key-values.tsx';
import { RouterLink } from './page.tsx';
import { ResourceTable } from './resource-table.tsx';

const ecs = () => client(ECSClient);

/** `arn:…:task-definition/web:3` → a link to that revision's page. */
export function TaskDefinitionLink({ arn }: { arn: string | undefined }) {
  const name = shortArn(arn);
  const colon = name.lastIndexOf(':');
  if (!arn || colon < 0) return <>{name}</>;
  return <RouterLink to={`/task-definitions/${encodeURIComponent(name.slice(0, colon))}/${name.slice(colon + 1)}`}>{name}</RouterLink>;
}

/** The name part of a target group's ARN (`…:targetgroup/web/abc` → `web`). */
export const targetGroupName = (arn: string | undefined): string => (arn ? arn.split(':').pop()!.split('/')[1] ?? arn : '-');

/** The primary deployment's rollout as a progress bar (running of desired), while it is in progress. */
export function RolloutProgress({ service, stopping = 0 }: { service: Service; stopping?: number }) {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary || primary.rolloutState !== 'IN_PROGRESS') return null;
  const desired = primary.desiredCount ?? 0;
  const running = primary.runningCount ?? 0;
  // The rollout is over only once the earlier deployments' tasks have stopped (drained).
  // `stopping`: tasks told to stop that have not yet (draining from their target groups).
  const older = Math.max(stopping, (service.deployments ?? []).filter((d) => d !== primary).reduce((n, d) => n + (d.runningCount ?? 0) + (d.pendingCount ?? 0), 0));
  const share = desired ? Math.min(100, Math.round((running / desired) * 100)) : 100;
  return (
    <Container data-testid="rollout-progress">
      <ProgressBar
        label={`Deployment ${primary.id} in progress`}
        description={primary.rolloutStateReason}
        value={older ? Math.min(share, 99) : share}
        additionalInfo={`${running} of ${desired} tasks running on ${shortArn(primary.taskDefinition)} (${primary.pendingCount ?? 0} pending, ${primary.failedTasks ?? 0} failed)${
          older ? `; ${older} earlier tasks still stopping (draining)` : ''}`}
      />
    </Container>
  );
}

/** The service's deployments as DescribeServices returns them, with what guards them. */
export function DeploymentsTable({ service }: { service: Service }) {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  return (
    <ResourceTable<Deployment> title="Deployments" testId="deployments" items={service.deployments ?? []} trackBy={(d) => d.id!}
        description={`Circuit breaker: ${breaker?.enable ? `on${breaker.rollback ? ', with rollback' : ', no rollback'}` : 'off'}. Alarms: ${
          config?.alarms?.enable ? `${config.alarms.alarmNames?.join(', ') || 'none'}${config.alarms.rollback ? ' (rollback)' : ''}` : 'off'}. Minimum healthy ${
          config?.minimumHealthyPercent ?? '-'}%, maximum ${config?.maximumPercent ?? '-'}%.`}
        columns={[
          { id: 'id', header: 'Deployment', cell: (d) => d.id, sortBy: (d) => d.id },
          { id: 'status', header: 'Status', cell: (d) => d.status },
          { id: 'rollout', header: 'Rollout state', cell: (d) => <Status value={d.rolloutState} />, sortBy: (d) => d.rolloutState },
          { id: 'reason', header: 'Rollout reason', cell: (d) => d.rolloutStateReason ?? '-' },
          { id: 'definition', header: 'Task definition', cell: (d) => <TaskDefinitionLink arn={d.taskDefinition} /> },
          { id: 'tasks', header: 'Running / pending / desired', cell: (d) => `${d.runningCount ?? 0} / ${d.pendingCount ?? 0} / ${d.desiredCount ?? 0}` },
          { id: 'failed', header: 'Failed', cell: (d) => d.failedTasks ?? 0 },
          { id: 'created', header: 'Created', cell: (d) => time(d.createdAt), sortBy: (d) => (d.createdAt ? new Date(d.createdAt).getTime() : 0) },
          { id: 'updated', header: 'Updated', cell: (d) => time(d.updatedAt) },
        ]} />
  );
}

/** ListServiceDeployments + DescribeServiceDeployments: each deployment's status, stage, revisions, circuit breaker and alarms. */
export function ServiceDeployments({ cluster, service }: { cluster: string; service: string }) {
  const list = useLive(async () => {
    const briefs = (await ecs().send(new ListServiceDeploymentsCommand({ cluster, service, maxResults: 20 }))).serviceDeployments ?? [];
    const arns = briefs.map((b) => b.serviceDeploymentArn!).filter(Boolean);
    const out: ServiceDeployment[] = [];
    for (let i = 0; i < arns.length; i += 20) {
      out.push(...((await ecs().send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns.slice(i, i + 20) }))).serviceDeployments ?? []));
    }
    return out.sort((a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime());
  }, ['ecs/service-deployments', 'ecs/services'], [cluster, service]);
  const revisions = (d: ServiceDeployment) => (
    <>{(d.sourceServiceRevisions ?? []).map((r) => `${idOf2(r.arn)} (${r.runningTaskCount ?? 0}/${r.requestedTaskCount ?? 0})`).join(', ') || '-'} → {
      d.targetServiceRevision ? `${idOf2(d.targetServiceRevision.arn)} (${d.targetServiceRevision.runningTaskCount ?? 0}/${d.targetServiceRevision.requestedTaskCount ?? 0})` : '-'}</>
  );
  return (
    <ResourceTable<ServiceDeployment> title="Service deployments" testId="service-deployments" items={list.data} loading={list.loading} error={list.error}
      trackBy={(d) => d.serviceDeploymentArn!}
      description="Each deployment's target service revision and the revisions it replaces (tasks running/requested)."
      columns={[
        { id: 'id', header: 'Service deployment', cell: (d) => idOf2(d.serviceDeploymentArn), sortBy: (d) => idOf2(d.serviceDeploymentArn) },
        { id: 'status', header: 'Status', cell: (d) => <Status value={d.status} />, sortBy: (d) => d.status },
        { id: 'reason', header: 'Status reason', cell: (d) => d.statusReason ?? '-' },
        { id: 'stage', header: 'Lifecycle stage', cell: (d) => d.lifecycleStage ?? '-' },
        { id: 'revisions', header: 'Revisions (source → target)', cell: revisions },
        { id: 'breaker', header: 'Circuit breaker', cell: (d) => d.deploymentCircuitBreaker ? `${d.deploymentCircuitBreaker.status} (${d.deploymentCircuitBreaker.failureCount ?? 0}/${d.deploymentCircuitBreaker.threshold ?? '-'})` : '-' },
        { id: 'alarms', header: 'Alarms', cell: (d) => d.alarms ? `${d.alarms.status}${d.alarms.triggeredAlarmNames?.length ? `: ${d.alarms.triggeredAlarmNames.join(', ')}` : ''}` : '-' },
        { id: 'rollback', header: 'Rollback', cell: (d) => d.rollback ? `${d.rollback.reason ?? ''} ${time(d.rollback.startedAt)}` : '-' },
        { id: 'started', header: 'Started', cell: (d) => time(d.startedAt ?? d.createdAt), sortBy: (d) => new Date(d.createdAt ?? 0).getTime() },
        { id: 'finished', header: 'Finished', cell: (d) => time(d.finishedAt ?? d.stoppedAt) },
      ]} />
  );
}

/** The last segment of an ARN (a service deployment's or revision's id). */
const idOf2 = (arn: string | undefined): string => (arn ? arn.slice(arn.lastIndexOf('/') + 1) : '-');

/** Each target group of the service with its targets' health. */
export function LoadBalancers({ service }: { service: Service }) {
  const groups = (service.loadBalancers ?? []).filter((l) => l.targetGroupArn);
  const health = useLive(async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    return Promise.all(groups.map(async (g) => ({
      group: g,
      targets: (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.targetGroupArn }))).TargetHealthDescriptions ?? [],
    })));
  }, ['lb/targets', 'lb/target-health'], [groups.map((g) => g.targetGroupArn).join()]);
  if (!groups.length && !(service.loadBalancers ?? []).length) return <Box color="text-status-inactive" data-testid="no-load-balancers">This service has no load balancer.</Box>;
  return (
    <SpaceBetween size="l">
      <ApiError error={health.error} />
      {(health.data ?? []).map(({ group, targets }) => (
        <ResourceTable key={group.targetGroupArn} title={`Target group ${targetGroupName(group.targetGroupArn)}`} testId="targets" items={targets}
          trackBy={(t) => `${t.Target?.Id}:${t.Target?.Port}`}
          description={<>Container {group.containerName}:{group.containerPort} · <RouterLink to={`/target-groups/${encodeURIComponent(targetGroupName(group.targetGroupArn))}`}>{shortArn(group.targetGroupArn)}</RouterLink></>}
          columns={[
            { id: 'id', header: 'Target', cell: (t) => t.Target?.Id, sortBy: (t) => t.Target?.Id },
            { id: 'port', header: 'Port', cell: (t) => t.Target?.Port, sortBy: (t) => t.Target?.Port },
            { id: 'state', header: 'Health', cell: (t) => <Status value={t.TargetHealth?.State} />, sortBy: (t) => t.TargetHealth?.State },
            { id: 'reason', header: 'Reason', cell: (t) => [t.TargetHealth?.Reason, t.TargetHealth?.Description].filter(Boolean).join(': ') || '-' },
          ]} />
      ))}
      {(service.loadBalancers ?? []).filter((l) => !l.targetGroupArn).map((l) => (
        <KeyValues key={l.loadBalancerName} title={`Classic load balancer ${l.loadBalancerName}`} items={[['Container', `${l.containerName}:${l.containerPort}`]]} />
      ))}
    </SpaceBetween>
  );
}

/** The service's Application Auto Scaling target (`service/<cluster>/<service>`), its policies and activities. */
export function AutoScaling({ cluster, service }: { cluster: string; service: string }) {
  const resourceId = `service/${cluster}/${service}`;
  const data = useLive(async () => {
    const aas = client(ApplicationAutoScalingClient);
    const [targets, policies, activities] = await Promise.all([
      aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: 'ecs:service:DesiredCount' })),
      aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount' })),
      aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount' })),
    ]);
    return { target: targets.ScalableTargets?.[0], policies: policies.ScalingPolicies ?? [], activities: activities.ScalingActivities ?? [] };
  }, ['scaling/'], [resourceId]);
  const t = data.data?.target;
  return (
    <SpaceBetween size="l">
      <ApiError error={data.error} />
      {data.data && !t && <Container header={<Header variant="h2">Service auto scaling</Header>}><Box color="text-status-inactive" data-testid="no-scaling">No scalable target is registered for {resourceId}.</Box></Container>}
      {t && (
        <KeyValues title="Service auto scaling" columns={4} items={[
          ['Minimum tasks', t.MinCapacity],
          ['Maximum tasks', t.MaxCapacity],
          ['Suspended', [t.SuspendedState?.DynamicScalingInSuspended && 'scale in', t.SuspendedState?.DynamicScalingOutSuspended && 'scale out', t.SuspendedState?.ScheduledScalingSuspended && 'scheduled'].filter(Boolean).join(', ') || 'No'],
          ['Registered', time(t.CreationTime)],
        ]} />
      )}
      {t && (
        <ResourceTable title="Scaling policies" testId="scaling-policies" items={data.data?.policies} trackBy={(p) => p.PolicyARN!}
          columns={[
            { id: 'name', header: 'Policy', cell: (p) => p.PolicyName, sortBy: (p) => p.PolicyName },
            { id: 'type', header: 'Type', cell: (p) => p.PolicyType },
            { id: 'target', header: 'Target / steps', cell: (p) => p.TargetTrackingScalingPolicyConfiguration
              ? `${p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification?.PredefinedMetricType ?? p.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification?.MetricName ?? 'custom'} = ${p.TargetTrackingScalingPolicyConfiguration.TargetValue}`
              : `${p.StepScalingPolicyConfiguration?.StepAdjustments?.length ?? 0} steps (${p.StepScalingPolicyConfiguration?.AdjustmentType ?? '-'})` },
            { id: 'alarms', header: 'Alarms', cell: (p) => (p.Alarms ?? []).map((a) => a.AlarmName).join(', ') || '-' },
            { id: 'created', header: 'Created', cell: (p) => time(p.CreationTime) },
          ]} />
      )}
      {t && (
        <ResourceTable title="Scaling activities" testId="scaling-activities" items={data.data?.activities} trackBy={(a) => a.ActivityId!}
          columns={[
            { id: 'status', header: 'Status', cell: (a) => <Status value={a.StatusCode} />, sortBy: (a) => a.StatusCode },
            { id: 'description', header: 'Description', cell: (a) => a.Description },
            { id: 'cause', header: 'Cause', cell: (a) => a.Cause },
            { id: 'message', header: 'Status message', cell: (a) => a.StatusMessage ?? '-' },
            { id: 'start', header: 'Started', cell: (a) => time(a.StartTime), sortBy: (a) => (a.StartTime ? new Date(a.StartTime).getTime() : 0) },
            { id: 'end', header: 'Ended', cell: (a) => time(a.EndTime) },
          ]} />
      )}
    </SpaceBetween>
  );
}
