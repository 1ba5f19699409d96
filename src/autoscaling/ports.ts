/**
 * What the Auto Scaling domain asks of the world outside it: EC2 instances launched from launch
 * templates. The control plane's wiring (src/cli) implements it over Wharf's EC2 instances; tests
 * use `ports.testing.ts`. Auto Scaling never reads the instances' own records: it sees them only
 * through this port.
 */
import type { LaunchTemplateSpec, Scope } from './records.ts';

/** A launch template as a request names it (one of id and name; version defaults to `$Default`). */
export interface LaunchTemplateRef {
  launchTemplateId?: string;
  launchTemplateName?: string;
  version?: string;
}

/** EC2's instance states. */
export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** An instance as EC2 describes it, what Auto Scaling needs of it. */
export interface InstanceView {
  instanceId: string;
  state: InstanceState;
  availabilityZone: string;
  subnetId: string;
  instanceType: string;
}

/** One instance to launch. */
export interface LaunchRequest {
  launchTemplate: LaunchTemplateSpec;
  availabilityZone: string;
  subnetId: string;
  /** The group's PropagateAtLaunch tags and `aws:autoscaling:groupName`. */
  tags: { key: string; value: string }[];
  /** The same token launches the same instance: a launch retried after a crash makes no second one. */
  clientToken: string;
}

/** EC2 instances, as Auto Scaling launches, watches and terminates them; every call is idempotent. */
export interface InstancesPort {
  /** The launch template a reference names, with its id and name both filled in; undefined when there is none (or no such version). */
  launchTemplate(scope: Scope, ref: LaunchTemplateRef): Promise<LaunchTemplateSpec | undefined>;
  /** Launches one instance (or finds the one `clientToken` launched); resolves to its id and instance type. */
  launch(scope: Scope, request: LaunchRequest): Promise<{ instanceId: string; instanceType: string }>;
  /** Terminates instances; ids already gone are ignored. */
  terminate(scope: Scope, instanceIds: readonly string[]): Promise<void>;
  /** The instances of these ids that EC2 knows (terminated ones included while EC2 shows them). */
  describe(scope: Scope, instanceIds: readonly string[]): Promise<InstanceView[]>;
}
