/**
 * The availability zones of a region as DescribeAvailabilityZones lists them: Wharf's three
 * zones, always available, opted in by default, each its own region's network border group.
 */
import { availabilityZones, type AvailabilityZone } from './default-vpc.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';

/** A zone with what EC2 says of it. */
export interface ZoneView extends AvailabilityZone {
  regionName: string;
  state: 'available';
  zoneType: 'availability-zone';
  optInStatus: 'opt-in-not-required';
  /** The zone group (and network border group): the region itself. */
  groupName: string;
}

/** What DescribeAvailabilityZones asks for. */
export interface DescribeZonesRequest {
  zoneNames?: string[];
  zoneIds?: string[];
  filters?: Ec2Filter[];
}

/** DescribeAvailabilityZones: the region's zones the request names (by name or id) that pass its filters. */
export function describeAvailabilityZones(region: string, request: DescribeZonesRequest): ZoneView[] {
  const all = availabilityZones(region).map((z): ZoneView => ({
    ...z, regionName: region, state: 'available', zoneType: 'availability-zone', optInStatus: 'opt-in-not-required', groupName: region,
  }));
  const unknownName = request.zoneNames?.find((name) => !all.some((z) => z.zoneName === name));
  if (unknownName !== undefined) throw Ec2Errors.invalidParameterValue(`Invalid availability zone: [${unknownName}]`);
  const unknownId = request.zoneIds?.find((id) => !all.some((z) => z.zoneId === id));
  if (unknownId !== undefined) throw Ec2Errors.invalidParameterValue(`Invalid availability zone ID: [${unknownId}]`);
  const named = request.zoneNames?.length || request.zoneIds?.length
    ? all.filter((z) => request.zoneNames?.includes(z.zoneName) || request.zoneIds?.includes(z.zoneId))
    : all;
  return applyFilters(named, request.filters, {
    'zone-name': (z) => [z.zoneName],
    'zone-id': (z) => [z.zoneId],
    state: (z) => [z.state],
    'region-name': (z) => [z.regionName],
    'zone-type': (z) => [z.zoneType],
    'group-name': (z) => [z.groupName],
    'network-border-group': (z) => [z.groupName],
    'opt-in-status': (z) => [z.optInStatus],
  });
}
