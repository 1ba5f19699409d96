/**
 * The `wharf` command.
 *
 *   wharf dev    [--port N] [--host IP] [--data-dir DIR] [--instance-lost-after S]   control plane + a local agent, one process
 *   wharf server [--port N] [--host IP] [--data-dir DIR] [--instance-lost-after S]   the control plane alone
 *   wharf agent  --server URL [--cluster NAME] [--data-dir DIR] [--cpu UNITS] [--memory MIB] [--gpus N] [--eni-limit N] [--host-ip IP]
 */
import { resolve } from 'node:path';
import { startAgent } from '../agent/index.ts';
import { flag, intFlag, parseArgs, type ParsedArgs } from './args.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { waitForInstance } from './wait.ts';

const USAGE = `Usage:
  wharf dev    [--port 8040] [--host 127.0.0.1] [--data-dir ./.wharf] [--instance-lost-after 30]
  wharf server [--port 8040] [--host 127.0.0.1] [--data-dir ./.wharf] [--instance-lost-after 30]
  wharf agent  --server http://HOST:PORT [--cluster default] [--region us-east-1] [--data-dir ./.wharf/agent]
               [--cpu UNITS] [--memory MIB] [--gpus N] [--eni-limit N] [--host-ip 127.0.0.1]`;

const log = (message: string) => console.log(`[wharf] ${message}`);

/** Stops `parts` in order on SIGINT/SIGTERM; task containers keep running for the next start. */
function onShutdown(parts: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down (task containers keep running)`);
    for (const part of parts) await part().catch((error: unknown) => log(`shutdown: ${String(error)}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function controlPlaneOptions(args: ParsedArgs, allowReset: boolean) {
  return {
    host: flag(args, 'host', process.env.WHARF_HOST ?? '127.0.0.1')!,
    port: intFlag(args, 'port', Number(process.env.WHARF_PORT ?? 8040))!,
    dataDir: resolve(flag(args, 'data-dir', process.env.WHARF_DATA_DIR ?? '.wharf')!),
    account: flag(args, 'account', process.env.WHARF_ACCOUNT ?? '123456789012')!,
    region: flag(args, 'region', process.env.AWS_REGION ?? 'us-east-1')!,
    allowReset,
    instanceLostAfterMs: 1000 * intFlag(args, 'instance-lost-after', 30)!,
    log,
  };
}

function agentOptions(args: ParsedArgs, serverUrl: string, dataDir: string) {
  return {
    serverUrl,
    dataDir,
    cluster: flag(args, 'cluster'),
    region: flag(args, 'region'),
    hostIp: flag(args, 'host-ip', '127.0.0.1')!,
    cpu: intFlag(args, 'cpu'),
    memory: intFlag(args, 'memory'),
    gpus: intFlag(args, 'gpus'),
    eniLimit: intFlag(args, 'eni-limit'),
    log,
  };
}

async function dev(args: ParsedArgs): Promise<void> {
  const options = controlPlaneOptions(args, true);
  const plane: ControlPlane = await startControlPlane(options);
  let agent;
  try {
    agent = await startAgent({ ...agentOptions(args, plane.url, resolve(options.dataDir, 'agent')), followAllClusters: true });
  } catch (error) {
    await plane.stop();
    throw error;
  }
  onShutdown([() => agent.stop(), () => plane.stop()]);
  await waitForInstance(plane.store, agent.agentId);
  log(`Wharf ready at ${plane.url}`);
}

async function server(args: ParsedArgs): Promise<void> {
  const plane = await startControlPlane(controlPlaneOptions(args, args.flags.has('allow-reset')));
  onShutdown([() => plane.stop()]);
  log(`Wharf server ready at ${plane.url}`);
}

async function agent(args: ParsedArgs): Promise<void> {
  const serverUrl = flag(args, 'server');
  if (!serverUrl) throw new Error('wharf agent needs --server URL');
  const running = await startAgent(agentOptions(args, serverUrl, resolve(flag(args, 'data-dir', '.wharf/agent')!)));
  onShutdown([() => running.stop()]);
  log(`Wharf agent ${running.agentId} started`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  switch (args.command) {
    case 'dev': return dev(args);
    case 'server': return server(args);
    case 'agent': return agent(args);
    default:
      console.log(USAGE);
      process.exitCode = args.command === undefined || args.command === 'help' ? 0 : 2;
  }
}

main().catch((error: unknown) => {
  console.error(`wharf: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
