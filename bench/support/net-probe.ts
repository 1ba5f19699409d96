/**
 * Measuring a container network from inside its containers, with the busybox tools of the test
 * image only: a byte sink to send to, a timed bulk transfer into it, and a probe that keeps
 * opening connections so the moment a packet filter changes can be seen. Timestamps are taken
 * in the container (`adjtimex`, microseconds, the host's own clock), so neither `docker exec`'s
 * start-up nor its output stream is in a figure.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sleep } from './wharf.ts';

/** Epoch ms with sub-millisecond precision, comparable with the containers' clock (the same kernel's). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** A shell function printing the wall clock as `<seconds> <microseconds>` (busybox date has no %N). */
const SHELL_CLOCK = 'ts() { t=$(adjtimex); t=${t#*tv_sec:}; s=${t%%time.tv_usec*}; u=${t#*tv_usec:}; u=${u%%return*}; echo $s $u; }';

/** Epoch ms from two `ts` fields. */
const epochMs = (seconds: string, micros: string): number => Number(seconds) * 1000 + Number(micros) / 1000;

/** `docker exec <container> sh -c <script>`: resolves to stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function execIn(containerId: string, script: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['exec', containerId, 'sh', '-c', script], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 4 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker exec ${containerId.slice(0, 12)} sh -c '${script.slice(0, 80)}…': ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * The command of a container that accepts TCP connections on `port` for ever and reads each to
 * its end, answering with the number of 64 KiB blocks it got (`N+M records in`). A TERM ends it.
 */
export const sinkCommand = (port: number): string[] =>
  ['sh', '-c', `trap 'exit 0' TERM; nc -ll -p ${port} -e sh -c 'dd of=/dev/null bs=64k iflag=fullblock 2>&1 | head -1' & wait`];

/** Waits until the sink at `host:port` answers a connection made from `containerId`. */
export async function untilSinkAnswers(containerId: string, host: string, port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await execIn(containerId, `timeout 2 nc ${host} ${port} </dev/null || true`, 10_000).catch((e: Error) => e.message);
    if (/records in/.test(last)) return;
    if (Date.now() > deadline) throw new Error(`no sink answering at ${host}:${port} from ${containerId.slice(0, 12)}: ${last.trim()}`);
    await sleep(200);
  }
}

/** What one transfer moved and how long it took, as timed in the sending container. */
export interface Transfer {
  bytes: number;
  ms: number;
}

/**
 * From `containerId`, `dd if=/dev/zero bs=1M count=<mib> | nc host port`, cut off after
 * `maxSeconds`; timed from before dd starts to nc's exit, which follows the sink's answer, so
 * every byte counted was received. Bytes are the sink's full 64 KiB blocks.
 */
export async function transfer(containerId: string, host: string, port: number, mib: number, maxSeconds: number): Promise<Transfer> {
  const script = `${SHELL_CLOCK}; a=$(ts); r=$(timeout ${maxSeconds} dd if=/dev/zero bs=1M count=${mib} 2>/dev/null | nc ${host} ${port}); b=$(ts); echo "$a $b $r"`;
  const out = (await execIn(containerId, script, (maxSeconds + 20) * 1000)).trim();
  const m = /^(\d+) (\d+) (\d+) (\d+) (\d+)\+(\d+) records in/.exec(out);
  if (!m) throw new Error(`transfer to ${host}:${port}: unexpected answer ${JSON.stringify(out)}`);
  const ms = epochMs(m[3], m[4]) - epochMs(m[1], m[2]);
  return { bytes: Number(m[5]) * 64 * 1024, ms };
}

/** One connection attempt of a probe: when it started and ended (epoch ms) and whether it was served. */
interface Attempt {
  start: number;
  end: number;
  served: boolean;
}

/**
 * A loop in a client container that starts a `timeout 1 wget` of `url` every `everyMs` (each in
 * the background, so a dropped SYN delays no later attempt) and streams each attempt's start, end
 * and outcome back. It stops by itself after `maxSeconds`, or once `stop()` asks it to.
 */
export class ConnectProbe {
  private readonly attempts: Attempt[] = [];
  private readonly child: ChildProcess;
  private readonly stopFile = `/tmp/probe-stop-${process.pid}-${Date.now()}`;

  constructor(private readonly containerId: string, url: string, readonly everyMs: number, maxSeconds = 600) {
    const script = [
      SHELL_CLOCK,
      `i=0; while [ ! -e ${this.stopFile} ] && [ $i -lt ${Math.ceil((maxSeconds * 1000) / everyMs)} ]; do`,
      '  i=$((i+1))',
      `  ( s=$(ts); if timeout 1 wget -q -O /dev/null ${url} 2>/dev/null; then r=1; else r=0; fi; echo "$s $(ts) $r" ) &`,
      `  usleep ${everyMs * 1000}`,
      'done; wait',
    ].join('\n');
    this.child = spawn('docker', ['exec', containerId, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const m = /^(\d+) (\d+) (\d+) (\d+) ([01])$/.exec(line.trim());
      if (m) this.attempts.push({ start: epochMs(m[1], m[2]), end: epochMs(m[3], m[4]), served: m[5] === '1' });
    });
  }

  /**
   * Open: served at once. Closed: not served. An attempt served only after its SYN was dropped
   * and resent (a second later) is neither.
   */
  private static answered(a: Attempt, open: boolean): boolean {
    return open ? a.served && a.end - a.start < 500 : !a.served;
  }

  /**
   * How long after `t0` (epoch ms) the probe's answers turned `open` (or closed) for good: from
   * `t0` to the start of the first attempt after which every attempt answered so, judged once
   * attempts started over `settleMs` after it have all answered. Rejects after `timeoutMs`.
   */
  async turned(t0: number, open: boolean, o: { timeoutMs?: number; settleMs?: number } = {}): Promise<number> {
    const { timeoutMs = 20_000, settleMs = 300 } = o;
    for (;;) {
      // An attempt ends within its 1 s timeout; those older than 1.5 s have all answered.
      const reported = wallNow() - 1500;
      const seen = this.attempts.filter((a) => a.start >= t0 && a.start <= reported).sort((a, b) => a.start - b.start);
      let from = 0;
      seen.forEach((a, i) => {
        if (!ConnectProbe.answered(a, open)) from = i + 1;
      });
      if (from < seen.length && seen[seen.length - 1].start - seen[from].start >= settleMs) return seen[from].start - t0;
      if (wallNow() - t0 > timeoutMs) {
        throw new Error(`probe from ${this.containerId.slice(0, 12)}: not ${open ? 'open' : 'closed'} ${timeoutMs / 1000} s after the change (${seen.length} attempts seen)`);
      }
      await sleep(100);
    }
  }

  /** Asks the loop to end and waits (bounded) for its `docker exec` to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await execIn(this.containerId, `touch ${this.stopFile}`, 10_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
