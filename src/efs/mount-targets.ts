/**
 * Mount targets: where a file system is reached from a VPC. Each is an interface in a subnet
 * (made through the network domain, so its address is never given to a task), one per
 * availability zone and all in one VPC per file system. CreateMountTarget, DescribeMountTargets,
 * DeleteMountTarget, and their security groups.
 */
import {
  keys as networkKeys, stageDefaultVpc, stageInterfaceGroups, stageReleaseInterface, stageServiceInterface, type SecurityGroupRecord, type SubnetRecord,
} from '../network/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { EfsErrors } from './errors.ts';
import { findFileSystem, type EfsEnv } from './file-systems.ts';
import { efsId, keys, type AccessPointRecord, type FileSystemRecord, type MountTargetRecord, type Scope } from './records.ts';

/** What CreateMountTarget asks for. */
export interface CreateMountTargetRequest {
  fileSystemId: string;
  subnetId: string;
  ipAddress?: string;
  securityGroups?: string[];
}

/** The most security groups a mount target may have. */
const MAX_GROUPS = 5;

/** The groups named (the VPC's default group when none are), each checked to be in the VPC. */
async function resolveGroups(tx: Tx, scope: Scope, vpcId: string, named: string[] | undefined): Promise<string[]> {
  if (named && named.length > MAX_GROUPS) throw EfsErrors.securityGroupLimitExceeded();
  if (named?.length) {
    const ids = [...new Set(named)];
    for (const id of ids) {
      const group = await tx.get<SecurityGroupRecord>(networkKeys.securityGroup(scope, id));
      if (!group || group.vpcId !== vpcId) throw EfsErrors.securityGroupNotFound(id);
    }
    return ids;
  }
  const groups = await tx.list<SecurityGroupRecord>(networkKeys.securityGroups(scope));
  const fallback = groups.find((g) => g.vpcId === vpcId && g.groupName === 'default');
  return fallback ? [fallback.groupId] : [];
}

/** CreateMountTarget: on an available file system, in a subnet of the VPC its other mount targets are in, one per zone. */
export async function createMountTarget(env: EfsEnv, scope: Scope, req: CreateMountTargetRequest): Promise<MountTargetRecord> {
  const now = env.clock.now();
  const random = env.ids.hex32();
  const id = efsId('fsmt', env.ids.hex32());
  return transact(env.store, async (tx) => {
    const fs = await findFileSystem(tx, scope, req.fileSystemId);
    if (fs.lifeCycleState !== 'available') throw EfsErrors.incorrectLifeCycleState(fs.fileSystemId, fs.lifeCycleState);
    await stageDefaultVpc(tx, scope, now);
    const subnet = await tx.get<SubnetRecord>(networkKeys.subnet(scope, req.subnetId));
    if (!subnet) throw EfsErrors.subnetNotFound(req.subnetId);
    if (fs.availabilityZoneName !== undefined && fs.availabilityZoneName !== subnet.availabilityZone) {
      throw EfsErrors.availabilityZonesMismatch(`File system '${fs.fileSystemId}' is in ${fs.availabilityZoneName}; subnet '${subnet.subnetId}' is in ${subnet.availabilityZone}.`);
    }
    const others = (await tx.list<MountTargetRecord>(keys.mountTargets(scope))).filter((m) => m.fileSystemId === fs.fileSystemId);
    const otherVpc = others.find((m) => m.vpcId !== subnet.vpcId);
    if (otherVpc) throw EfsErrors.mountTargetConflict(`File system '${fs.fileSystemId}' has mount targets in VPC '${otherVpc.vpcId}', not '${subnet.vpcId}'.`);
    const zoneKey = keys.zoneMountTarget(scope, fs.fileSystemId, subnet.availabilityZone);
    if (await tx.get(zoneKey)) throw EfsErrors.mountTargetConflict(`File system '${fs.fileSystemId}' already has a mount target in ${subnet.availabilityZone}.`);
    const groupIds = await resolveGroups(tx, scope, subnet.vpcId, req.securityGroups);
    const eni = await stageServiceInterface(tx, scope, {
      subnet, groupIds, ipAddress: req.ipAddress, random, now, description: `EFS mount target for ${fs.fileSystemId} (${id})`,
    });
    if (eni === 'outside-subnet') throw EfsErrors.badRequest(`IpAddress '${req.ipAddress}' is not an available address of subnet '${subnet.subnetId}' (${subnet.cidrBlock}).`);
    if (eni === 'in-use') throw EfsErrors.ipAddressInUse(req.ipAddress!);
    if (eni === 'subnet-full') throw EfsErrors.noFreeAddresses(subnet.subnetId);
    const record: MountTargetRecord = {
      mountTargetId: id, fileSystemId: fs.fileSystemId, ownerId: scope.account, subnetId: subnet.subnetId, vpcId: subnet.vpcId,
      availabilityZoneName: subnet.availabilityZone, availabilityZoneId: subnet.availabilityZoneId, ipAddress: eni.privateIpAddress,
      networkInterfaceId: eni.networkInterfaceId, securityGroups: groupIds, lifeCycleState: 'available', createdAt: now,
    };
    tx.put(zoneKey, { mountTargetId: id });
    tx.put(keys.mountTarget(scope, id), record);
    tx.put<FileSystemRecord>(keys.fileSystem(scope, fs.fileSystemId), { ...fs, numberOfMountTargets: fs.numberOfMountTargets + 1 });
    return record;
  });
}

/** DescribeMountTargets: exactly one of a file system, a mount target, or an access point (its file system's), in creation order. */
export async function describeMountTargets(
  store: Store, scope: Scope, by: { fileSystemId?: string; mountTargetId?: string; accessPointId?: string },
): Promise<MountTargetRecord[]> {
  const given = [by.fileSystemId, by.mountTargetId, by.accessPointId].filter((v) => v !== undefined).length;
  if (given !== 1) throw EfsErrors.badRequest('Exactly one of FileSystemId, MountTargetId and AccessPointId must be given.');
  if (by.mountTargetId !== undefined) {
    const doc = await getDoc<MountTargetRecord>(store, keys.mountTarget(scope, by.mountTargetId));
    if (!doc) throw EfsErrors.mountTargetNotFound(by.mountTargetId);
    return [doc.value];
  }
  let fileSystemId = by.fileSystemId;
  if (by.accessPointId !== undefined) {
    const ap = await getDoc<AccessPointRecord>(store, keys.accessPoint(scope, by.accessPointId));
    if (!ap) throw EfsErrors.accessPointNotFound(by.accessPointId);
    fileSystemId = ap.value.fileSystemId;
  }
  if (!(await getDoc(store, keys.fileSystem(scope, fileSystemId!)))) throw EfsErrors.fileSystemNotFound(fileSystemId!);
  return (await listDocs<MountTargetRecord>(store, keys.mountTargets(scope))).map((d) => d.value)
    .filter((m) => m.fileSystemId === fileSystemId)
    .sort((a, b) => a.createdAt - b.createdAt || (a.mountTargetId < b.mountTargetId ? -1 : 1));
}

/** DeleteMountTarget: its interface and address are released, its zone is free again. */
export async function deleteMountTarget(store: Store, scope: Scope, id: string): Promise<void> {
  await transact(store, async (tx) => {
    const record = await tx.get<MountTargetRecord>(keys.mountTarget(scope, id));
    if (!record) throw EfsErrors.mountTargetNotFound(id);
    tx.delete(keys.mountTarget(scope, id));
    tx.delete(keys.zoneMountTarget(scope, record.fileSystemId, record.availabilityZoneName));
    await stageReleaseInterface(tx, scope, record.networkInterfaceId);
    const fs = await tx.get<FileSystemRecord>(keys.fileSystem(scope, record.fileSystemId));
    if (fs) tx.put<FileSystemRecord>(keys.fileSystem(scope, fs.fileSystemId), { ...fs, numberOfMountTargets: Math.max(0, fs.numberOfMountTargets - 1) });
  });
}

/** DescribeMountTargetSecurityGroups. */
export async function mountTargetSecurityGroups(store: Store, scope: Scope, id: string): Promise<string[]> {
  const doc = await getDoc<MountTargetRecord>(store, keys.mountTarget(scope, id));
  if (!doc) throw EfsErrors.mountTargetNotFound(id);
  return doc.value.securityGroups;
}

/** ModifyMountTargetSecurityGroups: replaces the groups, on the mount target and its interface. */
export async function modifyMountTargetSecurityGroups(store: Store, scope: Scope, id: string, groups: string[]): Promise<void> {
  await transact(store, async (tx) => {
    const record = await tx.get<MountTargetRecord>(keys.mountTarget(scope, id));
    if (!record) throw EfsErrors.mountTargetNotFound(id);
    const groupIds = await resolveGroups(tx, scope, record.vpcId, groups);
    tx.put(keys.mountTarget(scope, id), { ...record, securityGroups: groupIds });
    await stageInterfaceGroups(tx, scope, record.networkInterfaceId, groupIds);
  });
}

/** The file system a mount target is of (what IAM authorizes its operations on); undefined when there is no such mount target. */
export async function fileSystemOfMountTarget(store: Store, scope: Scope, id: string): Promise<string | undefined> {
  return (await getDoc<MountTargetRecord>(store, keys.mountTarget(scope, id)))?.value.fileSystemId;
}
