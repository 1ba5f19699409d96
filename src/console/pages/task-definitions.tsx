/** Task definitions: the account's ACTIVE families, each with its latest revision, live. */
import { ECSClient, ListTaskDefinitionFamiliesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import { client } from '../clients.ts';
import { shortArn, Status } from '../components/format.tsx';
import { href, Page, RouterLink, useFollow } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';
import { taskDefinitionPath } from '../components/task-definition-actions.tsx';

interface Family {
  family: string;
  latest?: string;
}

/** The ACTIVE families, and for each its newest ACTIVE revision (ListTaskDefinitions sorted DESC, one result). */
export async function listFamilies(): Promise<Family[]> {
  const ecs = client(ECSClient);
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken, maxResults: 100 }));
    names.push(...(page.families ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const out: Family[] = [];
  // A few at a time: one ListTaskDefinitions per family.
  for (let i = 0; i < names.length; i += 8) {
    out.push(...(await Promise.all(names.slice(i, i + 8).map(async (family) => {
      const r = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 1 }));
      return { family, latest: r.taskDefinitionArns?.[0] };
    }))));
  }
  return out;
}

const revisionOf = (arn: string | undefined) => Number(arn?.slice(arn.lastIndexOf(':') + 1) ?? 0);

export default function TaskDefinitionsPage() {
  const follow = useFollow();
  const families = useLive(listFamilies, ['ecs/families', 'ecs/taskdefs']);
  return (
    <Page title="Task definitions" crumbs={[{ text: 'Amazon ECS', to: '/clusters' }, { text: 'Task definitions' }]}>
      <ResourceTable
        title="Task definitions"
        testId="task-definitions"
        items={families.data}
        loading={families.loading}
        error={families.error}
        trackBy={(f) => f.family}
        empty="No task definitions"
        actions={<Button variant="primary" href={href('/task-definitions/create')} onFollow={follow} data-testid="create-task-definition">Create new task definition</Button>}
        columns={[
          { id: 'family', header: 'Task definition', cell: (f) => <RouterLink to={`/task-definitions/${encodeURIComponent(f.family)}`}>{f.family}</RouterLink>, sortBy: (f) => f.family },
          {
            id: 'latest', header: 'Latest revision',
            cell: (f) => (f.latest ? <RouterLink to={taskDefinitionPath(f.latest)!}>{shortArn(f.latest)}</RouterLink> : '-'),
            sortBy: (f) => revisionOf(f.latest),
          },
          { id: 'status', header: 'Status of latest revision', cell: (f) => <Status value={f.latest ? 'ACTIVE' : undefined} /> },
        ]}
      />
    </Page>
  );
}
