/**
 * EventBridge Scheduler: schedule groups and their schedules (expression and time zone read with
 * GetSchedule, which ListSchedules does not return), one schedule's details, live. The group
 * and the chosen schedule (`?schedule=<group>/<name>`) are in the URL.
 */
import { useSearchParams } from 'react-router-dom';
import { GetScheduleCommand, ListScheduleGroupsCommand, ListSchedulesCommand, SchedulerClient, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import { client } from '../clients.ts';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages, JsonView } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const scheduler = () => client(SchedulerClient);
const KINDS = ['scheduler/'];
const ALL = '*';

/** The schedules of a group (every group with `*`), each read in full. */
async function listSchedules(group: string): Promise<GetScheduleOutput[]> {
  const summaries = await allPages(async (NextToken) => {
    const r = await scheduler().send(new ListSchedulesCommand({ GroupName: group === ALL ? undefined : group, NextToken }));
    return { items: r.Schedules, next: r.NextToken };
  });
  const out: GetScheduleOutput[] = [];
  for (let i = 0; i < summaries.length; i += 10) {
    out.push(...await Promise.all(summaries.slice(i, i + 10).map((s) => scheduler().send(new GetScheduleCommand({ Name: s.Name!, GroupName: s.GroupName })))));
  }
  return out;
}

export default function SchedulesPage() {
  const [params, setParams] = useSearchParams();
  const group = params.get('group') ?? ALL;
  const groups = useLive(() => allPages(async (NextToken) => {
    const r = await scheduler().send(new ListScheduleGroupsCommand({ NextToken }));
    return { items: r.ScheduleGroups, next: r.NextToken };
  }), KINDS);
  const schedules = useLive(() => listSchedules(group), KINDS, [group]);
  const selectedKey = params.get('schedule') ?? undefined;
  const selected = schedules.data?.find((s) => `${s.GroupName}/${s.Name}` === selectedKey);
  const select = (key?: string) => setParams({ ...(group !== ALL && { group }), ...(key && { schedule: key }) }, { replace: true });
  const options = [{ value: ALL, label: 'All groups' }, ...(groups.data ?? []).map((g) => ({ value: g.Name!, label: g.Name!, description: g.State }))];
  return (
    <Page title="Schedules" crumbs={[{ text: 'EventBridge', to: '/eventbridge/rules' }, { text: 'Schedules' }]}>
      <ResourceTable
        title="Schedule groups"
        testId="schedule-groups"
        items={groups.data}
        loading={groups.loading}
        error={groups.error}
        trackBy={(g) => g.Name!}
        columns={[
          { id: 'name', header: 'Group', cell: (g) => g.Name, sortBy: (g) => g.Name },
          { id: 'state', header: 'State', cell: (g) => <Status value={g.State} /> },
          { id: 'created', header: 'Created', cell: (g) => time(g.CreationDate), sortBy: (g) => (g.CreationDate ? new Date(g.CreationDate).getTime() : 0) },
          { id: 'arn', header: 'ARN', cell: (g) => g.Arn },
        ]}
      />
      <Container>
        <FormField label="Schedule group">
          <Select data-testid="schedule-group" selectedOption={options.find((o) => o.value === group) ?? { value: group, label: group }} options={options}
            onChange={({ detail }) => setParams(detail.selectedOption.value === ALL ? {} : { group: detail.selectedOption.value! }, { replace: true })} />
        </FormField>
      </Container>
      <ResourceTable
        title="Schedules"
        testId="schedules"
        items={schedules.data}
        loading={schedules.loading}
        error={schedules.error}
        trackBy={(s) => s.Arn!}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => select(items[0] && `${items[0].GroupName}/${items[0].Name}`)}
        columns={[
          { id: 'name', header: 'Name', cell: (s) => s.Name, sortBy: (s) => s.Name },
          { id: 'group', header: 'Group', cell: (s) => s.GroupName, sortBy: (s) => s.GroupName },
          { id: 'state', header: 'State', cell: (s) => <Status value={s.State} />, sortBy: (s) => s.State },
          { id: 'expression', header: 'Expression', cell: (s) => <code>{s.ScheduleExpression}</code>, sortBy: (s) => s.ScheduleExpression },
          { id: 'tz', header: 'Time zone', cell: (s) => s.ScheduleExpressionTimezone ?? 'UTC', sortBy: (s) => s.ScheduleExpressionTimezone },
          { id: 'target', header: 'Target', cell: (s) => s.Target?.Arn, sortBy: (s) => s.Target?.Arn },
        ]}
      />
      {selected && (
        <>
          <KeyValues title={selected.Name} columns={3} items={[
            ['ARN', selected.Arn],
            ['State', <Status value={selected.State} />],
            ['Description', selected.Description ?? '-'],
            ['Expression', <code>{selected.ScheduleExpression}</code>],
            ['Time zone', selected.ScheduleExpressionTimezone ?? 'UTC'],
            ['Flexible time window', selected.FlexibleTimeWindow?.Mode === 'FLEXIBLE' ? `${selected.FlexibleTimeWindow.MaximumWindowInMinutes} minutes` : 'Off'],
            ['Start', time(selected.StartDate)],
            ['End', time(selected.EndDate)],
            ['After completion', selected.ActionAfterCompletion ?? 'NONE'],
            ['Target', selected.Target?.Arn],
            ['Target role', selected.Target?.RoleArn],
            ['Retry', selected.Target?.RetryPolicy ? `${selected.Target.RetryPolicy.MaximumRetryAttempts ?? '-'} attempts, ${selected.Target.RetryPolicy.MaximumEventAgeInSeconds ?? '-'} s` : '-'],
            ['Dead-letter queue', selected.Target?.DeadLetterConfig?.Arn ?? '-'],
            ['Created', time(selected.CreationDate)],
            ['Modified', time(selected.LastModificationDate)],
          ]} />
          {selected.Target?.Input !== undefined && (
            <Container header={<Header variant="h2">Target input</Header>}><JsonView value={selected.Target.Input} /></Container>
          )}
        </>
      )}
    </Page>
  );
}
