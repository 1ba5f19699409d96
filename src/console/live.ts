/**
 * Live updates without refresh. One signed stream per tab (`/_wharf/console/changes`) says which
 * kinds of resource changed in the account and region (`ecs/tasks`, `logs/stream`, ...); a page
 * that shows such resources re-reads them through the AWS APIs. The stream carries no data, so
 * what a page shows is always what IAM lets the signed-in key read.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { SignatureV4 } from '@smithy/signature-v4';
import { STSClient } from '@aws-sdk/client-sts';
import { client } from './clients.ts';
import { activeProfile, getSession } from './session.ts';

type Listener = (kinds: string[]) => void;
const listeners = new Set<Listener>();
let connection: { key: string; abort: AbortController } | undefined;
let connected = false;
const statusListeners = new Set<(connected: boolean) => void>();

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const l of statusListeners) l(value);
}

/** Opens (or keeps) the stream for the active profile and region; reconnects when it ends. */
function ensureStream(): void {
  const session = getSession();
  if (!session) return;
  const p = activeProfile();
  const key = `${p.accessKeyId}/${session.region}`;
  if (connection?.key === key) return;
  connection?.abort.abort();
  const abort = new AbortController();
  connection = { key, abort };
  void run(key, abort.signal);
}

async function run(key: string, signal: AbortSignal): Promise<void> {
  let delay = 500;
  while (!signal.aborted && connection?.key === key) {
    try {
      const response = await fetch(`${window.location.origin}${STREAM_PATH}`, { signal, headers: await signedHeaders(), cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error(`stream refused: ${response.status}`);
      setConnected(true);
      delay = 500;
      // A change may have happened while the stream was down: every page re-reads.
      emit(['*']);
      await readEvents(response.body, signal);
    } catch {
      // Reconnect below.
    }
    setConnected(false);
    if (signal.aborted) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

const STREAM_PATH = '/_wharf/console/changes';

/** The stream's request signed like an ECS call (SigV4 in this page, with the SDK's own hash). */
async function signedHeaders(): Promise<Record<string, string>> {
  const session = getSession()!;
  const p = activeProfile();
  const sts = client(STSClient);
  const signer = new SignatureV4({
    service: 'ecs', region: session.region, sha256: sts.config.sha256,
    credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken },
  });
  const url = new URL(STREAM_PATH, window.location.origin);
  const signed = await signer.sign({
    method: 'GET', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname,
    headers: { host: url.host }, query: {},
  });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  return headers;
}

async function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  signal.addEventListener('abort', () => void reader.cancel());
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (data) emit((JSON.parse(data) as { kinds: string[] }).kinds);
    }
  }
}

function emit(kinds: string[]): void {
  for (const l of listeners) l(kinds);
}

/** Calls `onChange` whenever a resource of one of `kinds` changes (prefixes: `ecs/` matches every ECS kind). */
export function useChanges(kinds: readonly string[], onChange: () => void): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  const key = kinds.join(',');
  useEffect(() => {
    ensureStream();
    const listener: Listener = (changed) => {
      if (changed.some((c) => c === '*' || kinds.some((k) => c.startsWith(k)))) latest.current();
    };
    listeners.add(listener);
    return () => void listeners.delete(listener);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}

/** Whether the live stream is connected (shown in the top bar). */
export function useLiveStatus(): boolean {
  const [value, setValue] = useState(connected);
  const session = getSession();
  // The stream is the tab's, open on every page, not only on pages with live data.
  useEffect(() => ensureStream(), [session?.active, session?.region, session?.profiles.length]);
  useEffect(() => {
    statusListeners.add(setValue);
    return () => void statusListeners.delete(setValue);
  }, []);
  return value;
}

export interface Live<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/**
 * Data a page shows, loaded by `load` and loaded again when a resource of `kinds` changes
 * (at most one load at a time; a change during a load loads once more after it).
 */
export function useLive<T>(load: () => Promise<T>, kinds: readonly string[], deps: readonly unknown[] = []): Live<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const running = useRef(false);
  const again = useRef(false);
  const generation = useRef(0);
  const session = getSession();
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    const mine = generation.current;
    void loadRef.current().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: Error) => mine === generation.current && setState((s) => ({ data: s.data, error, loading: false })),
    ).finally(() => {
      running.current = false;
      if (again.current) {
        again.current = false;
        reload();
      }
    });
  }, []);
  useEffect(() => {
    generation.current++;
    running.current = false;
    setState({ loading: true });
    reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session?.active, session?.region, session?.profiles.length, ...deps]);
  useChanges(kinds, reload);
  return { ...state, reload };
}
