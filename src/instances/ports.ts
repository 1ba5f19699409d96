/**
 * What the instances domain asks of the world outside it: a host for each Wharf instance. An
 * instance that runs is a Wharf agent with the instance type's resources, joining the cluster its
 * user data names; the control plane's wiring (src/cli) provides the hosts.
 */

/** Everything a host needs to know of the instance it runs. */
export interface InstanceHostSpec {
  instanceId: string;
  account: string;
  region: string;
  availabilityZone: string;
  instanceType: string;
  /** CPU units (1,024 a vCPU) and memory in MiB the host offers, from the instance type. */
  cpu: number;
  memoryMiB: number;
  /** Network interfaces the instance type allows (the awsvpc task limit is one less). */
  maxNetworkInterfaces: number;
  imageId: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  /** The user data as text (decoded from base64), as the instance's boot script reads it. */
  userData?: string;
  /** The role of the instance's IAM instance profile, whose credentials the host's agent uses. */
  instanceProfileRoleArn?: string;
}

/** Starts, stops and terminates the hosts of Wharf instances; every call is idempotent. */
export interface InstanceHostsPort {
  /** Starts the host of `instance` (or finds it already started). */
  start(instance: InstanceHostSpec): Promise<void>;
  /** Stops the host: `stop` keeps its disk (a later start re-adopts it), `terminate` removes its containers and data. */
  stop(instanceId: string, how: 'stop' | 'terminate'): Promise<void>;
  /** The instance ids whose hosts run in this process now. */
  running(): string[];
}
