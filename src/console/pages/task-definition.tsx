/** A task definition revision: overview, containers, volumes, its JSON; new revision, deregister, run task; live. */
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { DescribeTaskDefinitionCommand, ECSClient, type ContainerDefinition, type Volume } from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { href, Page, useFollow } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { DeregisterModal, RunTaskModal } from '../components/task-definition-actions.tsx';
import { useLive } from '../live.ts';

const ports = (c: ContainerDefinition) =>
  (c.portMappings ?? []).map((p) => `${p.hostPort !== undefined ? `${p.hostPort}:` : ''}${p.containerPort ?? '-'}/${p.protocol ?? 'tcp'}${p.name ? ` (${p.name})` : ''}`).join(', ') || '-';

const volumeKind = (v: Volume) =>
  v.efsVolumeConfiguration ? `EFS ${v.efsVolumeConfiguration.fileSystemId ?? ''}${v.efsVolumeConfiguration.rootDirectory ? `:${v.efsVolumeConfiguration.rootDirectory}` : ''}`
    : v.dockerVolumeConfiguration ? `Docker volume (${v.dockerVolumeConfiguration.scope ?? 'task'}, ${v.dockerVolumeConfiguration.driver ?? 'local'})`
      : v.host?.sourcePath ? `Bind mount ${v.host.sourcePath}`
        : v.configuredAtLaunch ? 'Configured at launch' : 'Bind mount (task storage)';

export default function TaskDefinitionPage() {
  const { family, revision } = useParams() as { family: string; revision: string };
  const follow = useFollow();
  const [dialog, setDialog] = useState<'run' | 'deregister'>();
  const described = useLive(
    async () => client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:${revision}`, include: ['TAGS'] })),
    ['ecs/taskdefs'], [family, revision],
  );
  const d = described.data?.taskDefinition;
  const tags = described.data?.tags ?? [];
  const name = `${family}:${revision}`;
  return (
    <Page
      title={name}
      crumbs={[{ text: 'Task definitions', to: '/task-definitions' }, { text: family, to: `/task-definitions/${encodeURIComponent(family)}` }, { text: `Revision ${revision}` }]}
      actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Button disabled={d?.status !== 'ACTIVE'} onClick={() => setDialog('deregister')} data-testid="deregister">Deregister</Button>
          <Button disabled={!d} onClick={() => setDialog('run')} data-testid="run-task">Run task</Button>
          <Button variant="primary" href={href(`/task-definitions/${encodeURIComponent(family)}/${revision}/create-revision`)} onFollow={follow} data-testid="create-revision">
            Create new revision
          </Button>
        </SpaceBetween>
      }
    >
      <ApiError error={described.error} />
      {d && (
        <KeyValues title="Overview" columns={4} items={[
          ['Status', <Status value={d.status} />],
          ['ARN', d.taskDefinitionArn],
          ['Compatibilities', (d.compatibilities ?? []).join(', ') || '-'],
          ['Requires compatibilities', (d.requiresCompatibilities ?? []).join(', ') || '-'],
          ['Task CPU | memory', `${d.cpu ?? '-'} | ${d.memory ?? '-'}`],
          ['Network mode', d.networkMode ?? '-'],
          ['Platform', d.runtimePlatform ? `${d.runtimePlatform.operatingSystemFamily ?? '-'} / ${d.runtimePlatform.cpuArchitecture ?? '-'}` : '-'],
          ['Task role', d.taskRoleArn ?? '-'],
          ['Task execution role', d.executionRoleArn ?? '-'],
          ['PID | IPC mode', `${d.pidMode ?? '-'} | ${d.ipcMode ?? '-'}`],
          ['Registered', `${time(d.registeredAt)}${d.registeredBy ? ` by ${d.registeredBy}` : ''}`],
          ['Deregistered', time(d.deregisteredAt)],
          ['Tags', tags.map((t) => `${t.key}=${t.value}`).join(', ') || '-'],
        ]} />
      )}
      {d && (
        <ResourceTable title="Containers" testId="container-definitions" items={d.containerDefinitions ?? []} trackBy={(c) => c.name!}
          columns={[
            { id: 'name', header: 'Name', cell: (c) => c.name, sortBy: (c) => c.name },
            { id: 'image', header: 'Image', cell: (c) => c.image ?? '-', sortBy: (c) => c.image },
            { id: 'essential', header: 'Essential', cell: (c) => (c.essential === false ? 'No' : 'Yes') },
            { id: 'cpu', header: 'CPU', cell: (c) => c.cpu ?? '-' },
            { id: 'memory', header: 'Memory hard | soft (MiB)', cell: (c) => `${c.memory ?? '-'} | ${c.memoryReservation ?? '-'}` },
            { id: 'ports', header: 'Port mappings', cell: ports },
            { id: 'logs', header: 'Log driver', cell: (c) => c.logConfiguration?.logDriver ?? '-' },
            { id: 'health', header: 'Health check', cell: (c) => c.healthCheck?.command?.join(' ') ?? '-' },
            { id: 'depends', header: 'Depends on', cell: (c) => (c.dependsOn ?? []).map((x) => `${x.containerName} ${x.condition}`).join(', ') || '-' },
          ]} />
      )}
      {d && (
        <ResourceTable title="Volumes" testId="volumes" items={d.volumes ?? []} trackBy={(v) => v.name!} empty="No volumes"
          columns={[
            { id: 'name', header: 'Name', cell: (v) => v.name, sortBy: (v) => v.name },
            { id: 'kind', header: 'Kind', cell: volumeKind },
            {
              id: 'mounts', header: 'Mounted by',
              cell: (v) => (d.containerDefinitions ?? []).flatMap((c) => (c.mountPoints ?? []).filter((m) => m.sourceVolume === v.name).map((m) => `${c.name}:${m.containerPath}${m.readOnly ? ' (ro)' : ''}`)).join(', ') || '-',
            },
          ]} />
      )}
      {d && (
        <ExpandableSection headerText="JSON" variant="container" data-testid="task-definition-json">
          <pre style={{ margin: 0, overflow: 'auto', maxHeight: 560, fontSize: 12 }}>{JSON.stringify({ taskDefinition: d, tags }, null, 2)}</pre>
        </ExpandableSection>
      )}
      {dialog === 'run' && d && <RunTaskModal definition={d} onClose={() => setDialog(undefined)} />}
      {dialog === 'deregister' && d && <DeregisterModal revisions={[d.taskDefinitionArn!]} onClose={() => setDialog(undefined)} />}
    </Page>
  );
}
