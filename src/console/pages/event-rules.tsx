/** EventBridge rules of a bus: pattern or schedule, state; one rule's pattern and targets; enable and disable, live. Bus and rule are in the URL. */
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, type Rule,
} from '@aws-sdk/client-eventbridge';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { shortArn, Status } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages, JsonView } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const events = () => client(EventBridgeClient);
const KINDS = ['events/rule', 'events/bus'];

export default function EventRulesPage() {
  const [params, setParams] = useSearchParams();
  const bus = params.get('bus') ?? 'default';
  const buses = useLive(() => allPages(async (NextToken) => {
    const r = await events().send(new ListEventBusesCommand({ NextToken }));
    return { items: r.EventBuses, next: r.NextToken };
  }), ['events/bus']);
  const rules = useLive(() => allPages(async (NextToken) => {
    const r = await events().send(new ListRulesCommand({ EventBusName: bus, NextToken }));
    return { items: r.Rules, next: r.NextToken };
  }), KINDS, [bus]);
  const selectedName = params.get('rule') ?? undefined;
  const selected = rules.data?.find((r) => r.Name === selectedName);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const setState = async (enable: boolean) => {
    if (!selected) return;
    setBusy(true);
    setError(undefined);
    try {
      const input = { Name: selected.Name!, EventBusName: bus };
      await events().send(enable ? new EnableRuleCommand(input) : new DisableRuleCommand(input));
      rules.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const busOptions = (buses.data ?? []).map((b) => ({ value: b.Name!, label: b.Name!, description: b.Description }));
  return (
    <Page title="Rules" crumbs={[{ text: 'EventBridge', to: '/eventbridge/rules' }, { text: 'Rules' }]}>
      <Container>
        <FormField label="Event bus">
          <Select
            data-testid="event-bus"
            selectedOption={busOptions.find((o) => o.value === bus) ?? { value: bus, label: bus }}
            options={busOptions}
            statusType={buses.loading && !buses.data ? 'loading' : 'finished'}
            onChange={({ detail }) => setParams({ bus: detail.selectedOption.value! }, { replace: true })}
          />
        </FormField>
        <ApiError error={buses.error} />
      </Container>
      <ApiError error={error} />
      <ResourceTable
        title="Rules"
        testId="event-rules"
        items={rules.data}
        loading={rules.loading}
        error={rules.error}
        trackBy={(r) => r.Name!}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => setParams({ bus, ...(items[0] && { rule: items[0].Name! }) }, { replace: true })}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={!selected || selected.State === 'DISABLED'} loading={busy} onClick={() => void setState(false)} data-testid="disable-rule">Disable</Button>
            <Button disabled={!selected || selected.State === 'ENABLED'} loading={busy} onClick={() => void setState(true)} data-testid="enable-rule">Enable</Button>
          </SpaceBetween>
        }
        columns={[
          { id: 'name', header: 'Name', cell: (r) => r.Name, sortBy: (r) => r.Name },
          { id: 'state', header: 'State', cell: (r) => <Status value={r.State} />, sortBy: (r) => r.State },
          { id: 'type', header: 'Type', cell: (r) => (r.ScheduleExpression ? 'Schedule' : 'Event pattern') },
          { id: 'what', header: 'Pattern or schedule', cell: (r) => r.ScheduleExpression ?? <code>{compact(r.EventPattern)}</code> },
          { id: 'description', header: 'Description', cell: (r) => r.Description ?? '-' },
        ]}
      />
      {selected && <RuleDetails rule={selected} bus={bus} />}
    </Page>
  );
}

const compact = (pattern: string | undefined) => {
  if (!pattern) return '-';
  try {
    return JSON.stringify(JSON.parse(pattern));
  } catch {
    return pattern;
  }
};

function RuleDetails({ rule, bus }: { rule: Rule; bus: string }) {
  const described = useLive(() => events().send(new DescribeRuleCommand({ Name: rule.Name!, EventBusName: bus })), KINDS, [rule.Name, bus]);
  const targets = useLive(() => allPages(async (NextToken) => {
    const r = await events().send(new ListTargetsByRuleCommand({ Rule: rule.Name!, EventBusName: bus, NextToken }));
    return { items: r.Targets, next: r.NextToken };
  }), KINDS, [rule.Name, bus]);
  const d = described.data;
  return (
    <>
      <ApiError error={described.error} />
      <KeyValues title={rule.Name} columns={3} items={[
        ['State', <Status value={d?.State ?? rule.State} />],
        ['ARN', d?.Arn ?? rule.Arn],
        ['Event bus', d?.EventBusName ?? bus],
        ['Schedule', d?.ScheduleExpression ?? '-'],
        ['Role', d?.RoleArn ?? '-'],
        ['Managed by', d?.ManagedBy ?? '-'],
      ]} />
      {(d?.EventPattern ?? rule.EventPattern) && (
        <Container header={<Header variant="h2">Event pattern</Header>}>
          <JsonView value={d?.EventPattern ?? rule.EventPattern} testId="event-pattern" />
        </Container>
      )}
      <ResourceTable
        title="Targets"
        testId="rule-targets"
        items={targets.data}
        loading={targets.loading}
        error={targets.error}
        trackBy={(t) => t.Id!}
        columns={[
          { id: 'id', header: 'Id', cell: (t) => t.Id, sortBy: (t) => t.Id },
          { id: 'arn', header: 'Target', cell: (t) => t.Arn, sortBy: (t) => t.Arn },
          { id: 'role', header: 'Role', cell: (t) => shortArn(t.RoleArn) },
          { id: 'input', header: 'Input', cell: (t) => t.Input ?? (t.InputPath ? `Path ${t.InputPath}` : t.InputTransformer ? 'Transformer' : 'Matched event') },
          { id: 'retry', header: 'Retry', cell: (t) => (t.RetryPolicy ? `${t.RetryPolicy.MaximumRetryAttempts ?? '-'} attempts, ${t.RetryPolicy.MaximumEventAgeInSeconds ?? '-'} s` : '-') },
          { id: 'dlq', header: 'Dead-letter queue', cell: (t) => shortArn(t.DeadLetterConfig?.Arn) },
        ]}
      />
    </>
  );
}
