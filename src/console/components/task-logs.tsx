/**
 * A log stream's events (CloudWatch Logs GetLogEvents from the head, following nextForwardToken),
 * with a live tail: while on, each change to a log stream of the account reads on from the last
 * token and appends what arrived, keeping the view at its end unless the reader scrolled up.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Toggle from '@cloudscape-design/components/toggle';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { client, configFor } from '../clients.ts';
import { useChanges } from '../live.ts';
import { activeProfile, getSession } from '../session.ts';
import { ApiError } from './api-error.tsx';
import { RouterLink } from './page.tsx';

/** Events kept in view; older ones are dropped as new ones arrive (the stream keeps them all). */
const KEEP = 5000;
/** A read also happens this often while tailing: the change stream may be reconnecting, or the log in another region than the console's. */
const POLL_MS = 5000;

/** Where an awslogs container's output goes: `<prefix>/<container>/<task id>` in its group and region. */
export interface LogTarget {
  container: string;
  group: string;
  stream: string;
  region?: string;
}

/** The awslogs targets of a task's containers (containers without awslogs have none). */
export function awslogsTargets(containers: ContainerDefinition[] | undefined, taskId: string): LogTarget[] {
  const out: LogTarget[] = [];
  for (const c of containers ?? []) {
    const log = c.logConfiguration;
    const group = log?.options?.['awslogs-group'];
    if (log?.logDriver !== 'awslogs' || !group || !c.name) continue;
    const prefix = log.options?.['awslogs-stream-prefix'];
    // Without a prefix the stream is named after the container's runtime id, unknown here.
    if (!prefix) continue;
    out.push({ container: c.name, group, stream: `${prefix}/${c.name}/${taskId}`, region: log.options?.['awslogs-region'] });
  }
  return out;
}

const regional = new Map<string, CloudWatchLogsClient>();

/** The Logs client for `region` (the log configuration may name another region than the console's). */
function logsClient(region: string | undefined): CloudWatchLogsClient {
  const session = getSession()!;
  if (!region || region === session.region) return client(CloudWatchLogsClient);
  const p = activeProfile();
  const key = `${p.accessKeyId}/${region}`;
  let c = regional.get(key);
  if (!c) regional.set(key, (c = new CloudWatchLogsClient(configFor(p, region))));
  return c;
}

interface State {
  events: OutputLogEvent[];
  dropped: number;
  error?: unknown;
  missing: boolean;
  loading: boolean;
}

export function LogEvents({ target, live: initialLive, testId }: { target: LogTarget; live: boolean; testId?: string }) {
  const [live, setLive] = useState(initialLive);
  const [state, setState] = useState<State>({ events: [], dropped: 0, missing: false, loading: true });
  const token = useRef<string | undefined>();
  const running = useRef(false);
  const again = useRef(false);
  const generation = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const key = `${target.region}|${target.group}|${target.stream}`;

  /** Reads every page after the last token (from the head at first) and appends it. */
  const readOn = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    const mine = generation.current;
    try {
      for (let pages = 0; pages < 20; pages++) {
        const out = await logsClient(target.region).send(new GetLogEventsCommand({
          logGroupName: target.group, logStreamName: target.stream, startFromHead: true, nextToken: token.current,
        }));
        if (mine !== generation.current) return;
        const fresh = out.events ?? [];
        const same = out.nextForwardToken === token.current;
        token.current = out.nextForwardToken;
        setState((s) => {
          const all = s.events.concat(fresh);
          const cut = Math.max(0, all.length - KEEP);
          return { events: cut ? all.slice(cut) : all, dropped: s.dropped + cut, missing: false, loading: false };
        });
        if (same || !fresh.length) break;
      }
    } catch (e) {
      if (mine !== generation.current) return;
      const missing = (e as { name?: string }).name === 'ResourceNotFoundException';
      setState((s) => ({ ...s, missing, error: missing ? undefined : e, loading: false }));
    } finally {
      if (mine === generation.current) {
        running.current = false;
        if (again.current) {
          again.current = false;
          void readOn();
        }
      }
    }
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    generation.current++;
    running.current = false;
    again.current = false;
    token.current = undefined;
    atEnd.current = true;
    setState({ events: [], dropped: 0, missing: false, loading: true });
    void readOn();
  }, [readOn]);

  // When the task stops, its last lines may still be shipping: read once more a little later, then stop tailing.
  useEffect(() => {
    if (initialLive) return;
    const timer = setTimeout(() => {
      setLive(false);
      void readOn();
    }, 5000);
    return () => clearTimeout(timer);
  }, [initialLive, readOn]);

  useChanges(['logs/stream'], () => {
    if (live) void readOn();
  });
  useEffect(() => {
    if (!live) return;
    void readOn();
    const timer = setInterval(() => void readOn(), POLL_MS);
    return () => clearInterval(timer);
  }, [live, readOn]);

  // Stay at the end while tailing, unless the reader scrolled up to read.
  useEffect(() => {
    const el = box.current;
    if (el && live && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [state.events, live]);

  const groupLink = `/cloudwatch/log-groups/${encodeURIComponent(target.group)}`;
  return (
    <Container
      data-testid={testId}
      header={
        <Header
          variant="h3"
          description={<>Log group <RouterLink to={groupLink}>{target.group}</RouterLink>, stream {target.stream}{target.region ? ` (${target.region})` : ''}</>}
          actions={
            <SpaceBetween direction="horizontal" size="s" alignItems="center">
              <Toggle checked={live} onChange={({ detail }) => setLive(detail.checked)} data-testid="live-tail">Live tail</Toggle>
              <Button iconName="refresh" ariaLabel="Read newer events" onClick={() => void readOn()} />
            </SpaceBetween>
          }
        >
          {target.container}
        </Header>
      }
    >
      <ApiError error={state.error} />
      {state.dropped > 0 && <Box color="text-status-inactive" fontSize="body-s">{state.dropped} older events not shown.</Box>}
      <div
        ref={box}
        data-testid="log-events"
        tabIndex={0}
        aria-label={`Log events of ${target.container}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        style={{ maxHeight: 360, overflow: 'auto', fontFamily: 'Monaco, Menlo, Consolas, "Courier New", monospace', fontSize: 12, lineHeight: '18px', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
      >
        {state.loading && !state.events.length ? (
          <Box color="text-status-inactive">Loading events…</Box>
        ) : state.missing ? (
          <Box color="text-status-inactive">No log stream yet: it is made when the container starts.</Box>
        ) : !state.events.length ? (
          <Box color="text-status-inactive">No events yet.</Box>
        ) : (
          state.events.map((e, i) => (
            <div key={state.dropped + i} data-testid="log-event">
              <span style={{ opacity: 0.6 }}>{stamp(e.timestamp)} </span>
              {e.message}
            </div>
          ))
        )}
      </div>
    </Container>
  );
}

/** An event's time, to the millisecond (local). */
function stamp(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
