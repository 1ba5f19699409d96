/**
 * The pure core of a group's reconcile: given the group as stored, what EC2 says of its
 * instances and the time, the group as it should be written next, the activities begun and
 * ended, the instances to terminate and whether the group is gone.
 *
 *   Pending  ── instance running ──▶ InService
 *   Pending / InService ── instance stopped, terminated or gone (not by the group) ──▶ Unhealthy, Terminating ──▶ replaced
 *   Terminating ── instance terminated or gone ──▶ out of the group (activity Successful)
 *   capacity below desired ──▶ launches (each with a client token, kept until the launch is known)
 *   capacity above desired ──▶ scale-in (decide.ts's termination order, never protected instances)
 *
 * Launching is the shell's: it calls the instances port for each `launching` entry and records
 * the instance with `launched` below, so a crash between the two launches the same instance again.
 */
import { causeTime, healthCause, launchCause, newActivity, scaleInCause } from './activities.ts';
import { planCapacity } from './decide.ts';
import type { InstanceView } from './ports.ts';
import { countedInstances, type ActivityRecord, type AsgInstance, type GroupRecord, type PendingLaunch } from './records.ts';

/** How long launches wait after one failed (the group's next pass tries again). */
export const LAUNCH_RETRY_MS = 10_000;

/** An activity to end. */
export interface ActivityEnd {
  id: string;
  statusCode: 'Successful' | 'Failed' | 'Cancelled';
  statusMessage?: string;
}

/** What one reconcile of a group decided. */
export interface GroupStep {
  /** The group to write; undefined when it is to be deleted (a forced delete done). */
  next: GroupRecord | undefined;
  begun: ActivityRecord[];
  ended: ActivityEnd[];
  /** Instances to terminate through the port now (again, for those already terminating). */
  terminate: string[];
}

const GONE = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

/**
 * One reconcile. `views` holds what EC2 said of the instances whose ids are in `asked` (an id
 * asked and not described is gone); instances not asked (recorded since) are left as they are.
 */
export function reconcileGroup(group: GroupRecord, asked: ReadonlySet<string>, views: readonly InstanceView[], now: number, newId: () => string): GroupStep {
  const byId = new Map(views.map((v) => [v.instanceId, v]));
  const begun: ActivityRecord[] = [];
  const ended: ActivityEnd[] = [];
  const terminate: string[] = [];
  const instances: AsgInstance[] = [];
  for (const i of group.instances) {
    if (!asked.has(i.instanceId)) {
      instances.push(i);
      continue;
    }
    const view = byId.get(i.instanceId);
    const gone = !view || GONE.has(view.state);
    if (i.lifecycleState === 'Terminating' || i.lifecycleState === 'Terminated') {
      if (!view || view.state === 'terminated') {
        if (i.activityId) ended.push({ id: i.activityId, statusCode: 'Successful' });
        continue; // out of the group
      }
      terminate.push(i.instanceId);
      instances.push(i);
      continue;
    }
    if (gone) {
      // Stopped or terminated outside the group's doing: taken out of service and replaced.
      if (i.activityId) ended.push({ id: i.activityId, statusCode: 'Failed', statusMessage: 'Instance stopped or terminated before it was in service.' });
      const activity = newActivity(group, newId(), now, `Terminating EC2 instance: ${i.instanceId}`, healthCause(now), { 'Subnet ID': i.subnetId, 'Availability Zone': i.availabilityZone });
      begun.push(activity);
      terminate.push(i.instanceId);
      instances.push({ ...i, lifecycleState: 'Terminating', healthStatus: 'Unhealthy', activityId: activity.id });
      continue;
    }
    if (i.lifecycleState === 'Pending' && view.state === 'running') {
      if (i.activityId) ended.push({ id: i.activityId, statusCode: 'Successful' });
      instances.push({ ...i, lifecycleState: 'InService', activityId: undefined });
      continue;
    }
    instances.push(i);
  }
  let next: GroupRecord = { ...group, instances };
  if (next.status === 'Delete in progress' && next.instances.length === 0 && next.launching.length === 0) {
    return { next: undefined, begun, ended, terminate };
  }
  const plan = planCapacity(next, now);
  if (plan.launch.length > 0 && (next.retryLaunchAt === undefined || now >= next.retryLaunchAt)) {
    let have = countedInstances(next).length + next.launching.length;
    const launching: PendingLaunch[] = plan.launch.map((p) => ({
      clientToken: newId(), availabilityZone: p.availabilityZone, subnetId: p.subnetId, from: have, to: ++have, decidedAt: now,
      ...(next.lastChange ? { change: next.lastChange } : {}),
    }));
    next = { ...next, launching: [...next.launching, ...launching] };
  }
  if (plan.terminate.length > 0) {
    let have = countedInstances(next).length;
    next = {
      ...next,
      instances: next.instances.map((i) => {
        if (!plan.terminate.includes(i.instanceId)) return i;
        const cause = next.status === 'Delete in progress'
          ? `At ${causeTime(now)} a user request deleted the AutoScalingGroup, shrinking the capacity from ${have} to ${have - 1}.`
          : scaleInCause(next.lastChange, now, have, have - 1);
        have--;
        const activity = newActivity(next, newId(), now, `Terminating EC2 instance: ${i.instanceId}`, cause, { 'Subnet ID': i.subnetId, 'Availability Zone': i.availabilityZone });
        begun.push(activity);
        terminate.push(i.instanceId);
        return { ...i, lifecycleState: 'Terminating', activityId: activity.id };
      }),
    };
  }
  // The change is answered: later launches (replacements) and terminations cite only their own cause.
  if (next.lastChange && (next.launching.length > group.launching.length || plan.terminate.length > 0)) {
    const { lastChange: _answered, ...rest } = next;
    next = rest;
  }
  return { next, begun, ended, terminate };
}

/** The group once a launch is known: the entry gone, the instance Pending with its activity. */
export function launched(group: GroupRecord, clientToken: string, instance: { instanceId: string; instanceType: string }, now: number, activityId: string): { next: GroupRecord; activity: ActivityRecord } | undefined {
  const entry = group.launching.find((l) => l.clientToken === clientToken);
  if (!entry) return undefined;
  const activity: ActivityRecord = {
    ...newActivity(group, activityId, entry.decidedAt, `Launching a new EC2 instance: ${instance.instanceId}`, launchCause(entry.change, entry.decidedAt, entry.from, entry.to),
      { 'Subnet ID': entry.subnetId, 'Availability Zone': entry.availabilityZone }),
    statusCode: 'InProgress', progress: 30,
  };
  const record: AsgInstance = {
    instanceId: instance.instanceId, availabilityZone: entry.availabilityZone, subnetId: entry.subnetId, instanceType: instance.instanceType,
    lifecycleState: 'Pending', healthStatus: 'Healthy', protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    launchTemplate: group.launchTemplate, launchedAt: now, activityId: activity.id,
  };
  const exists = group.instances.some((i) => i.instanceId === instance.instanceId);
  return {
    next: { ...group, launching: group.launching.filter((l) => l !== entry), instances: exists ? group.instances : [...group.instances, record] },
    activity,
  };
}

/** The group once a launch failed: the entry gone, a Failed activity saying why. */
export function launchFailed(group: GroupRecord, clientToken: string, reason: string, now: number, activityId: string): { next: GroupRecord; activity: ActivityRecord } | undefined {
  const entry = group.launching.find((l) => l.clientToken === clientToken);
  if (!entry) return undefined;
  const activity: ActivityRecord = {
    ...newActivity(group, activityId, entry.decidedAt, 'Launching a new EC2 instance.  Status Reason: ' + reason + '. Launching EC2 instance failed.',
      launchCause(entry.change, entry.decidedAt, entry.from, entry.to), { 'Subnet ID': entry.subnetId, 'Availability Zone': entry.availabilityZone }),
    statusCode: 'Failed', statusMessage: `${reason}. Launching EC2 instance failed.`, progress: 100, endTime: now,
  };
  return { next: { ...group, launching: group.launching.filter((l) => l !== entry), retryLaunchAt: now + LAUNCH_RETRY_MS }, activity };
}
