/**
 * A service as the ECS console shows it, live: overview, deployments (with the rollout's
 * progress), events, tasks, load balancers with target health, service discovery, auto scaling
 * and metrics; update, delete (forced when tasks still run, as the AWS console does) and force a
 * new deployment.
 */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { DeleteServiceCommand, DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service, type ServiceEvent } from '@aws-sdk/client-ecs';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Flashbar from '@cloudscape-design/components/flashbar';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ActionModal } from '../components/action-modal.tsx';
import { ApiError } from '../components/api-error.tsx';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { MetricChart, type ChartQuery } from '../components/metric-chart.tsx';
import { href, Page, useFollow } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { AutoScaling, DeploymentsTable, LoadBalancers, RolloutProgress, ServiceDeployments, TaskDefinitionLink } from '../components/service-sections.tsx';
import { useLive } from '../live.ts';
import { clusterTasks, taskColumns } from './cluster.tsx';

const ecs = () => client(ECSClient);

export default function ServicePage() {
  const { cluster, service: name } = useParams() as { cluster: string; service: string };
  const follow = useFollow();
  const navigate = useNavigate();
  const [taskFilter, setTaskFilter] = useState<'RUNNING' | 'STOPPED'>('RUNNING');
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const info = useLive(() => ecs().send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] })), ['ecs/services', 'ecs/service-deployments', 'ecs/tasks'], [cluster, name]);
  const tasks = useLive(() => clusterTasks(cluster, taskFilter, name), ['ecs/tasks'], [cluster, name, taskFilter]);
  const stopping = useLive(async () => (await clusterTasks(cluster, 'STOPPED', name)).filter((t) => t.lastStatus !== 'STOPPED').length, ['ecs/tasks'], [cluster, name]);
  const s = info.data?.services?.[0];
  const failure = info.data?.failures?.[0];
  const base = `/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}`;

  const forceDeployment = async () => {
    setBusy(true);
    setActionError(undefined);
    try {
      await ecs().send(new UpdateServiceCommand({ cluster, service: name, forceNewDeployment: true }));
      setNotice('A new deployment was started: its tasks replace the running ones.');
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      title={name}
      description={s?.serviceArn}
      crumbs={[{ text: 'Clusters', to: '/clusters' }, { text: cluster, to: `/clusters/${encodeURIComponent(cluster)}` }, { text: 'Services', to: `/clusters/${encodeURIComponent(cluster)}` }, { text: name }]}
      actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Button onClick={() => void forceDeployment()} loading={busy} disabled={!s || s.status !== 'ACTIVE'} data-testid="force-deployment">Force new deployment</Button>
          <Button onClick={() => setDeleting(true)} disabled={!s || s.status !== 'ACTIVE'} data-testid="delete-service">Delete service</Button>
          <Button variant="primary" href={href(`${base}/update`)} onFollow={follow} disabled={!s || s.status !== 'ACTIVE'} data-testid="update-service">Update service</Button>
        </SpaceBetween>
      }
    >
      {notice && <Flashbar items={[{ type: 'success', content: notice, dismissible: true, onDismiss: () => setNotice(undefined), id: 'notice' }]} />}
      <ApiError error={actionError} />
      <ApiError error={info.error} />
      {failure && <ApiError error={{ name: 'ServiceNotFoundException', message: `${failure.arn}: ${failure.reason}` }} />}
      {s && <Overview s={s} />}
      {s && <RolloutProgress service={s} stopping={stopping.data} />}
      {s && (
        <Tabs tabs={[
          { id: 'deployments', label: 'Deployments', content: <SpaceBetween size="l"><DeploymentsTable service={s} />{s.status !== 'INACTIVE' && <ServiceDeployments cluster={cluster} service={name} />}</SpaceBetween> },
          { id: 'events', label: 'Events', content: <Events events={s.events} /> },
          {
            id: 'tasks', label: 'Tasks', content: (
              <ResourceTable title="Tasks" testId="tasks" items={tasks.data} loading={tasks.loading} error={tasks.error} trackBy={(t) => t.taskArn!}
                actions={<SegmentedControl selectedId={taskFilter} label="Desired status" onChange={({ detail }) => setTaskFilter(detail.selectedId as 'RUNNING' | 'STOPPED')}
                  options={[{ id: 'RUNNING', text: 'Running' }, { id: 'STOPPED', text: 'Stopped' }]} />}
                columns={taskColumns(cluster)} />
            ),
          },
          { id: 'load-balancers', label: 'Load balancers', content: <LoadBalancers service={s} /> },
          { id: 'discovery', label: 'Service discovery', content: <Registries s={s} /> },
          { id: 'scaling', label: 'Auto scaling', content: <AutoScaling cluster={cluster} service={name} /> },
          { id: 'metrics', label: 'Metrics', content: <Charts cluster={cluster} s={s} /> },
        ]} />
      )}
      {deleting && s && <DeleteModal cluster={cluster} s={s} onClose={() => setDeleting(false)} onDeleted={() => navigate(`/clusters/${encodeURIComponent(cluster)}`)} />}
    </Page>
  );
}

function Overview({ s }: { s: Service }) {
  const net = s.networkConfiguration?.awsvpcConfiguration;
  const config = s.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  return (
    <KeyValues title="Service overview" columns={4} items={[
      ['Status', <Status value={s.status} />],
      ['Tasks', <span data-testid="task-counts">{s.runningCount ?? 0} running · {s.pendingCount ?? 0} pending · {s.desiredCount ?? 0} desired</span>],
      ['Task definition', <TaskDefinitionLink arn={s.taskDefinition} />],
      ['Created', time(s.createdAt)],
      ['Launch type / capacity providers', s.launchType ?? ((s.capacityProviderStrategy ?? []).map((p) => `${p.capacityProvider} (base ${p.base ?? 0}, weight ${p.weight ?? 0})`).join(', ') || '-')],
      ['Deployment controller', `${s.deploymentController?.type ?? 'ECS'} (${s.schedulingStrategy ?? 'REPLICA'})`],
      ['Deployment strategy', `${config?.strategy ?? 'ROLLING'}: min ${config?.minimumHealthyPercent ?? '-'}%, max ${config?.maximumPercent ?? '-'}%`],
      ['Circuit breaker', breaker?.enable ? `On${breaker.rollback ? ', rollback on failure' : ''}` : 'Off'],
      ['Network', net ? `${net.subnets?.join(', ') || '-'}; ${net.securityGroups?.join(', ') || 'default group'}; public IP ${net.assignPublicIp ?? 'DISABLED'}` : 'Task definition network mode (not awsvpc)'],
      ['Health check grace period', s.healthCheckGracePeriodSeconds !== undefined ? `${s.healthCheckGracePeriodSeconds} s` : '-'],
      ['ECS Exec', s.enableExecuteCommand ? 'On' : 'Off'],
      ['Platform version', s.platformVersion ?? '-'],
    ]} />
  );
}

function Events({ events }: { events: ServiceEvent[] | undefined }) {
  const sorted = [...(events ?? [])].sort((a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime());
  return (
    <ResourceTable title="Events" testId="events" items={sorted} trackBy={(e) => e.id!}
      columns={[
        { id: 'time', header: 'Time', cell: (e) => time(e.createdAt), sortBy: (e) => new Date(e.createdAt ?? 0).getTime() },
        { id: 'message', header: 'Message', cell: (e) => e.message, sortBy: (e) => e.message },
      ]} />
  );
}

function Registries({ s }: { s: Service }) {
  return (
    <ResourceTable title="Service discovery registries" testId="registries" items={s.serviceRegistries ?? []} trackBy={(r) => r.registryArn ?? ''}
      empty="This service registers with no Cloud Map service"
      columns={[
        { id: 'arn', header: 'Registry', cell: (r) => r.registryArn },
        { id: 'container', header: 'Container', cell: (r) => (r.containerName ? `${r.containerName}:${r.containerPort ?? '-'}` : '-') },
        { id: 'port', header: 'Port (SRV)', cell: (r) => r.port ?? '-' },
      ]} />
  );
}

function Charts({ cluster, s }: { cluster: string; s: Service }) {
  const dims = [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: s.serviceName! }];
  const cpu: ChartQuery[] = [{ id: 'cpu', label: 'CPUUtilization (Average)', metric: { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: dims }, stat: 'Average' }];
  const memory: ChartQuery[] = [{ id: 'memory', label: 'MemoryUtilization (Average)', metric: { Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: dims }, stat: 'Average' }];
  const group = s.loadBalancers?.find((l) => l.targetGroupArn)?.targetGroupArn;
  const requests: ChartQuery[] | undefined = group ? [{
    id: 'requests', label: 'RequestCountPerTarget (Sum)', stat: 'Sum',
    metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: group.slice(group.lastIndexOf(':') + 1) }] },
  }] : undefined;
  return (
    <ColumnLayout columns={2}>
      <Container header={<Header variant="h3">CPU utilization (%)</Header>}><MetricChart queries={cpu} testId="chart-cpu" /></Container>
      <Container header={<Header variant="h3">Memory utilization (%)</Header>}><MetricChart queries={memory} testId="chart-memory" /></Container>
      {requests && <Container header={<Header variant="h3">Requests per target</Header>}><MetricChart queries={requests} testId="chart-requests" /></Container>}
    </ColumnLayout>
  );
}

/**
 * Deleting a service with tasks needs `force` (or desired count 0 first); the AWS console forces
 * it after a typed confirmation, and so does this.
 */
function DeleteModal({ cluster, s, onClose, onDeleted }: { cluster: string; s: Service; onClose: () => void; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const force = (s.desiredCount ?? 0) > 0;
  const remove = async () => {
    await ecs().send(new DeleteServiceCommand({ cluster, service: s.serviceName, force }));
    onDeleted();
  };
  return (
    <ActionModal header={`Delete ${s.serviceName}?`} action="Delete" run={remove} onClose={onClose} disabled={typed !== 'delete'} testId="delete-modal" submitTestId="confirm-delete">
      <Box>
        {force
          ? `The service has ${s.desiredCount} desired tasks: it is force-deleted, which stops its ${s.runningCount ?? 0} running tasks.`
          : 'The service has no desired tasks; it is deleted once its remaining tasks stop.'}
      </Box>
      <FormField label='To confirm, type "delete".'>
        <Input value={typed} onChange={({ detail }) => setTyped(detail.value)} placeholder="delete" controlId="confirm-delete-input" />
      </FormField>
    </ActionModal>
  );
}
