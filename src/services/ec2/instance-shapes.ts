/**
 * The instances domain's records in the SDK's shapes, as EC2 answers them: an instance (with its
 * primary interface), its status, an instance type, a launch template and its versions; and a
 * request's launch parameters (RunInstances, a template's data) in the domain's form.
 */
import type {
  Instance, InstanceNetworkInterfaceSpecification, InstanceStatus, InstanceTypeInfo as SdkInstanceType, LaunchTemplate,
  LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, LaunchTemplateVersion, RequestLaunchTemplateData, ResponseLaunchTemplateData, Tag,
} from '@aws-sdk/client-ec2';
import {
  STATE_CODES, instanceType, type InstanceRecord, type InstanceTypeInfo, type InterfaceSpec, type LaunchTemplateData, type LaunchTemplateRecord,
  type TemplateVersion,
} from '../../instances/index.ts';
import { availabilityZones, privateDnsName, type Scope } from '../../network/index.ts';
import { tagsIn, tagsOut } from './common.ts';

/** An instance's state as EC2 shows it. */
export const stateOf = (name: InstanceRecord['state']) => ({ Code: STATE_CODES[name], Name: name });

/** An instance, as DescribeInstances and RunInstances show it. */
export function toInstance(scope: Scope, i: InstanceRecord): Instance {
  const dns = privateDnsName(scope.region, i.privateIpAddress);
  const type = instanceType(i.instanceType);
  const groups = i.groups.map((g) => ({ GroupId: g.groupId, GroupName: g.groupName }));
  const gone = i.state === 'terminated';
  return {
    AmiLaunchIndex: i.amiLaunchIndex,
    ImageId: i.imageId,
    InstanceId: i.instanceId,
    InstanceType: i.instanceType as Instance['InstanceType'],
    ...(i.keyName !== undefined ? { KeyName: i.keyName } : {}),
    LaunchTime: new Date(i.launchTime),
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: i.availabilityZone, GroupName: '', Tenancy: 'default' },
    PrivateDnsName: gone ? '' : dns,
    ...(gone ? {} : { PrivateIpAddress: i.privateIpAddress }),
    ProductCodes: [],
    PublicDnsName: '',
    State: stateOf(i.state),
    StateTransitionReason: i.stateTransitionReason,
    ...(gone ? {} : { SubnetId: i.subnetId, VpcId: i.vpcId }),
    Architecture: type?.architecture ?? 'x86_64',
    BlockDeviceMappings: [],
    ...(i.clientToken !== undefined ? { ClientToken: i.clientToken } : {}),
    EbsOptimized: false,
    EnaSupport: true,
    Hypervisor: 'xen',
    ...(i.iamInstanceProfile ? { IamInstanceProfile: { Arn: i.iamInstanceProfile.arn, Id: i.iamInstanceProfile.id } } : {}),
    NetworkInterfaces: gone ? [] : [{
      Attachment: {
        AttachTime: new Date(i.launchTime), AttachmentId: `eni-attach-${i.networkInterfaceId.slice(4)}`, DeleteOnTermination: true,
        DeviceIndex: 0, Status: 'attached', NetworkCardIndex: 0,
      },
      Description: '',
      Groups: groups,
      Ipv6Addresses: [],
      MacAddress: i.macAddress,
      NetworkInterfaceId: i.networkInterfaceId,
      OwnerId: i.ownerId,
      PrivateDnsName: dns,
      PrivateIpAddress: i.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dns, PrivateIpAddress: i.privateIpAddress }],
      SourceDestCheck: true,
      Status: 'in-use',
      SubnetId: i.subnetId,
      VpcId: i.vpcId,
      InterfaceType: 'interface',
    }],
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: gone ? [] : groups,
    SourceDestCheck: true,
    ...(i.stateReason ? { StateReason: { Code: i.stateReason.code, Message: i.stateReason.message } } : {}),
    Tags: tagsOut(i.tags),
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: type?.cores ?? 1, ThreadsPerCore: type?.threadsPerCore ?? 1 },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: false },
    MetadataOptions: {
      State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled',
    },
    EnclaveOptions: { Enabled: false },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    UsageOperationUpdateTime: new Date(i.launchTime),
    PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: 'default' },
    CurrentInstanceBootMode: 'legacy-bios',
  };
}

/**
 * An instance's status. Checks are `ok` while it runs (its host started it: Wharf has no
 * separate reachability probe), `insufficient-data` when it runs with no host behind it, and
 * `not-applicable` otherwise.
 */
export function toInstanceStatus(scope: Scope, i: InstanceRecord, hostless = false): InstanceStatus {
  const running = i.state === 'running';
  const check = !running ? { Status: 'not-applicable' as const }
    : hostless ? { Status: 'insufficient-data' as const, Details: [{ Name: 'reachability' as const, Status: 'insufficient-data' as const }] }
    : { Status: 'ok' as const, Details: [{ Name: 'reachability' as const, Status: 'passed' as const }] };
  const zoneId = availabilityZones(scope.region).find((z) => z.zoneName === i.availabilityZone)?.zoneId;
  return {
    AvailabilityZone: i.availabilityZone,
    ...(zoneId !== undefined ? { AvailabilityZoneId: zoneId } : {}),
    InstanceId: i.instanceId,
    InstanceState: stateOf(i.state),
    InstanceStatus: check,
    SystemStatus: check,
    AttachedEbsStatus: check,
  };
}

/** An instance type, as DescribeInstanceTypes shows it. */
export function toInstanceType(t: InstanceTypeInfo): SdkInstanceType {
  return {
    InstanceType: t.instanceType as SdkInstanceType['InstanceType'],
    CurrentGeneration: true,
    FreeTierEligible: t.freeTierEligible,
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: 'nitro',
    ProcessorInfo: { SupportedArchitectures: [t.architecture], SustainedClockSpeedInGhz: t.clockGhz, Manufacturer: t.architecture === 'arm64' ? 'AWS' : 'Intel' },
    VCpuInfo: {
      DefaultVCpus: t.vcpus, DefaultCores: t.cores, DefaultThreadsPerCore: t.threadsPerCore,
      ValidCores: Array.from({ length: t.cores }, (_, n) => n + 1), ValidThreadsPerCore: t.threadsPerCore === 2 ? [1, 2] : [1],
    },
    MemoryInfo: { SizeInMiB: t.memoryMiB },
    InstanceStorageSupported: false,
    EbsInfo: { EbsOptimizedSupport: 'default', EncryptionSupport: 'supported', NvmeSupport: 'required' },
    NetworkInfo: {
      NetworkPerformance: t.networkPerformance,
      MaximumNetworkInterfaces: t.maxNetworkInterfaces,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: t.networkPerformance, MaximumNetworkInterfaces: t.maxNetworkInterfaces }],
      Ipv4AddressesPerInterface: t.ipv4PerInterface,
      Ipv6AddressesPerInterface: t.ipv4PerInterface,
      Ipv6Supported: true,
      EnaSupport: 'required',
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ['partition', 'spread'] },
    HibernationSupported: t.architecture === 'x86_64',
    BurstablePerformanceSupported: t.burstable,
    DedicatedHostsSupported: !t.burstable,
    AutoRecoverySupported: true,
    SupportedBootModes: t.architecture === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
    NitroEnclavesSupport: 'unsupported',
    NitroTpmSupport: 'supported',
    PhcSupport: 'unsupported',
  };
}

/** A launch template. */
export function toLaunchTemplate(t: LaunchTemplateRecord): LaunchTemplate {
  return {
    LaunchTemplateId: t.launchTemplateId,
    LaunchTemplateName: t.launchTemplateName,
    CreateTime: new Date(t.createdAt),
    CreatedBy: t.createdBy,
    DefaultVersionNumber: t.defaultVersion,
    LatestVersionNumber: t.latestVersion,
    ...(t.tags.length ? { Tags: tagsOut(t.tags) } : {}),
  };
}

const interfaceIn = (n: InstanceNetworkInterfaceSpecification | LaunchTemplateInstanceNetworkInterfaceSpecificationRequest): InterfaceSpec => ({
  ...(n.DeviceIndex !== undefined ? { deviceIndex: n.DeviceIndex } : {}),
  ...(n.SubnetId !== undefined ? { subnetId: n.SubnetId } : {}),
  ...(n.Groups?.length ? { groupIds: n.Groups } : {}),
  ...(n.PrivateIpAddress !== undefined ? { privateIpAddress: n.PrivateIpAddress } : {}),
  ...(n.AssociatePublicIpAddress !== undefined ? { associatePublicIpAddress: n.AssociatePublicIpAddress } : {}),
  ...(n.DeleteOnTermination !== undefined ? { deleteOnTermination: n.DeleteOnTermination } : {}),
  ...(n.Description !== undefined ? { description: n.Description } : {}),
});

type LaunchInput = Pick<RequestLaunchTemplateData, 'ImageId' | 'KeyName' | 'UserData' | 'SecurityGroupIds' | 'SecurityGroups'> & {
  InstanceType?: string;
  IamInstanceProfile?: { Arn?: string; Name?: string };
  NetworkInterfaces?: (InstanceNetworkInterfaceSpecification | LaunchTemplateInstanceNetworkInterfaceSpecificationRequest)[];
  Placement?: { AvailabilityZone?: string };
  TagSpecifications?: { ResourceType?: string; Tags?: Tag[] }[];
};

/** A request's launch parameters (RunInstances' or a template's data), in the domain's form: only the members given. */
export function launchDataIn(d: LaunchInput): LaunchTemplateData {
  const profile = d.IamInstanceProfile;
  return {
    ...(d.ImageId !== undefined ? { imageId: d.ImageId } : {}),
    ...(d.InstanceType !== undefined ? { instanceType: d.InstanceType } : {}),
    ...(d.KeyName !== undefined ? { keyName: d.KeyName } : {}),
    ...(d.UserData !== undefined ? { userData: d.UserData } : {}),
    ...(d.SecurityGroupIds?.length ? { securityGroupIds: d.SecurityGroupIds } : {}),
    ...(d.SecurityGroups?.length ? { securityGroups: d.SecurityGroups } : {}),
    ...(profile && (profile.Arn !== undefined || profile.Name !== undefined)
      ? { iamInstanceProfile: { ...(profile.Arn !== undefined ? { arn: profile.Arn } : {}), ...(profile.Name !== undefined ? { name: profile.Name } : {}) } }
      : {}),
    ...(d.NetworkInterfaces?.length ? { networkInterfaces: d.NetworkInterfaces.map(interfaceIn) } : {}),
    ...(d.Placement?.AvailabilityZone !== undefined ? { placement: { availabilityZone: d.Placement.AvailabilityZone } } : {}),
    ...(d.TagSpecifications?.length ? { tagSpecifications: d.TagSpecifications.map((s) => ({ resourceType: s.ResourceType, tags: tagsIn(s.Tags) })) } : {}),
  };
}

/** A template version's data, as EC2 shows it back. */
export function launchDataOut(d: LaunchTemplateData): ResponseLaunchTemplateData {
  return {
    ...(d.imageId !== undefined ? { ImageId: d.imageId } : {}),
    ...(d.instanceType !== undefined ? { InstanceType: d.instanceType as ResponseLaunchTemplateData['InstanceType'] } : {}),
    ...(d.keyName !== undefined ? { KeyName: d.keyName } : {}),
    ...(d.userData !== undefined ? { UserData: d.userData } : {}),
    ...(d.securityGroupIds ? { SecurityGroupIds: d.securityGroupIds } : {}),
    ...(d.securityGroups ? { SecurityGroups: d.securityGroups } : {}),
    ...(d.iamInstanceProfile ? { IamInstanceProfile: { ...(d.iamInstanceProfile.arn !== undefined ? { Arn: d.iamInstanceProfile.arn } : {}), ...(d.iamInstanceProfile.name !== undefined ? { Name: d.iamInstanceProfile.name } : {}) } } : {}),
    ...(d.networkInterfaces ? {
      NetworkInterfaces: d.networkInterfaces.map((n) => ({
        ...(n.deviceIndex !== undefined ? { DeviceIndex: n.deviceIndex } : {}),
        ...(n.subnetId !== undefined ? { SubnetId: n.subnetId } : {}),
        ...(n.groupIds ? { Groups: n.groupIds } : {}),
        ...(n.privateIpAddress !== undefined ? { PrivateIpAddress: n.privateIpAddress } : {}),
        ...(n.associatePublicIpAddress !== undefined ? { AssociatePublicIpAddress: n.associatePublicIpAddress } : {}),
        ...(n.deleteOnTermination !== undefined ? { DeleteOnTermination: n.deleteOnTermination } : {}),
        ...(n.description !== undefined ? { Description: n.description } : {}),
      })),
    } : {}),
    ...(d.placement?.availabilityZone !== undefined ? { Placement: { AvailabilityZone: d.placement.availabilityZone } } : {}),
    ...(d.tagSpecifications ? {
      TagSpecifications: d.tagSpecifications.map((s) => ({
        ...(s.resourceType !== undefined ? { ResourceType: s.resourceType as 'instance' } : {}), Tags: s.tags.map((t) => ({ Key: t.key, Value: t.value })),
      })),
    } : {}),
  };
}

/** A template version. */
export function toLaunchTemplateVersion({ template, version }: TemplateVersion): LaunchTemplateVersion {
  return {
    LaunchTemplateId: template.launchTemplateId,
    LaunchTemplateName: template.launchTemplateName,
    VersionNumber: version.versionNumber,
    ...(version.versionDescription !== undefined ? { VersionDescription: version.versionDescription } : {}),
    CreateTime: new Date(version.createdAt),
    CreatedBy: version.createdBy,
    DefaultVersion: version.versionNumber === template.defaultVersion,
    LaunchTemplateData: launchDataOut(version.data),
  };
}
