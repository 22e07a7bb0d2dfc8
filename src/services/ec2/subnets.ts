import type { Operations } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import * as cidr from './cidr.js';
import { availableIps, defaultVpc, mustSubnet, mustVpc, newSubnet } from './network.js';
import { zoneNamed, zonesOf } from './regions.js';
import { all, put, remove, tagOnCreate, withTags } from './store.js';
import type { EniDoc, NaclDoc, RouteTableDoc, SubnetDoc } from './types.js';

/** Subnets: a block of one VPC in one zone; AvailableIpAddressCount is what the five reserved and the used addresses leave. */
const subnetFields: Fields<SubnetDoc> = {
  'subnet-id': (s) => s.SubnetId,
  'vpc-id': (s) => s.VpcId,
  'cidr-block': (s) => s.CidrBlock,
  cidr: (s) => s.CidrBlock,
  cidrBlock: (s) => s.CidrBlock,
  'availability-zone': (s) => s.AvailabilityZone,
  availabilityZone: (s) => s.AvailabilityZone,
  'availability-zone-id': (s) => s.AvailabilityZoneId,
  'available-ip-address-count': (s) => s.AvailableIpAddressCount,
  'default-for-az': (s) => s.DefaultForAz,
  defaultForAz: (s) => s.DefaultForAz,
  'map-public-ip-on-launch': (s) => s.MapPublicIpOnLaunch,
  'owner-id': (s) => s.OwnerId,
  state: (s) => s.State,
  'subnet-arn': (s) => s.SubnetArn,
};

export const handlers: Handlers<Operations> = {
  CreateSubnet(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    if (!input.CidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter cidrBlock', { status: 400 });
    const wanted = input.AvailabilityZone ?? input.AvailabilityZoneId;
    const zone = wanted ? zoneNamed(ctx.region, wanted) : zonesOf(ctx.region)[0]!;
    const subnet = newSubnet(ctx, vpc, input.CidrBlock, zone, false);
    const tags = tagOnCreate(ctx, subnet.SubnetId, input.TagSpecifications);
    return { Subnet: { ...subnet, State: 'pending', AvailableIpAddressCount: availableIps(ctx, subnet), Tags: tags.length ? tags : undefined } };
  },

  /** A public /20 of the default VPC in a zone that lost its default subnet: the first /20 of 172.31.0.0/16 still free. https://docs.aws.amazon.com/vpc/latest/userguide/work-with-default-vpc.html#create-default-subnet */
  CreateDefaultSubnet(input, ctx) {
    const vpc = defaultVpc(ctx);
    if (!vpc) throw new AwsError('DefaultVpcDoesNotExist', 'No default VPC exists for this account in this region.', { status: 400 });
    const zone = zoneNamed(ctx.region, input.AvailabilityZone ?? input.AvailabilityZoneId ?? '');
    const mine = all<SubnetDoc>(ctx, 'subnet').filter((s) => s.VpcId === vpc.VpcId);
    if (mine.some((s) => s.DefaultForAz && s.AvailabilityZone === zone.ZoneName)) {
      throw new AwsError('DefaultSubnetAlreadyExistsInAvailabilityZone', `A default subnet already exists in availability zone ${zone.ZoneName}.`, { status: 400 });
    }
    const block = cidr.parseCidr(vpc.CidrBlock)!;
    const free = Array.from({ length: 2 ** (20 - block.bits) }, (_, i) => cidr.nth(block, 20, i)).find((b) => !mine.some((s) => cidr.overlaps(cidr.parseCidr(s.CidrBlock)!, b)));
    if (!free) throw new AwsError('InsufficientFreeAddressesInVpc', `The default VPC ${vpc.VpcId} has no free /20 block left for a default subnet.`, { status: 400 });
    const subnet = newSubnet(ctx, vpc, cidr.format(free), zone, true);
    return { Subnet: { ...subnet, State: 'pending', AvailableIpAddressCount: availableIps(ctx, subnet) } };
  },

  DescribeSubnets(input, ctx) {
    const subnets = all<SubnetDoc>(ctx, 'subnet').map((s) => ({ ...s, AvailableIpAddressCount: availableIps(ctx, s) }));
    const chosen = byIds(withTags(ctx, 'subnet', subnets, (s) => s.SubnetId), input.SubnetIds, (s) => s.SubnetId, notFound('InvalidSubnetID.NotFound', 'subnet'));
    const { page, NextToken } = paginate(applyFilters(chosen, input.Filters, subnetFields), input.MaxResults, input.NextToken);
    return { Subnets: page, NextToken };
  },

  DeleteSubnet(input, ctx) {
    const subnet = mustSubnet(ctx, input.SubnetId);
    if (all<EniDoc>(ctx, 'network-interface').some((e) => e.SubnetId === subnet.SubnetId)) {
      throw new AwsError('DependencyViolation', `The subnet '${subnet.SubnetId}' has dependencies and cannot be deleted.`, { status: 400 });
    }
    for (const acl of all<NaclDoc>(ctx, 'network-acl')) {
      if (!acl.Associations?.some((a) => a.SubnetId === subnet.SubnetId)) continue;
      acl.Associations = acl.Associations.filter((a) => a.SubnetId !== subnet.SubnetId);
      put(ctx, acl.NetworkAclId, acl);
    }
    for (const rt of all<RouteTableDoc>(ctx, 'route-table')) {
      if (!rt.Associations?.some((a) => a.SubnetId === subnet.SubnetId)) continue;
      rt.Associations = rt.Associations.filter((a) => a.SubnetId !== subnet.SubnetId);
      put(ctx, rt.RouteTableId, rt);
    }
    remove(ctx, subnet.SubnetId);
  },

  ModifySubnetAttribute(input, ctx) {
    const subnet = mustSubnet(ctx, input.SubnetId);
    if (input.MapPublicIpOnLaunch?.Value !== undefined) subnet.MapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
    if (input.AssignIpv6AddressOnCreation?.Value !== undefined) subnet.AssignIpv6AddressOnCreation = input.AssignIpv6AddressOnCreation.Value;
    put(ctx, subnet.SubnetId, subnet);
  },
};
