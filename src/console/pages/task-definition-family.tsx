/** A task definition family: its revisions, ACTIVE and INACTIVE, newest first; deregister selected ones; live. */
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, type TaskDefinition, type TaskDefinitionStatus } from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { shortArn, Status, time } from '../components/format.tsx';
import { href, Page, RouterLink, useFollow } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { DeregisterModal, taskDefinitionPath } from '../components/task-definition-actions.tsx';
import { useLive } from '../live.ts';

/** Every revision ARN of the family with `status`, newest first. */
async function revisionArns(family: string, status: TaskDefinitionStatus): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client(ECSClient).send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: 'DESC', nextToken, maxResults: 100 }));
    arns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** The family's revisions, described (for status and registration time), newest first. */
export async function familyRevisions(family: string): Promise<TaskDefinition[]> {
  const arns = [...(await revisionArns(family, 'ACTIVE')), ...(await revisionArns(family, 'INACTIVE'))];
  const out: TaskDefinition[] = [];
  for (let i = 0; i < arns.length; i += 8) {
    out.push(...(await Promise.all(arns.slice(i, i + 8).map(async (arn) =>
      (await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!))));
  }
  return out.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
}

export default function TaskDefinitionFamilyPage() {
  const family = useParams().family!;
  const follow = useFollow();
  const [selected, setSelected] = useState<TaskDefinition[]>([]);
  const [deregistering, setDeregistering] = useState(false);
  const revisions = useLive(() => familyRevisions(family), ['ecs/taskdefs', 'ecs/families'], [family]);
  const one = selected.length === 1 ? selected[0] : undefined;
  const active = selected.filter((d) => d.status === 'ACTIVE');
  return (
    <Page title={family} crumbs={[{ text: 'Task definitions', to: '/task-definitions' }, { text: family }]}>
      <ResourceTable
        title="Revisions"
        testId="revisions"
        items={revisions.data}
        loading={revisions.loading}
        error={revisions.error}
        trackBy={(d) => d.taskDefinitionArn!}
        selectionType="multi"
        selectedItems={selected}
        onSelectionChange={setSelected}
        empty={`No revisions of ${family}`}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={!active.length} onClick={() => setDeregistering(true)} data-testid="deregister">Deregister</Button>
            <Button
              disabled={!one}
              href={one ? href(`${taskDefinitionPath(one.taskDefinitionArn)}/create-revision`) : undefined}
              onFollow={follow}
              data-testid="create-revision"
            >
              Create new revision
            </Button>
            <Button variant="primary" href={href('/task-definitions/create')} onFollow={follow}>Create new task definition</Button>
          </SpaceBetween>
        }
        columns={[
          { id: 'revision', header: 'Revision', cell: (d) => <RouterLink to={taskDefinitionPath(d.taskDefinitionArn)!}>{shortArn(d.taskDefinitionArn)}</RouterLink>, sortBy: (d) => d.revision },
          { id: 'status', header: 'Status', cell: (d) => <Status value={d.status} />, sortBy: (d) => d.status },
          { id: 'registered', header: 'Registered', cell: (d) => time(d.registeredAt), sortBy: (d) => (d.registeredAt ? new Date(d.registeredAt).getTime() : 0) },
          { id: 'deregistered', header: 'Deregistered', cell: (d) => time(d.deregisteredAt) },
          { id: 'compat', header: 'Compatibilities', cell: (d) => (d.compatibilities ?? []).join(', ') || '-' },
          { id: 'network', header: 'Network mode', cell: (d) => d.networkMode ?? '-' },
          { id: 'size', header: 'CPU | Memory', cell: (d) => `${d.cpu ?? '-'} | ${d.memory ?? '-'}` },
        ]}
      />
      {deregistering && (
        <DeregisterModal revisions={active.map((d) => d.taskDefinitionArn!)} onClose={() => setDeregistering(false)} onDone={() => setSelected([])} />
      )}
    </Page>
  );
}
