/**
 * A task as ECS shows it, live: its status (and why it stopped), containers, network, tags, the
 * logs of its awslogs containers with a live tail, and its DescribeTasks object; Stop task.
 */
import { type ReactNode, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, StopTaskCommand, type Container as TaskContainer, type Task } from '@aws-sdk/client-ecs';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ActionModal } from '../components/action-modal.tsx';
import { ApiError } from '../components/api-error.tsx';
import { idOf, shortArn, Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { taskDefinitionPath } from '../components/task-definition-actions.tsx';
import { awslogsTargets, LogEvents } from '../components/task-logs.tsx';
import { useLive } from '../live.ts';

const ecs = () => client(ECSClient);

const detail = (t: Task, name: string) => t.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details?.find((d) => d.name === name)?.value;

const bindings = (c: TaskContainer) =>
  (c.networkBindings ?? []).map((b) => `${b.bindIP ?? ''}:${b.hostPort ?? '-'} → ${b.containerPort ?? '-'}/${b.protocol ?? 'tcp'}`).join(', ') || '-';

export default function TaskPage() {
  const { cluster, task: taskId } = useParams() as { cluster: string; task: string };
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'containers';
  const [stopping, setStopping] = useState(false);
  const info = useLive(
    async () => ecs().send(new DescribeTasksCommand({ cluster, tasks: [taskId], include: ['TAGS'] })),
    ['ecs/tasks'], [cluster, taskId],
  );
  const t = info.data?.tasks?.[0];
  const failure = info.data?.failures?.[0];
  const definition = useLive(
    async () => (t?.taskDefinitionArn ? (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: t.taskDefinitionArn }))).taskDefinition : undefined),
    ['ecs/taskdefs'], [t?.taskDefinitionArn],
  );
  const td = definition.data;
  const stopped = t?.lastStatus === 'STOPPED';
  const targets = awslogsTargets(td?.containerDefinitions, taskId);
  const tdPath = taskDefinitionPath(t?.taskDefinitionArn);
  const clusterPath = `/clusters/${encodeURIComponent(cluster)}`;
  return (
    <Page
      title={taskId}
      crumbs={[{ text: 'Clusters', to: '/clusters' }, { text: cluster, to: clusterPath }, { text: 'Tasks', to: clusterPath }, { text: taskId }]}
      actions={<Button disabled={!t || t.desiredStatus === 'STOPPED'} onClick={() => setStopping(true)} data-testid="stop-task">Stop task</Button>}
    >
      <ApiError error={info.error} />
      {failure && <ApiError error={{ name: 'TaskNotFound', message: `${failure.arn}: ${failure.reason}${failure.detail ? ` (${failure.detail})` : ''}` }} />}
      {t && t.stoppedReason && (
        <Alert type={stopped ? 'warning' : 'info'} header={stopped ? `Task stopped${t.stopCode ? `: ${t.stopCode}` : ''}` : `Task stopping${t.stopCode ? `: ${t.stopCode}` : ''}`} data-testid="stopped-reason">
          {t.stoppedReason}
        </Alert>
      )}
      {t && (
        <KeyValues title="Overview" columns={4} items={[
          ['Last status', <Status value={t.lastStatus} />],
          ['Desired status', <Status value={t.desiredStatus} />],
          ['Health', <Status value={t.healthStatus} />],
          ['Task definition', tdPath ? <RouterLink to={tdPath} data-testid="task-definition-link">{shortArn(t.taskDefinitionArn)}</RouterLink> : shortArn(t.taskDefinitionArn)],
          ['Group', t.group ?? '-'],
          [t.capacityProviderName ? 'Capacity provider' : 'Launch type', t.capacityProviderName ?? t.launchType ?? '-'],
          ['Platform version', t.platformVersion ?? '-'],
          ['Container instance', t.containerInstanceArn ? idOf(t.containerInstanceArn) : '-'],
          ['Zone', t.availabilityZone ?? '-'],
          ['CPU | Memory', `${t.cpu ?? '-'} | ${t.memory ?? '-'}`],
          ['Created', time(t.createdAt)],
          ['Started', time(t.startedAt)],
          ['Stopping', time(t.stoppingAt)],
          ['Stopped', time(t.stoppedAt)],
          ['Stop code', t.stopCode ?? '-'],
          ['Started by', t.startedBy ?? '-'],
        ]} />
      )}
      {t && (
        <Tabs
          activeTabId={tab}
          onChange={({ detail }) => setParams((p) => { p.set('tab', detail.activeTabId); return p; }, { replace: true })}
          tabs={[
            { id: 'containers', label: 'Containers', content: <Containers task={t} /> },
            {
              id: 'logs', label: 'Logs', content: (
                <SpaceBetween size="m">
                  <ApiError error={definition.error} />
                  {td && !targets.length && <Box color="text-status-inactive">No container of {shortArn(t.taskDefinitionArn)} sends its output to CloudWatch Logs with an awslogs stream prefix.</Box>}
                  {targets.map((target) => <LogEvents key={target.container} target={target} live={!stopped} testId={`logs-${target.container}`} />)}
                </SpaceBetween>
              ),
            },
            { id: 'networking', label: 'Networking', content: <Network task={t} networkMode={td?.networkMode} /> },
            {
              id: 'tags', label: 'Tags', content: (
                <ResourceTable title="Tags" testId="tags" items={t.tags ?? []} trackBy={(g) => g.key!}
                  columns={[
                    { id: 'key', header: 'Key', cell: (g) => g.key, sortBy: (g) => g.key },
                    { id: 'value', header: 'Value', cell: (g) => g.value, sortBy: (g) => g.value },
                  ]} />
              ),
            },
          ]}
        />
      )}
      {t && (
        <ExpandableSection headerText="Metadata (JSON)" variant="container" data-testid="task-json">
          <pre style={{ margin: 0, overflow: 'auto', maxHeight: 480, fontSize: 12 }}>{JSON.stringify(t, null, 2)}</pre>
        </ExpandableSection>
      )}
      {stopping && t && <StopTaskModal cluster={cluster} task={t} onClose={() => setStopping(false)} />}
    </Page>
  );
}

function Containers({ task }: { task: Task }) {
  return (
    <ResourceTable title="Containers" testId="containers" items={task.containers ?? []} trackBy={(c) => c.name!}
      columns={[
        { id: 'name', header: 'Name', cell: (c) => c.name, sortBy: (c) => c.name },
        { id: 'image', header: 'Image', cell: (c) => c.image ?? '-', sortBy: (c) => c.image },
        { id: 'digest', header: 'Image digest', cell: (c) => c.imageDigest ?? '-' },
        { id: 'status', header: 'Last status', cell: (c) => <Status value={c.lastStatus} />, sortBy: (c) => c.lastStatus },
        { id: 'health', header: 'Health', cell: (c) => <Status value={c.healthStatus} />, sortBy: (c) => c.healthStatus },
        { id: 'exit', header: 'Exit code', cell: (c) => c.exitCode ?? '-', sortBy: (c) => c.exitCode },
        { id: 'reason', header: 'Reason', cell: (c) => c.reason ?? '-' },
        { id: 'bindings', header: 'Network bindings', cell: bindings },
      ]} />
  );
}

function Network({ task, networkMode }: { task: Task; networkMode?: string }) {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  return (
    <SpaceBetween size="m">
      <KeyValues title="Network" columns={4} items={[
        ['Network mode', networkMode ?? '-'],
        ...(eni
          ? ([
            ['ENI status', <Status value={eni.status} />],
            ['Network interface ID', detail(task, 'networkInterfaceId') ?? '-'],
            ['Subnet', detail(task, 'subnetId') ?? '-'],
            ['Private IP', detail(task, 'privateIPv4Address') ?? '-'],
            ['MAC address', detail(task, 'macAddress') ?? '-'],
            ['Private DNS name', detail(task, 'privateDnsName') ?? '-'],
            ['IPv6 address', detail(task, 'ipv6Address') ?? '-'],
          ] as [string, ReactNode][])
          : []),
      ]} />
      {!eni && (
        <ResourceTable title="Network bindings" testId="network-bindings"
          items={(task.containers ?? []).flatMap((c) => (c.networkBindings ?? []).map((b) => ({ container: c.name, ...b })))}
          empty="No network bindings"
          columns={[
            { id: 'container', header: 'Container', cell: (b) => b.container, sortBy: (b) => b.container },
            { id: 'host', header: 'Host address', cell: (b) => `${b.bindIP ?? '-'}:${b.hostPort ?? '-'}` },
            { id: 'port', header: 'Container port', cell: (b) => b.containerPort ?? '-', sortBy: (b) => b.containerPort },
            { id: 'protocol', header: 'Protocol', cell: (b) => b.protocol ?? 'tcp' },
          ]} />
      )}
    </SpaceBetween>
  );
}

function StopTaskModal({ cluster, task, onClose }: { cluster: string; task: Task; onClose: () => void }) {
  const [reason, setReason] = useState('Stopped from the Wharf console');
  const stop = async () => {
    await ecs().send(new StopTaskCommand({ cluster, task: task.taskArn, reason }));
    onClose();
  };
  return (
    <ActionModal header="Stop task" action="Stop" run={stop} onClose={onClose} testId="stop-task-modal" submitTestId="confirm-stop">
      <Box>Stop task <b>{idOf(task.taskArn)}</b>? Its containers get SIGTERM, then SIGKILL after their stop timeout.{task.group?.startsWith('service:') ? ' Its service will start a replacement.' : ''}</Box>
      <FormField label="Reason" description="Shown as the task's stopped reason.">
        <Input value={reason} onChange={({ detail }) => setReason(detail.value)} controlId="stop-reason" />
      </FormField>
    </ActionModal>
  );
}
