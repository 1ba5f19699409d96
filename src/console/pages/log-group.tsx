/**
 * A log group: its streams (latest events first, live), a stream's events, and a search with a
 * CloudWatch Logs filter pattern over a time range, passed to FilterLogEvents as typed so the
 * API's own error names a bad pattern. The chosen stream is in the URL (`?stream=`).
 */
import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import {
  CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand,
  type FilteredLogEvent, type LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import type { DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages, lastHour, rangeOf, TimeRangePicker } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';
import { bytes } from './log-groups.tsx';

const logs = () => client(CloudWatchLogsClient);

export default function LogGroupPage() {
  const group = useParams().group!;
  const info = useLive(async () => {
    const r = await logs().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    const g = r.logGroups?.find((x) => x.logGroupName === group);
    if (!g) throw Object.assign(new Error(`The specified log group does not exist: ${group}`), { name: 'ResourceNotFoundException' });
    return g;
  }, ['logs/group', 'logs/stream', 'logs/metric-filter'], [group]);
  const streams = useLive(() => allPages(async (nextToken) => {
    const r = await logs().send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, nextToken, limit: 50 }));
    return { items: r.logStreams, next: r.nextToken };
  }, 20), ['logs/stream'], [group]);
  const [params, setParams] = useSearchParams();
  const stream = params.get('stream') ?? undefined;
  const selected: LogStream[] = stream ? (streams.data ?? []).filter((s) => s.logStreamName === stream) : [];
  const g = info.data;
  return (
    <Page title={group} crumbs={[{ text: 'Log groups', to: '/cloudwatch/log-groups' }, { text: group }]}>
      <ApiError error={info.error} />
      {g && (
        <KeyValues title="Log group details" columns={4} items={[
          ['ARN', g.logGroupArn ?? g.arn],
          ['Retention', g.retentionInDays ? `${g.retentionInDays} days` : 'Never expire'],
          ['Stored bytes', bytes(g.storedBytes)],
          ['Metric filters', g.metricFilterCount ?? 0],
          ['Created', time(g.creationTime)],
          ['KMS key', g.kmsKeyId ?? '-'],
          ['Class', g.logGroupClass ?? 'STANDARD'],
          ['Deletion protection', g.deletionProtectionEnabled ? 'On' : 'Off'],
        ]} />
      )}
      <ResourceTable
        title="Log streams"
        testId="log-streams"
        items={streams.data}
        loading={streams.loading}
        error={streams.error}
        trackBy={(s) => s.logStreamName!}
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={(items) => setParams(items[0] ? { stream: items[0].logStreamName! } : {}, { replace: true })}
        description="Latest events first. Select a stream to see its events."
        columns={[
          { id: 'name', header: 'Log stream', cell: (s) => s.logStreamName, sortBy: (s) => s.logStreamName },
          { id: 'last', header: 'Last event', cell: (s) => time(s.lastEventTimestamp), sortBy: (s) => s.lastEventTimestamp ?? 0 },
          { id: 'first', header: 'First event', cell: (s) => time(s.firstEventTimestamp), sortBy: (s) => s.firstEventTimestamp ?? 0 },
          { id: 'ingested', header: 'Last ingestion', cell: (s) => time(s.lastIngestionTime), sortBy: (s) => s.lastIngestionTime ?? 0 },
          { id: 'created', header: 'Created', cell: (s) => time(s.creationTime), sortBy: (s) => s.creationTime },
        ]}
      />
      {stream && <StreamEvents group={group} stream={stream} />}
      <Search group={group} streams={(streams.data ?? []).map((s) => s.logStreamName!)} />
    </Page>
  );
}

/** The latest events of one stream (GetLogEvents from the end), newest first, live. */
function StreamEvents({ group, stream }: { group: string; stream: string }) {
  const events = useLive(async () => {
    const r = await logs().send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: 200 }));
    return (r.events ?? []).reverse();
  }, ['logs/stream'], [group, stream]);
  return (
    <ResourceTable
      title={`Events of ${stream}`}
      description="The latest 200, newest first"
      testId="stream-events"
      items={events.data}
      loading={events.loading}
      error={events.error}
      empty="No events"
      columns={[
        { id: 'time', header: 'Time', cell: (e) => time(e.timestamp), sortBy: (e) => e.timestamp },
        { id: 'message', header: 'Message', cell: (e) => <Message text={e.message} />, sortBy: (e) => e.message },
      ]}
    />
  );
}

const Message = ({ text }: { text: string | undefined }) => <span style={{ fontFamily: 'monospace', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{text}</span>;

interface Results {
  events: FilteredLogEvent[];
  nextToken?: string;
  request: { filterPattern?: string; startTime: number; endTime: number; logStreamNames?: string[] };
}

/** FilterLogEvents over the group: a pattern, a time range, streams; more pages on demand. */
function Search({ group, streams }: { group: string; streams: string[] }) {
  const [pattern, setPattern] = useState('');
  const [range, setRange] = useState<DateRangePickerProps.Value | null>(lastHour);
  const [chosen, setChosen] = useState<string[]>([]);
  const [results, setResults] = useState<Results>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (more?: Results) => {
    setBusy(true);
    setError(undefined);
    try {
      const { start, end } = rangeOf(range);
      const request = more?.request ?? { filterPattern: pattern || undefined, startTime: start, endTime: end, logStreamNames: chosen.length ? chosen : undefined };
      const r = await logs().send(new FilterLogEventsCommand({ logGroupName: group, ...request, nextToken: more?.nextToken, limit: 100 }));
      setResults({ events: [...(more?.events ?? []), ...(r.events ?? [])], nextToken: r.nextToken, request });
    } catch (e) {
      setError(e);
      if (!more) setResults(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container header={<Header variant="h2" description="CloudWatch Logs filter pattern syntax, e.g. ERROR, &quot;timed out&quot;, { $.level = &quot;error&quot; }, [ip, user, ...]">Search log events</Header>}>
      <SpaceBetween size="m">
        <form onSubmit={(e) => { e.preventDefault(); void run(); }}>
          <SpaceBetween size="s" direction="horizontal" alignItems="end">
            <FormField label="Filter pattern" stretch>
              <div style={{ minWidth: 320 }}>
                <Input value={pattern} onChange={({ detail }) => setPattern(detail.value)} placeholder="Filter pattern (empty: every event)" data-testid="filter-pattern" type="search" />
              </div>
            </FormField>
            <FormField label="Time range">
              <TimeRangePicker value={range} onChange={setRange} testId="search-range" />
            </FormField>
            <FormField label="Log streams (optional)">
              <div style={{ minWidth: 240 }}>
                <Multiselect
                  selectedOptions={chosen.map((s) => ({ value: s, label: s }))}
                  options={streams.map((s) => ({ value: s, label: s }))}
                  onChange={({ detail }) => setChosen(detail.selectedOptions.map((o) => o.value!))}
                  placeholder="All streams"
                  filteringType="auto"
                  empty="No streams"
                />
              </div>
            </FormField>
            <Button variant="primary" loading={busy && !results?.nextToken} data-testid="search">Search</Button>
          </SpaceBetween>
        </form>
        <ApiError error={error} />
        {results && (
          <Table
            data-testid="search-results"
            variant="embedded"
            items={results.events}
            trackBy={(e) => e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`}
            header={<Header counter={`(${results.events.length}${results.nextToken ? '+' : ''})`}>Matching events</Header>}
            empty={<Box textAlign="center" color="inherit">No events match{results.nextToken ? ' yet: load more to search further' : ''}</Box>}
            columnDefinitions={[
              { id: 'time', header: 'Time', cell: (e) => time(e.timestamp), width: 190 },
              { id: 'stream', header: 'Log stream', cell: (e) => e.logStreamName, width: 220 },
              { id: 'message', header: 'Message', cell: (e) => <Message text={e.message} /> },
            ]}
            footer={results.nextToken ? (
              <Box textAlign="center">
                <Button loading={busy} onClick={() => void run(results)} data-testid="load-more">Load more</Button>
              </Box>
            ) : undefined}
          />
        )}
      </SpaceBetween>
    </Container>
  );
}
