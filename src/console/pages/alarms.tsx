/**
 * CloudWatch alarms, metric and composite: state and why, what they watch; one alarm's history
 * and its metric charted against the threshold. Live on changes to alarms and to their history
 * (`metrics/history`, written with every state change).
 * The chosen alarm is in the URL (`?alarm=`).
 */
import { useSearchParams } from 'react-router-dom';
import {
  CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, type CompositeAlarm, type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { client } from '../clients.ts';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { AlarmChart } from '../components/observe-alarm-chart.tsx';
import { allPages, JsonView } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const cw = () => client(CloudWatchClient);
const ALARM_KINDS = ['alarms', 'metrics/history'];

interface Row {
  type: 'Metric' | 'Composite';
  name: string;
  state?: string;
  reason?: string;
  updated?: Date;
  watches: string;
  condition: string;
  actionsEnabled?: boolean;
  metric?: MetricAlarm;
  composite?: CompositeAlarm;
}

const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band', LessThanLowerThreshold: '< lower band', GreaterThanUpperThreshold: '> upper band',
};

function metricRow(a: MetricAlarm): Row {
  const watches = a.MetricName
    ? `${a.Namespace} ${a.MetricName}${a.Dimensions?.length ? ` (${a.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(', ')})` : ''}`
    : `Metric math: ${(a.Metrics ?? []).filter((m) => m.ReturnData !== false).map((m) => m.Expression ?? m.Id).join(', ')}`;
  const stat = a.Statistic ?? a.ExtendedStatistic ?? '';
  const condition = `${stat ? `${stat} ` : ''}${OPERATORS[a.ComparisonOperator ?? ''] ?? a.ComparisonOperator} ${a.Threshold ?? a.ThresholdMetricId ?? ''} for ${a.DatapointsToAlarm ?? a.EvaluationPeriods}/${a.EvaluationPeriods} × ${a.Period ?? '-'} s`;
  return { type: 'Metric', name: a.AlarmName!, state: a.StateValue, reason: a.StateReason, updated: a.StateUpdatedTimestamp, watches, condition, actionsEnabled: a.ActionsEnabled, metric: a };
}

function compositeRow(a: CompositeAlarm): Row {
  return { type: 'Composite', name: a.AlarmName!, state: a.StateValue, reason: a.StateReason, updated: a.StateUpdatedTimestamp, watches: a.AlarmRule ?? '-', condition: 'Alarm rule', actionsEnabled: a.ActionsEnabled, composite: a };
}

async function listAlarms(): Promise<Row[]> {
  const rows: Row[] = [];
  await allPages(async (NextToken) => {
    const r = await cw().send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken }));
    rows.push(...(r.MetricAlarms ?? []).map(metricRow), ...(r.CompositeAlarms ?? []).map(compositeRow));
    return { items: [], next: r.NextToken };
  });
  return rows;
}

export default function AlarmsPage() {
  const alarms = useLive(listAlarms, ALARM_KINDS);
  const [params, setParams] = useSearchParams();
  const selectedName = params.get('alarm') ?? undefined;
  const selected = alarms.data?.find((a) => a.name === selectedName);
  return (
    <Page title="Alarms" crumbs={[{ text: 'CloudWatch', to: '/cloudwatch/log-groups' }, { text: 'Alarms' }]}>
      <ResourceTable
        title="Alarms"
        testId="alarms"
        items={alarms.data}
        loading={alarms.loading}
        error={alarms.error}
        trackBy={(a) => a.name}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => setParams(items[0] ? { alarm: items[0].name } : {}, { replace: true })}
        columns={[
          { id: 'name', header: 'Name', cell: (a) => a.name, sortBy: (a) => a.name },
          { id: 'state', header: 'State', cell: (a) => <Status value={a.state} />, sortBy: (a) => a.state },
          { id: 'reason', header: 'State reason', cell: (a) => <Box fontSize="body-s">{a.reason ?? '-'}</Box> },
          { id: 'watches', header: 'Metric / rule', cell: (a) => a.watches, sortBy: (a) => a.watches },
          { id: 'condition', header: 'Condition', cell: (a) => a.condition },
          { id: 'actions', header: 'Actions', cell: (a) => (a.actionsEnabled ? 'Enabled' : 'Disabled'), sortBy: (a) => String(a.actionsEnabled) },
          { id: 'type', header: 'Type', cell: (a) => a.type, sortBy: (a) => a.type },
          { id: 'updated', header: 'State updated', cell: (a) => time(a.updated), sortBy: (a) => (a.updated ? new Date(a.updated).getTime() : 0) },
        ]}
      />
      {selected && <AlarmDetails row={selected} />}
    </Page>
  );
}

function AlarmDetails({ row }: { row: Row }) {
  const history = useLive(() => allPages(async (NextToken) => {
    const r = await cw().send(new DescribeAlarmHistoryCommand({ AlarmName: row.name, NextToken, ScanBy: 'TimestampDescending' }));
    return { items: r.AlarmHistoryItems, next: r.NextToken };
  }, 5), ALARM_KINDS, [row.name]);
  const a = row.metric ?? row.composite!;
  return (
    <>
      <KeyValues title={row.name} columns={3} items={[
        ['State', <Status value={row.state} />],
        ['State reason', row.reason],
        ['Description', a.AlarmDescription ?? '-'],
        [row.type === 'Metric' ? 'Metric' : 'Alarm rule', row.watches],
        ['Condition', row.condition],
        ['Missing data', row.metric?.TreatMissingData ?? '-'],
        ['Actions enabled', row.actionsEnabled ? 'Yes' : 'No'],
        ['Alarm actions', (a.AlarmActions ?? []).join(', ') || '-'],
        ['OK actions', (a.OKActions ?? []).join(', ') || '-'],
        ['ARN', a.AlarmArn],
        ['Configuration updated', time(a.AlarmConfigurationUpdatedTimestamp)],
        ['State updated', time(row.updated)],
      ]} />
      {row.metric && (
        <Container header={<Header variant="h2" description="The last 3 hours, with the threshold">Metric</Header>}>
          <AlarmChart alarm={row.metric} />
        </Container>
      )}
      <ResourceTable
        title="History"
        testId="alarm-history"
        items={history.data}
        loading={history.loading}
        error={history.error}
        columns={[
          { id: 'time', header: 'Time', cell: (h) => time(h.Timestamp), sortBy: (h) => (h.Timestamp ? new Date(h.Timestamp).getTime() : 0) },
          { id: 'type', header: 'Type', cell: (h) => h.HistoryItemType, sortBy: (h) => h.HistoryItemType },
          { id: 'summary', header: 'Summary', cell: (h) => h.HistorySummary },
          { id: 'data', header: 'Data', cell: (h) => <details><summary>JSON</summary><JsonView value={h.HistoryData} /></details> },
        ]}
      />
    </>
  );
}
