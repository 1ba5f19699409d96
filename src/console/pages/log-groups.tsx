/** CloudWatch log groups: retention, stored bytes, metric filters; create and delete, live. */
import { useState } from 'react';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand, type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ActionModal } from '../components/action-modal.tsx';
import { time } from '../components/format.tsx';
import { allPages } from '../components/observe-common.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const logs = () => client(CloudWatchLogsClient);

/** The retention periods CloudWatch Logs accepts (days). */
const RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const groupPath = (name: string) => `/cloudwatch/log-groups/${encodeURIComponent(name)}`;

/** A byte count as the console shows it (B, KB, MB, GB). */
export function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

export async function listLogGroups(): Promise<LogGroup[]> {
  return allPages(async (nextToken) => {
    const r = await logs().send(new DescribeLogGroupsCommand({ nextToken }));
    return { items: r.logGroups, next: r.nextToken };
  });
}

export default function LogGroupsPage() {
  const groups = useLive(listLogGroups, ['logs/group', 'logs/stream', 'logs/metric-filter']);
  const [selected, setSelected] = useState<LogGroup[]>([]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <Page title="Log groups" crumbs={[{ text: 'CloudWatch', to: '/cloudwatch/log-groups' }, { text: 'Log groups' }]}>
      <ResourceTable
        title="Log groups"
        testId="log-groups"
        items={groups.data}
        loading={groups.loading}
        error={groups.error}
        trackBy={(g) => g.logGroupName!}
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={setSelected}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={!selected.length} onClick={() => setDeleting(true)} data-testid="delete-log-group">Delete</Button>
            <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-log-group">Create log group</Button>
          </SpaceBetween>
        }
        columns={[
          { id: 'name', header: 'Log group', cell: (g) => <RouterLink to={groupPath(g.logGroupName!)}>{g.logGroupName}</RouterLink>, sortBy: (g) => g.logGroupName },
          { id: 'retention', header: 'Retention', cell: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : 'Never expire'), sortBy: (g) => g.retentionInDays ?? Infinity },
          { id: 'bytes', header: 'Stored bytes', cell: (g) => bytes(g.storedBytes), sortBy: (g) => g.storedBytes },
          { id: 'filters', header: 'Metric filters', cell: (g) => g.metricFilterCount ?? 0, sortBy: (g) => g.metricFilterCount },
          { id: 'class', header: 'Class', cell: (g) => g.logGroupClass ?? 'STANDARD' },
          { id: 'created', header: 'Created', cell: (g) => time(g.creationTime), sortBy: (g) => g.creationTime },
        ]}
      />
      {creating && <CreateModal onClose={() => setCreating(false)} onDone={() => { setCreating(false); groups.reload(); }} />}
      {deleting && selected[0] && (
        <DeleteModal name={selected[0].logGroupName!} onClose={() => setDeleting(false)} onDone={() => { setDeleting(false); setSelected([]); groups.reload(); }} />
      )}
    </Page>
  );
}

function CreateModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState('');
  const [retention, setRetention] = useState('');
  const create = async () => {
    await logs().send(new CreateLogGroupCommand({ logGroupName: name }));
    if (retention) await logs().send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: Number(retention) }));
    onDone();
  };
  const options = [{ value: '', label: 'Never expire' }, ...RETENTION.map((d) => ({ value: String(d), label: `${d} days` }))];
  return (
    <ActionModal header="Create log group" action="Create" run={create} onClose={onClose} disabled={!name} submitTestId="create-log-group-submit">
      <FormField label="Log group name">
        <Input value={name} onChange={({ detail }) => setName(detail.value)} placeholder="/ecs/web" data-testid="log-group-name" />
      </FormField>
      <FormField label="Retention">
        <Select selectedOption={options.find((o) => o.value === retention)!} options={options} onChange={({ detail }) => setRetention(detail.selectedOption.value ?? '')} />
      </FormField>
    </ActionModal>
  );
}

function DeleteModal({ name, onClose, onDone }: { name: string; onClose: () => void; onDone: () => void }) {
  const remove = async () => {
    await logs().send(new DeleteLogGroupCommand({ logGroupName: name }));
    onDone();
  };
  return (
    <ActionModal header="Delete log group" action="Delete" run={remove} onClose={onClose} submitTestId="delete-log-group-submit">
      <Box>Delete <b>{name}</b> with all its log streams and events? This cannot be undone.</Box>
    </ActionModal>
  );
}
