/**
 * The instance types Wharf offers, with AWS's figures for each (vCPUs, memory, network
 * interfaces, addresses per interface): the resources a Wharf host of that type gives its agent,
 * and what DescribeInstanceTypes lists, with EC2's filters.
 */
import { applyFilters, type Ec2Filter } from '../network/index.ts';
import { InstanceErrors } from './errors.ts';

/** One instance type, as Wharf knows it. */
export interface InstanceTypeInfo {
  instanceType: string;
  vcpus: number;
  /** Physical cores (vCPUs / threads per core). */
  cores: number;
  threadsPerCore: number;
  memoryMiB: number;
  maxNetworkInterfaces: number;
  ipv4PerInterface: number;
  architecture: 'x86_64' | 'arm64';
  clockGhz: number;
  networkPerformance: string;
  burstable: boolean;
  freeTierEligible: boolean;
}

/** A family's sizes: name, vCPUs, memory GiB, interfaces, addresses per interface. */
type Size = [size: string, vcpus: number, memoryGiB: number, interfaces: number, ipv4: number];

interface Family {
  family: string;
  architecture: 'x86_64' | 'arm64';
  threadsPerCore: number;
  clockGhz: number;
  networkPerformance: string;
  burstable?: boolean;
  sizes: Size[];
}

const T3: Size[] = [
  ['nano', 2, 0.5, 2, 2], ['micro', 2, 1, 2, 2], ['small', 2, 2, 3, 4], ['medium', 2, 4, 3, 6],
  ['large', 2, 8, 3, 12], ['xlarge', 4, 16, 4, 15], ['2xlarge', 8, 32, 4, 15],
];
/** General purpose sizes large..4xlarge at 4 GiB a vCPU. */
const M: Size[] = [['large', 2, 8, 3, 10], ['xlarge', 4, 16, 4, 15], ['2xlarge', 8, 32, 4, 15], ['4xlarge', 16, 64, 8, 30]];
/** Compute optimized: 2 GiB a vCPU. */
const C: Size[] = [['large', 2, 4, 3, 10], ['xlarge', 4, 8, 4, 15], ['2xlarge', 8, 16, 4, 15], ['4xlarge', 16, 32, 8, 30]];
/** Memory optimized: 8 GiB a vCPU. */
const R: Size[] = [['large', 2, 16, 3, 10], ['xlarge', 4, 32, 4, 15], ['2xlarge', 8, 64, 4, 15]];

const FAMILIES: Family[] = [
  { family: 't3', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.1, networkPerformance: 'Up to 5 Gigabit', burstable: true, sizes: T3 },
  { family: 't3a', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 2.2, networkPerformance: 'Up to 5 Gigabit', burstable: true, sizes: T3 },
  { family: 'm5', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.1, networkPerformance: 'Up to 10 Gigabit', sizes: M },
  { family: 'c5', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.4, networkPerformance: 'Up to 10 Gigabit', sizes: C },
  { family: 'r5', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.1, networkPerformance: 'Up to 10 Gigabit', sizes: R },
  { family: 'm6i', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.5, networkPerformance: 'Up to 12.5 Gigabit', sizes: M.slice(0, 3) },
  { family: 'c6i', architecture: 'x86_64', threadsPerCore: 2, clockGhz: 3.5, networkPerformance: 'Up to 12.5 Gigabit', sizes: C.slice(0, 3) },
  {
    family: 'm7g', architecture: 'arm64', threadsPerCore: 1, clockGhz: 2.6, networkPerformance: 'Up to 12.5 Gigabit',
    sizes: [['medium', 1, 4, 2, 4], ...M.slice(0, 3)],
  },
];

/** Every instance type Wharf offers, by name. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeInfo> = new Map(FAMILIES.flatMap((f) => f.sizes.map(([size, vcpus, gib, interfaces, ipv4]) => {
  const info: InstanceTypeInfo = {
    instanceType: `${f.family}.${size}`, vcpus, cores: Math.max(1, vcpus / f.threadsPerCore), threadsPerCore: f.threadsPerCore,
    memoryMiB: gib * 1024, maxNetworkInterfaces: interfaces, ipv4PerInterface: ipv4, architecture: f.architecture, clockGhz: f.clockGhz,
    networkPerformance: f.networkPerformance, burstable: f.burstable ?? false, freeTierEligible: `${f.family}.${size}` === 't3.micro',
  };
  return [info.instanceType, info] as const;
})));

/** The type of that name, or undefined. */
export const instanceType = (name: string): InstanceTypeInfo | undefined => INSTANCE_TYPES.get(name);

/** What DescribeInstanceTypes asks for. */
export interface DescribeInstanceTypesRequest {
  instanceTypes?: string[];
  filters?: Ec2Filter[];
}

/** DescribeInstanceTypes: the types named (all when none are) that pass the filters, by name. */
export function describeInstanceTypes(request: DescribeInstanceTypesRequest): InstanceTypeInfo[] {
  const unknown = request.instanceTypes?.filter((t) => !INSTANCE_TYPES.has(t)) ?? [];
  if (unknown.length) throw InstanceErrors.invalidInstanceType(unknown);
  const all = [...INSTANCE_TYPES.values()].sort((a, b) => (a.instanceType < b.instanceType ? -1 : 1));
  const named = request.instanceTypes?.length ? all.filter((t) => request.instanceTypes!.includes(t.instanceType)) : all;
  return applyFilters(named, request.filters, {
    'instance-type': (t) => [t.instanceType],
    'vcpu-info.default-vcpus': (t) => [t.vcpus],
    'vcpu-info.default-cores': (t) => [t.cores],
    'vcpu-info.default-threads-per-core': (t) => [t.threadsPerCore],
    'memory-info.size-in-mib': (t) => [t.memoryMiB],
    'network-info.maximum-network-interfaces': (t) => [t.maxNetworkInterfaces],
    'network-info.ipv4-addresses-per-interface': (t) => [t.ipv4PerInterface],
    'network-info.network-performance': (t) => [t.networkPerformance],
    'processor-info.supported-architecture': (t) => [t.architecture],
    'processor-info.sustained-clock-speed-in-ghz': (t) => [t.clockGhz],
    'burstable-performance-supported': (t) => [t.burstable],
    'current-generation': () => [true],
    'free-tier-eligible': (t) => [t.freeTierEligible],
    'bare-metal': () => [false],
    hypervisor: () => ['nitro'],
    'instance-storage-supported': () => [false],
    'supported-usage-class': () => ['on-demand', 'spot'],
    'supported-root-device-type': () => ['ebs'],
    'supported-virtualization-type': () => ['hvm'],
  });
}
