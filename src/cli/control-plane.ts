/**
 * The control plane of `wharf server` and `wharf dev`: the store, the API endpoint with every
 * AWS service, and the agent link, wired together and listening on one port.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEndpoint, type ServiceDefinition, type Stage } from '../aws/index.ts';
import { AGENT_LINK_PATH, randomIds, systemClock, type Clock } from '../common/index.ts';
import {
  AlarmController, AutoScalingController, CodeDeployController, InstancesController, ManagedScalingController, ProvisioningController, ScalingController, EventsController,
  LifecycleController, ServiceController, TaskRetentionController, runWhileLeader, type StartControllers,
} from '../controllers/index.ts';
import type { InstanceHostsPort } from '../instances/index.ts';
import { place } from '../scheduler/index.ts';
import {
  BlobStore, RegistryTokens, distributionRoute, repositoryResourceInfo, tokenAccess, registryKeys, runRegistryMaintenance, scanOnPush,
  type RepositoryRecord,
} from '../registry/index.ts';
import {
  EtcdElection, EtcdPresence, EtcdStore, LocalElection, LocalPresence, SqliteStore, getDoc,
  type Election, type EtcdStoreOptions, type Presence, type Store,
} from '../state/index.ts';
import { IamAuthority, assumeRoleAsService, ensureRootAccessKey, loadInstanceIdentitySigner, serviceMayAssume, type ResourceInfoProvider } from '../identity/index.ts';
import { AgentLinkServer, type RegistryAuthSource } from '../link/index.ts';
import { EcsInformers, ecsResourceInfo, interruptSpotTask, type EfsPort } from '../ecs/index.ts';
import { NetworkInformers, networkResourceInfo } from '../network/index.ts';
import { secretResourceInfo } from '../secrets/index.ts';
import { certificateByArn, certificateResourceInfo, ensureAuthority, markCertificateUse, restoreAuthority } from '../acm/index.ts';
import { discoveryResourceInfo } from '../discovery/index.ts';
import { codeDeployResourceInfo, type TaskSetsPort } from '../codedeploy/index.ts';
import { codeDeployTrafficPort } from './codedeploy-traffic-port.ts';
import { codeDeployTaskSetsPort } from './codedeploy-task-sets-port.ts';
import { efsResourceInfo } from '../efs/index.ts';
import { efsPort } from './efs-port.ts';
import { lbResourceInfo } from '../lb/index.ts';
import { containerInstanceDirectory } from './elbv2-port.ts';
import { ecsAlarmsPort } from './ecs-alarms-port.ts';
import { ecsRegistriesPort } from './ecs-registries-port.ts';
import { ecsTargetsPort } from './ecs-targets-port.ts';
import { eventTargetPorts } from './event-targets.ts';
import { ecsChangeEvents, instanceChangeEvents, taskChangeEvents } from './ecs-events.ts';
import { instanceStateEvents } from './ec2-events.ts';
import { autoScalingInstancesPort } from './autoscaling-instances-port.ts';
import { alarmStateEvents } from './alarm-events.ts';
import { registryEvents } from './ecr-events.ts';
import { publishMetricData } from '../metrics/index.ts';
import { WharfMetrics } from './wharf-metrics.ts';
import { logMetricsPort } from './log-metrics.ts';
import { ecsService } from '../services/ecs/index.ts';
import { ecrService } from '../services/ecr/index.ts';
import { ec2Service } from '../services/ec2/index.ts';
import { iamService } from '../services/iam/index.ts';
import { secretsManagerService } from '../services/secretsmanager/index.ts';
import { acmService } from '../services/acm/index.ts';
import { serviceDiscoveryService } from '../services/servicediscovery/index.ts';
import { codeDeployService } from '../services/codedeploy/index.ts';
import { sqsService } from '../services/sqs/index.ts';
import { QueueSignals } from '../queues/index.ts';
import { SqsMetrics } from './sqs-metrics.ts';
import { publishContainerInsights } from './container-insights-metrics.ts';
import { applicationAutoScalingService } from '../services/application-autoscaling/index.ts';
import { scalingServicesPort } from './scaling-services-port.ts';
import { ecsAutoScalingGroupsPort } from './ecs-autoscaling-port.ts';
import { efsService } from '../services/efs/index.ts';
import { logsService } from '../services/logs/index.ts';
import { EventStore, applyRetention, storeStreamLock, type LiveTailSettings } from '../logs/index.ts';
import { eventsService } from '../services/events/index.ts';
import { schedulerService } from '../services/scheduler/index.ts';
import { stsService } from '../services/sts/index.ts';
import { ssmService } from '../services/ssm/index.ts';
import { cloudWatchService } from '../services/cloudwatch/index.ts';
import { elbv2Service } from '../services/elbv2/index.ts';
import { autoScalingService } from '../services/autoscaling/index.ts';
import { autoscalingResourceInfo, type InstancesPort } from '../autoscaling/index.ts';
import { consoleRoutes } from './console-routes.ts';
import { operatorRoutes } from './operator-routes.ts';
import { ensureRootKey, type RootKey } from './root-key.ts';
import { loadSealer } from './sealing-key.ts';
import { startLbDataPlane } from './lb-dataplane.ts';
import { DEFAULT_DNS_PORT, startDnsDataPlane, type DnsListen } from './dns-dataplane.ts';
import { LocalInstanceHosts, type LocalInstanceHostsOptions } from './instance-hosts.ts';

/** The service principal ECS's tasks assume their roles as. */
const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';
/** The service principal an EC2 instance takes its instance profile's role as. */
const EC2_SERVICE = 'ec2.amazonaws.com';

/** Where the state lives: the embedded SQLite file in the data dir, or an etcd cluster. */
export type StoreSpec = { kind: 'sqlite' } | ({ kind: 'etcd' } & EtcdStoreOptions);

export interface ControlPlaneOptions {
  /**
   * The period, in seconds, of target tracking's alarms (60 by default, as AWS's). 10 or 30 make
   * scaling react in seconds: ECS's utilization is then stored at high resolution and alarms and
   * scaling policies are evaluated every period (as CloudWatch evaluates high-resolution alarms).
   */
  scalingPeriodSeconds?: number;
  /** How often ECS's managed scaling publishes CapacityProviderReservation and acts on it (a minute by default). */
  managedScalingIntervalMs?: number;
  /** Leader loops a test runs itself (on a virtual clock): EventBridge's deliveries and schedules, CloudWatch's alarms, Application Auto Scaling, EC2 Auto Scaling. */
  leaderLoops?: { events?: boolean; alarms?: boolean; scaling?: boolean; autoscaling?: boolean };
  /** How often the load balancers' metrics are published (default 10 s); tests shorten it. */
  lbMetricsIntervalMs?: number;
  /** Whether load balancers' subnet addresses are given to this host (default true; needs root). */
  lbSubnetAddresses?: boolean;
  host: string;
  port: number;
  /**
   * Where the DNS server tasks resolve names with listens (UDP and TCP): by default `host` and
   * port 8053 (a free port when `port` is 0); `false`: none.
   */
  dns?: Partial<DnsListen> | false;
  dataDir: string;
  /** Default: SQLite in `dataDir`. With etcd, several replicas share the state and elect a leader. */
  store?: StoreSpec;
  /** This replica's name, shown as the leader (default `<hostname>-<pid>`). */
  replica?: string;
  /**
   * Where registry blobs and uploads live (default `<dataDir>/registry`). Replicas share one
   * directory (a mount every replica has): blobs are content-addressed, so any replica serves
   * any blob and continues any upload.
   */
  registryDir?: string;
  /** Where CloudWatch Logs' events live (default `<dataDir>/logs`): like the registry's directory, one every replica mounts. */
  logsDir?: string;
  /** How CloudWatch Logs' live tail sessions run (tests shorten their three hours). */
  liveTail?: LiveTailSettings;
  account: string;
  region: string;
  /** Enables `POST /_wharf/reset`, which wipes all state (dev mode only). */
  allowReset: boolean;
  /** An instance whose agent has been disconnected this long is lost: its service tasks are replaced elsewhere. */
  instanceLostAfterMs?: number;
  /** How long a STOPPED task stays visible before it is deleted (default one hour, as in ECS). */
  stoppedTaskRetentionMs?: number;
  /**
   * `wharf dev` without --enforce-iam: an access key IAM does not know acts as the account root,
   * unverified. `wharf server` refuses such keys.
   */
  unknownKeysAsRoot: boolean;
  /** Seeds the root key on first start (WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY). */
  env?: NodeJS.ProcessEnv;
  /** The time every part reads (the system clock; tests move it to see sessions and tokens expire). */
  clock?: Clock;
  /** EFS file systems and access points for tasks' EFS volumes (without it, task definitions with EFS volumes are not launched). */
  efs?: EfsPort;
  /** How often AWS/SQS metrics are published (default a minute). */
  sqsMetricsIntervalMs?: number;
  /** EC2 instances for Auto Scaling groups (default: Wharf's own EC2 instances; tests give a fake). */
  autoScalingInstances?: InstancesPort;
  /** ECS task sets for CodeDeploy's deployment engine (default: the ECS domain's own; tests give a fake). */
  codeDeployTaskSets?: TaskSetsPort;
  /** How this process runs the hosts of EC2 instances (`instance-hosts.ts`): on the operator's Docker hosts, with which agent settings. */
  instanceHostSettings?: Pick<LocalInstanceHostsOptions, 'dockerHosts' | 'agent' | 'taskServices'>;
  /** The hosts of EC2 instances (RunInstances); without it, instances reach running with no host. */
  instanceHosts?: InstanceHostsPort;
  /** Receives each middleware stage's duration in nanoseconds (benchmarks). */
  onStage?: (stage: Stage, nanoseconds: number) => void;
  log: (message: string) => void;
}

export interface ControlPlane {
  url: string;
  /** Where the DNS server listens (agents relay their tasks' queries there); none when it was turned off. */
  dns?: { address: string; port: number };
  store: Store;
  /** This replica's name, and whether its controllers run (it leads). */
  replica: string;
  readonly leading: boolean;
  /** The account root's access key (its file is written on the start that created it). */
  rootKey: RootKey;
  /** The hosts of EC2 instances that run in this process. */
  instanceHosts: LocalInstanceHosts;
  stop(): Promise<void>;
}

/** The store the options name, the election its replicas hold, and how they see each other. */
interface State {
  store: Store;
  election: Election;
  presence: Presence;
}

/**
 * Opens the state: SQLite (one process: it leads, it alone is present) or etcd (replicas elect
 * a leader and hold presence keys). `onRejoined` runs when a replica cut off from etcd is back.
 */
async function openState(o: ControlPlaneOptions, replica: string, onRejoined: () => void): Promise<State> {
  const presenceId = `${replica}#${randomBytes(4).toString('hex')}`;
  if (o.store?.kind === 'etcd') {
    const store = new EtcdStore(o.store);
    const presence = await EtcdPresence.join(store, presenceId, { onRejoined });
    return { store, election: new EtcdElection(store, { name: 'controllers', candidate: replica }), presence };
  }
  const store = openSqlite(o.dataDir);
  return { store, election: new LocalElection(store, replica), presence: new LocalPresence(presenceId) };
}

/** How often the leader applies log groups' retention policies. */
const LOG_RETENTION_SWEEP_MS = 60 * 60_000;

/** How often the leader looks for instances linked through replicas that died. */
const ORPHAN_SWEEP_MS = 2000;

/** Opens the SQLite store with its files readable by their owner only (they hold secrets). */
export function openSqlite(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = join(dataDir, 'wharf.db');
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return SqliteStore.open(file);
}

/**
 * `aws:ResourceTag/*` for ECS's clusters, task definitions, services, tasks and container
 * instances; ARNs of other services go to `next`.
 */
function withEcsResourceInfo(store: Store, informers: EcsInformers, next?: ResourceInfoProvider): ResourceInfoProvider {
  const ecs = ecsResourceInfo(store, informers);
  return async (arn) => (arn.split(':')[2] === 'ecs' ? ecs(arn) : next?.(arn));
}

/** Resource info of the services that have any, each asked for its own ARNs (`arn:aws:<service>:…`). */
function byService(providers: Record<string, ResourceInfoProvider>): ResourceInfoProvider {
  return async (arn) => {
    const service = arn.split(':')[2] ?? '';
    return Object.hasOwn(providers, service) ? providers[service]!(arn) : undefined;
  };
}

/** Opens the store and starts serving; resolves once the port is listening. */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const replica = o.replica ?? `${hostname()}-${process.pid}`;
  let link: AgentLinkServer | undefined;
  // Cut off from etcd past its lease, this replica's agents may have been counted as gone: they reconnect and say otherwise.
  const metrics = new WharfMetrics();
  const opened = await openState(o, replica, () => link?.dropLinks());
  const { election, presence } = opened;
  const store = metrics.timedStore(opened.store);
  const clock = o.clock ?? systemClock;
  const rootKey = await ensureRootKey(store, o.dataDir, o.account, randomIds, clock, o.env ?? {});
  // One shared, indexed view of tasks, instances and services for RunTask, the controllers, the link and IAM's resource tags.
  const informers = new EcsInformers(store, { onError: (error) => o.log(`ecs informers: ${String(error)}`) });
  await informers.start();
  // Security groups and interfaces, for the firewalls the link sends with awsvpc tasks.
  const network = new NetworkInformers(store, (error) => o.log(`network informers: ${String(error)}`));
  const authority = await IamAuthority.open({
    store, clock, ids: randomIds, unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account,
    resourceInfo: withEcsResourceInfo(store, informers, byService({ ecr: repositoryResourceInfo(store), ec2: networkResourceInfo(store), secretsmanager: secretResourceInfo(store, clock), acm: certificateResourceInfo(store), servicediscovery: discoveryResourceInfo(store), codedeploy: codeDeployResourceInfo(store), elasticfilesystem: efsResourceInfo(store), elasticloadbalancing: lbResourceInfo(store), autoscaling: autoscalingResourceInfo(store) })),
    onError: (error) => o.log(`identity: ${String(error)}`),
  });
  // EC2 instance identity documents are signed (for the instances' hosts) and verified (RegisterContainerInstance) with one key.
  const identityDocuments = await loadInstanceIdentitySigner(store, clock);
  const deps = { store, clock, ids: randomIds, place: metrics.timedPlace(place), identityDocuments, rng: Math.random, informers, efs: o.efs ?? efsPort({ store, clock, ids: randomIds }), autoScalingGroups: ecsAutoScalingGroupsPort(),
    roles: { mayAssume: (roleArn: string) => serviceMayAssume({ store }, ECS_TASKS_SERVICE, roleArn) },
    changes: ecsChangeEvents(randomIds, informers),
    targets: ecsTargetsPort(store, (error) => o.log(`ecs targets: ${String(error)}`)),
    registries: ecsRegistriesPort(store, clock, randomIds),
    alarms: ecsAlarmsPort(store, (error) => o.log(`ecs alarms: ${String(error)}`)),
  };
  // Long polls wake on sends through the API and EventBridge's deliveries alike.
  const queueSignals = new QueueSignals();
  const tokens = await RegistryTokens.open(store, clock);
  // Secret values are sealed at rest under this key (one per Wharf: replicas are given the same).
  const sealer = loadSealer(o.dataDir, o.env ?? process.env);
  // ACM's certificate authority (one per Wharf), made (its key generated) while the rest starts.
  const acmAuthorityReady = ensureAuthority({ store, clock, ids: randomIds, sealer });
  acmAuthorityReady.catch(() => undefined); // awaited below; a failure there fails the start
  const blobs = await BlobStore.open({ root: o.registryDir ?? join(o.dataDir, 'registry'), clock });
  // Replicas on etcd share one logs directory: their appends to a stream take turns through the store.
  const logEvents = new EventStore(o.logsDir ?? join(o.dataDir, 'logs'), o.store?.kind === 'etcd' ? { lock: storeStreamLock(store, clock, presence.id) } : {});
  // Metric filters publish into CloudWatch's metrics.
  const logMetrics = logMetricsPort({ store, clock }, o.log);
  const trackingPeriod = o.scalingPeriodSeconds ?? 60;
  if (![10, 30].includes(trackingPeriod) && (trackingPeriod < 60 || trackingPeriod % 60 !== 0)) throw new Error('--scaling-period must be 10, 30 or a multiple of 60 seconds');
  const highResolution = trackingPeriod < 60;
  // The registry is served on this port: its host is known once listening (port 0 picks one).
  let registryHost = `${o.host}:${o.port}`;
  link = new AgentLinkServer({
    store, clock, ids: randomIds, defaultScope: { account: o.account, region: o.region }, log: o.log, replica: presence.id,
    authority, unknownKeysAsRoot: o.unknownKeysAsRoot, informers, network,
    registryAuth: agentRegistryAuth(tokens, clock),
    onTaskChanged: taskChangeEvents(randomIds),
    onInstanceChanged: instanceChangeEvents(randomIds, informers), autoScalingGroups: deps.autoScalingGroups,
    // ECS's utilization from the agents' telemetry, in each account's AWS/ECS namespace.
    telemetry: (scope, datapoints) => {
      publishMetricData({ store, clock }, scope, 'AWS/ECS', datapoints.map((d) => ({
        metricName: d.metricName, dimensions: Object.entries(d.dimensions).map(([name, value]) => ({ name, value })), value: d.value, unit: d.unit, timestamp: d.timestamp,
        ...(highResolution && { storageResolution: 1 }),
      }))).catch((error: unknown) => o.log(`ecs metrics: ${String(error)}`));
    },
    roleSessions: async (roleArn, sessionName) => {
      const { credentials } = await assumeRoleAsService({ store, clock, ids: randomIds, tokens: authority.tokens }, ECS_TASKS_SERVICE, roleArn, sessionName);
      return {
        AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey, Token: credentials.sessionToken,
        Expiration: credentials.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
    },
  });
  // One process holds every link: none survived its restart. (With replicas, links live on.)
  if (election instanceof LocalElection) await link.markAllDisconnected();
  // Every replica serves the load balancers' listeners; the leader checks their targets' health.
  const lbDataPlane = await startLbDataPlane(store, informers, network, clock, sealer, o.log, { metricsIntervalMs: o.lbMetricsIntervalMs, subnetAddresses: o.lbSubnetAddresses });
  // Every replica answers Cloud Map's and the load balancers' names.
  const dns = o.dns === false ? undefined : await startDnsDataPlane(store, lbDataPlane.view, {
    address: o.host, port: o.port === 0 ? 0 : DEFAULT_DNS_PORT, ...o.dns,
  }, o.log).catch((error: unknown) => {
    // The default port taken (another Wharf on this host): this one serves no names, and says so.
    if (o.dns && o.dns.port !== undefined) throw error;
    o.log(`dns: not serving (${error instanceof Error ? error.message : String(error)}): give --dns-port`);
    return undefined;
  });
  // EC2 instances' hosts: agents in this process, signing with their instance profile's role as EC2 gives it them.
  let listening: (url: string) => void = () => undefined;
  const planeUrl = new Promise<string>((resolve) => (listening = resolve));
  const instanceHosts = new LocalInstanceHosts({
    serverUrl: () => planeUrl, dataDir: join(o.dataDir, 'instances'), log: o.log, identityDocuments, ...o.instanceHostSettings,
    roleSession: async (roleArn, sessionName) => (await assumeRoleAsService({ store, clock, ids: randomIds, tokens: authority.tokens }, EC2_SERVICE, roleArn, sessionName)).credentials,
    ...(dns && { dnsServer: { address: dns.address.address === '0.0.0.0' ? '127.0.0.1' : dns.address.address, port: dns.address.port } }),
  });
  // A test may give its own hosts (recording what the controller asks).
  const hosts: InstanceHostsPort = o.instanceHosts ?? instanceHosts;
  // The controllers run on the leader alone, writing through its term's fenced store.
  // An alarm's state change runs the scaling policies at once rather than on their next minute.
  let nudgeScaling = (): void => undefined;
  const scalingActions = { onAlarmStateChange: () => nudgeScaling() };
  const startControllers: StartControllers = async (leaderStore) => {
    const services = new ServiceController({
      onReconcile: metrics.reconcile,
      deps: { ...deps, store: leaderStore }, settings: { instanceLostAfterMs: o.instanceLostAfterMs ?? 30_000 }, log: o.log,
    });
    await services.start();
    // EventBridge's deliveries and schedules, and CloudWatch's alarms.
    const events = o.leaderLoops?.events === false ? undefined
      : new EventsController({ store: leaderStore, clock, ids: randomIds, ports: eventTargetPorts({ ...deps, store: leaderStore }, logEvents, logMetrics, queueSignals), log: o.log });
    events?.start();
    const alarms = o.leaderLoops?.alarms === false ? undefined : new AlarmController({
      store: leaderStore, clock, ids: randomIds, log: o.log, onStateChange: alarmStateEvents(leaderStore, randomIds, () => clock.now(), o.log), actions: scalingActions,
      ...(highResolution && { intervalMs: trackingPeriod * 1000 }),
    });
    alarms?.start();
    // Application Auto Scaling: scheduled actions and policies set ECS services' desiredCount.
    const scaling = o.leaderLoops?.scaling === false ? undefined
      : new ScalingController({
        store: leaderStore, clock, ids: randomIds, services: scalingServicesPort({ ...deps, store: leaderStore }), log: o.log, trackingPeriod,
        ...(highResolution && { intervalMs: trackingPeriod * 1000 }),
      });
    scaling?.start();
    nudgeScaling = () => scaling?.nudge();
    const lifecycle = new LifecycleController({ store: leaderStore, clock, log: o.log });
    lifecycle.start();
    const retention = new TaskRetentionController({ store: leaderStore, informers, clock, retentionMs: o.stoppedTaskRetentionMs, log: o.log });
    retention.start();
    // CodeDeploy's deployments: task sets through ECS, listener forwards through the load balancing domain.
    const codeDeploy = new CodeDeployController({
      store: leaderStore, clock, taskSets: o.codeDeployTaskSets ?? codeDeployTaskSetsPort({ ...deps, store: leaderStore }), traffic: codeDeployTrafficPort(leaderStore), alarms: deps.alarms, log: o.log,
    });
    await codeDeploy.start();
    // Tasks waiting in PROVISIONING for their Auto Scaling group provider's instances.
    const provisioning = new ProvisioningController({ deps: { ...deps, store: leaderStore }, log: o.log });
    await provisioning.start();
    // ECS cluster auto scaling: Auto Scaling group providers' managed scaling and termination protection.
    const managedScaling = new ManagedScalingController({ deps: { ...deps, store: leaderStore }, log: o.log, ...(o.managedScalingIntervalMs && { intervalMs: o.managedScalingIntervalMs }) });
    await managedScaling.start();
    // EC2 Auto Scaling: groups kept at their desired capacity of EC2 instances.
    const autoScaling = o.leaderLoops?.autoscaling === false ? undefined : new AutoScalingController({
      store: leaderStore, clock, ids: randomIds, log: o.log,
      instances: o.autoScalingInstances ?? autoScalingInstancesPort({ store: leaderStore, clock, ids: randomIds, onInstanceState: instanceStateEvents(randomIds) }),
    });
    await autoScaling?.start();
    // EC2 instances: their hosts started, stopped and terminated as their states ask.
    const instances = new InstancesController({
      store: leaderStore, clock, ids: randomIds, hosts, onInstanceState: instanceStateEvents(randomIds), log: o.log,
    });
    await instances.start();
    // Registry housekeeping: idle uploads swept, unreferenced blobs collected (after their grace period).
    const maintenance = setInterval(() => {
      runRegistryMaintenance(leaderStore, blobs, clock.now()).catch((error: unknown) => o.log(`registry maintenance: ${String(error)}`));
    }, 60 * 60_000);
    maintenance.unref();
    // Log retention: segments older than their group's retention period are deleted.
    const logRetention = setInterval(() => {
      applyRetention({ store: leaderStore, clock, events: logEvents }).catch((error: unknown) => o.log(`log retention: ${String(error)}`));
    }, LOG_RETENTION_SWEEP_MS);
    logRetention.unref();
    // Agents linked through a replica that died lost their link, though no one said so.
    const orphans = presence instanceof LocalPresence ? undefined : setInterval(() => {
      presence.members()
        .then((alive) => link!.markOrphansDisconnected(leaderStore, alive))
        .catch((error: unknown) => o.log(`orphaned links: ${String(error)}`));
    }, ORPHAN_SWEEP_MS);
    orphans?.unref();
    const stopHealthChecks = lbDataPlane.startHealthChecks(leaderStore);
    return async () => {
      stopHealthChecks();
      clearInterval(orphans);
      clearInterval(maintenance);
      clearInterval(logRetention);
      await lifecycle.close();
      await retention.close();
      await codeDeploy.close();
      await provisioning.close();
      await managedScaling.close();
      await autoScaling?.close();
      await instances.close();
      await events?.close();
      nudgeScaling = () => undefined;
      await scaling?.close();
      await alarms?.close();
      await services.close();
    };
  };
  const leadership = runWhileLeader(election, startControllers, o.log);

  metrics.links(() => link!.linkCounts);
  const routes = operatorRoutes({
    metrics: () => metrics.registry.render(),
    store, clock, authority, unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account,
    acmRoot: async () => (await acmAuthorityReady).certificatePem,
    replica: { name: replica, store: o.store?.kind ?? 'sqlite', leading: () => leadership.leading, leader: () => election.leader() },
    interruptSpotTask: async (scope, cluster, task) => {
      const t = await interruptSpotTask({ store, clock }, scope, cluster, task);
      return { taskArn: t.arn, stopCode: t.stopCode, stoppedReason: t.stoppedReason };
    },
    reset: o.allowReset
      ? async () => {
        await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
        // The root key survives a reset: its file still names it.
        await ensureRootAccessKey(store, o.account, randomIds, clock, rootKey);
        // So does the certificate authority operators trust.
        await restoreAuthority(store, await acmAuthorityReady);
        await link.resync();
      }
      : undefined,
  });
  const webConsole = consoleRoutes({ store, clock, authority, unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account });
  const imageEvents = registryEvents(randomIds);
  const registry = distributionRoute({
    store, blobs, clock, events: imageEvents,
    access: tokenAccess({ tokens, identity: authority, clock }),
    onServerError: (error) => o.log(`registry: ${error instanceof Error ? error.stack : String(error)}`),
    onImagePushed: (scope, repository, image) => {
      void getDoc<RepositoryRecord>(store, registryKeys.repository(scope, repository))
        .then((repo) => repo && scanOnPush({ store, blobs, clock, events: imageEvents }, scope, repo.value, image))
        .catch((error: unknown) => o.log(`scan on push: ${String(error)}`));
    },
  });
  // AWS/SQS metrics once a minute: this replica's counts, and the queues' state from the leader.
  const sqsMetrics = new SqsMetrics(store, clock);
  const sqsMetricsTimer = setInterval(() => {
    sqsMetrics.publish(leadership.leading).catch((error: unknown) => o.log(`sqs metrics: ${String(error)}`));
  }, o.sqsMetricsIntervalMs ?? 60_000);
  sqsMetricsTimer.unref();
  // ECS/ContainerInsights' service task counts once a minute, from the leader.
  const insightsTimer = setInterval(() => {
    if (leadership.leading) publishContainerInsights(store, clock, informers).catch((error: unknown) => o.log(`container insights: ${String(error)}`));
  }, 60_000);
  insightsTimer.unref();
  const apis: ServiceDefinition[] = [
    ecsService(deps) as ServiceDefinition,
    ecrService({
      store, clock, ids: randomIds, tokens, blobs, events: imageEvents, registryHost: () => registryHost, sessionToken: (id) => authority.sessionTokenOf(id),
    }) as ServiceDefinition,
    iamService({ store, clock, ids: randomIds }) as ServiceDefinition,
    stsService({ store, clock, ids: randomIds, authority }) as ServiceDefinition,
    ec2Service({ store, clock, ids: randomIds, onInstanceState: instanceStateEvents(randomIds) }) as ServiceDefinition,
    ssmService({ store, clock, ids: randomIds, sealer }) as ServiceDefinition,
    secretsManagerService({ store, clock, ids: randomIds, sealer }) as ServiceDefinition,
    acmService({ store, clock, ids: randomIds, sealer }) as ServiceDefinition,
    serviceDiscoveryService({ store, clock, ids: randomIds }) as ServiceDefinition,
    codeDeployService({ store, clock, ids: randomIds, taskSets: o.codeDeployTaskSets ?? codeDeployTaskSetsPort(deps) }) as ServiceDefinition,
    efsService({ store, clock, ids: randomIds }) as ServiceDefinition,
    sqsService({ store, clock, ids: randomIds, signals: queueSignals, activity: sqsMetrics }) as ServiceDefinition,
    logsService({ store, clock, events: logEvents, metricData: logMetrics, ids: randomIds, liveTail: o.liveTail }) as ServiceDefinition,
    eventsService({ store, clock, ids: randomIds }) as ServiceDefinition,
    schedulerService({ store, clock, ids: randomIds }) as ServiceDefinition,
    cloudWatchService({ store, clock, ids: randomIds, onStateChange: alarmStateEvents(store, randomIds, () => clock.now(), o.log), actions: scalingActions }) as ServiceDefinition,
    applicationAutoScalingService({ store, clock, ids: randomIds, services: scalingServicesPort(deps), trackingPeriod }) as ServiceDefinition,
    autoScalingService({
      store, clock, ids: randomIds,
      instances: o.autoScalingInstances ?? autoScalingInstancesPort({ store, clock, ids: randomIds, onInstanceState: instanceStateEvents(randomIds) }),
    }) as ServiceDefinition,
    elbv2Service({
      store, clock, ids: randomIds, instances: containerInstanceDirectory(store),
      // A listener's certificate must be one of ACM's.
      certificates: async (_scope, arn) => (await certificateByArn({ store }, arn)) !== undefined,
      certificateUses: markCertificateUse,
    }) as ServiceDefinition,
  ];
  const server = createEndpoint({
    services: apis,
    authority,
    clock,
    unknownKeysAsRoot: o.unknownKeysAsRoot,
    account: o.account,
    prefixes: { '/v2/': registry, ...webConsole.prefixes },
    routes: { ...routes, ...webConsole.routes },
    upgrades: { [AGENT_LINK_PATH]: link.handleUpgrade },
    onServerError: (error, target) => o.log(`error serving ${target}: ${error instanceof Error ? error.stack : String(error)}`),
    onStage: o.onStage,
    onRequest: metrics.request,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  // Its root is written where the operator finds it, to trust it.
  const acmAuthority = await acmAuthorityReady;
  writeFileSync(join(o.dataDir, 'acm-ca.pem'), acmAuthority.certificatePem, { mode: 0o644 });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const reachable = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '[::1]' : host;
  registryHost = `${reachable}:${port}`;
  listening(`http://${reachable}:${port}`);
  return {
    url: `http://${host}:${port}`,
    ...(dns && { dns: dns.address }),
    store,
    rootKey,
    replica,
    instanceHosts,
    get leading() {
      return leadership.leading;
    },
    async stop() {
      clearInterval(sqsMetricsTimer);
      clearInterval(insightsTimer);
      await leadership.close();
      await instanceHosts.close();
      await presence.close();
      await link!.close();
      await dns?.close();
      await lbDataPlane.close();
      informers.close();
      deps.targets.close();
      deps.alarms.close();
      network.close();
      authority.close();
      await authority.settled();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/**
 * Registry credentials for the tasks an agent runs, issued to the principal its link signed
 * with (pulls are authorized as that principal), one token per principal, account and region,
 * reused while it has more than half its life left (so a task's desired state does not change
 * with every message).
 */
function agentRegistryAuth(tokens: RegistryTokens, clock: Clock): RegistryAuthSource {
  const cache = new Map<string, { password: string; expiresAt: number }>();
  return (scope, holder) => {
    const key = JSON.stringify([scope.account, scope.region, holder.principal.arn, holder.principal.accessKeyId, holder.sessionToken]);
    let token = cache.get(key);
    if (!token || token.expiresAt - clock.now() < 6 * 60 * 60_000) {
      if (cache.size >= 10_000) cache.clear();
      token = tokens.issue(scope, holder);
      cache.set(key, token);
    }
    return { username: 'AWS', password: token.password };
  };
}
