import type { AvailabilityZone, Operations } from '../../generated/types/ec2.js';
import type { Handlers } from '../service.js';
import { applyFilters, type Fields } from './filters.js';
import { AwsError } from '../../protocols/errors.js';

/**
 * Regions and their zones as AWS names them. Zone ids (use1-az1) name the physical zone; the
 * letter-to-id mapping below is one real account's. Opt-in regions are listed only with
 * AllRegions. https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 */
interface RegionInfo {
  zones: [letter: string, zoneId: string][];
  optIn?: boolean;
}

const REGIONS: Record<string, RegionInfo> = {
  'us-east-1': { zones: [['a', 'use1-az6'], ['b', 'use1-az1'], ['c', 'use1-az2'], ['d', 'use1-az4'], ['e', 'use1-az3'], ['f', 'use1-az5']] },
  'us-east-2': { zones: [['a', 'use2-az1'], ['b', 'use2-az2'], ['c', 'use2-az3']] },
  'us-west-1': { zones: [['b', 'usw1-az3'], ['c', 'usw1-az1']] },
  'us-west-2': { zones: [['a', 'usw2-az2'], ['b', 'usw2-az1'], ['c', 'usw2-az3'], ['d', 'usw2-az4']] },
  'ca-central-1': { zones: [['a', 'cac1-az1'], ['b', 'cac1-az2'], ['d', 'cac1-az4']] },
  'sa-east-1': { zones: [['a', 'sae1-az1'], ['b', 'sae1-az2'], ['c', 'sae1-az3']] },
  'eu-west-1': { zones: [['a', 'euw1-az3'], ['b', 'euw1-az1'], ['c', 'euw1-az2']] },
  'eu-west-2': { zones: [['a', 'euw2-az2'], ['b', 'euw2-az3'], ['c', 'euw2-az1']] },
  'eu-west-3': { zones: [['a', 'euw3-az1'], ['b', 'euw3-az2'], ['c', 'euw3-az3']] },
  'eu-central-1': { zones: [['a', 'euc1-az2'], ['b', 'euc1-az3'], ['c', 'euc1-az1']] },
  'eu-north-1': { zones: [['a', 'eun1-az1'], ['b', 'eun1-az2'], ['c', 'eun1-az3']] },
  'eu-south-1': { zones: [['a', 'eus1-az1'], ['b', 'eus1-az2'], ['c', 'eus1-az3']], optIn: true },
  'ap-south-1': { zones: [['a', 'aps1-az1'], ['b', 'aps1-az3'], ['c', 'aps1-az2']] },
  'ap-northeast-1': { zones: [['a', 'apne1-az4'], ['c', 'apne1-az1'], ['d', 'apne1-az2']] },
  'ap-northeast-2': { zones: [['a', 'apne2-az1'], ['b', 'apne2-az2'], ['c', 'apne2-az3'], ['d', 'apne2-az4']] },
  'ap-northeast-3': { zones: [['a', 'apne3-az3'], ['b', 'apne3-az1'], ['c', 'apne3-az2']] },
  'ap-southeast-1': { zones: [['a', 'apse1-az2'], ['b', 'apse1-az1'], ['c', 'apse1-az3']] },
  'ap-southeast-2': { zones: [['a', 'apse2-az3'], ['b', 'apse2-az1'], ['c', 'apse2-az2']] },
  'ap-east-1': { zones: [['a', 'ape1-az1'], ['b', 'ape1-az2'], ['c', 'ape1-az3']], optIn: true },
  'me-south-1': { zones: [['a', 'mes1-az1'], ['b', 'mes1-az2'], ['c', 'mes1-az3']], optIn: true },
  'af-south-1': { zones: [['a', 'afs1-az1'], ['b', 'afs1-az2'], ['c', 'afs1-az3']], optIn: true },
};

export interface Zone {
  ZoneName: string;
  ZoneId: string;
}

/** The zones of a region. A region Nimbus has no table for gets three zones named in AWS's pattern. */
export function zonesOf(region: string): Zone[] {
  const info = REGIONS[region];
  if (info) return info.zones.map(([letter, id]) => ({ ZoneName: region + letter, ZoneId: id }));
  return ['a', 'b', 'c'].map((l, i) => ({ ZoneName: region + l, ZoneId: `${region}-az${i + 1}` }));
}

/** A zone of the region by name or id, or InvalidParameterValue. */
export function zoneNamed(region: string, nameOrId: string): Zone {
  const zone = zonesOf(region).find((z) => z.ZoneName === nameOrId || z.ZoneId === nameOrId);
  if (!zone) throw new AwsError('InvalidParameterValue', `Value (${nameOrId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zonesOf(region).map((z) => z.ZoneName).join(', ')}.`, { status: 400 });
  return zone;
}

const regionFields: Fields<{ RegionName: string; Endpoint: string; OptInStatus: string }> = {
  'region-name': (r) => r.RegionName,
  endpoint: (r) => r.Endpoint,
  'opt-in-status': (r) => r.OptInStatus,
};

const zoneFields: Fields<AvailabilityZone> = {
  'zone-name': (z) => z.ZoneName,
  'zone-id': (z) => z.ZoneId,
  'region-name': (z) => z.RegionName,
  state: (z) => z.State,
  'zone-type': (z) => z.ZoneType,
  'group-name': (z) => z.GroupName,
  'opt-in-status': (z) => z.OptInStatus,
};

export const handlers: Handlers<Operations> = {
  DescribeRegions(input) {
    let regions = Object.entries(REGIONS).map(([name, info]) => ({
      RegionName: name,
      Endpoint: `ec2.${name}.amazonaws.com`,
      OptInStatus: info.optIn ? 'not-opted-in' : 'opt-in-not-required',
    }));
    if (!input.AllRegions) regions = regions.filter((r) => r.OptInStatus === 'opt-in-not-required');
    if (input.RegionNames?.length) regions = regions.filter((r) => input.RegionNames!.includes(r.RegionName));
    return { Regions: applyFilters(regions, input.Filters, regionFields) };
  },

  DescribeAvailabilityZones(input, ctx) {
    const zones: AvailabilityZone[] = zonesOf(ctx.region).map((z) => ({
      ZoneName: z.ZoneName, ZoneId: z.ZoneId, State: 'available', RegionName: ctx.region, ZoneType: 'availability-zone',
      GroupName: ctx.region, NetworkBorderGroup: ctx.region, OptInStatus: 'opt-in-not-required', Messages: [],
    }));
    let out = zones;
    if (input.ZoneNames?.length || input.ZoneIds?.length) {
      for (const n of [...(input.ZoneNames ?? []), ...(input.ZoneIds ?? [])]) {
        if (!zones.some((z) => z.ZoneName === n || z.ZoneId === n)) {
          throw new AwsError('InvalidParameterValue', `The zone '${n}' does not exist.`, { status: 400 });
        }
      }
      out = zones.filter((z) => input.ZoneNames?.includes(z.ZoneName!) || input.ZoneIds?.includes(z.ZoneId!));
    }
    return { AvailabilityZones: applyFilters(out, input.Filters, zoneFields) };
  },
};
