import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { RequestContext } from '../service.js';
import * as cidr from './cidr.js';
import { defaultDhcpOptionsId, newDefaultDhcpOptions } from './dhcp-options.js';
import { zonesOf, type Zone } from './regions.js';
import { addressesIn, addressTaken, all, get, highestAddress, markRegionReady, put, regionReady, subnetAddressCount } from './store.js';
import type { IgwDoc, NaclDoc, RouteTableDoc, SecurityGroupDoc, SgRule, SubnetDoc, VpcDoc } from './types.js';

/**
 * The VPC model: how a VPC comes with its main route table, default network ACL and default
 * security group, how subnets take addresses, and the default VPC every region has.
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
 */
export type Ctx = Pick<RequestContext, 'db' | 'memory' | 'accountId' | 'region' | 'clock' | 'realisticTiming'>;

/** The rules of a network ACL as AWS creates them: rule 100 allows all, `*` (32767) denies all, both directions. */
function naclEntries(allowAll: boolean): NaclDoc['Entries'] {
  const entries: NonNullable<NaclDoc['Entries']> = [];
  for (const egress of [false, true]) {
    if (allowAll) entries.push({ RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: egress, CidrBlock: '0.0.0.0/0' });
    entries.push({ RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: egress, CidrBlock: '0.0.0.0/0' });
  }
  return entries;
}

export function newNacl(ctx: Ctx, vpcId: string, isDefault: boolean): NaclDoc {
  const acl: NaclDoc = { NetworkAclId: resourceId('acl'), VpcId: vpcId, IsDefault: isDefault, Entries: naclEntries(isDefault), Associations: [], OwnerId: ctx.accountId };
  put(ctx, acl.NetworkAclId, acl);
  return acl;
}

export function newRouteTable(ctx: Ctx, vpc: VpcDoc, main: boolean): RouteTableDoc {
  const id = resourceId('rtb');
  const rt: RouteTableDoc = {
    RouteTableId: id, VpcId: vpc.VpcId, OwnerId: ctx.accountId, PropagatingVgws: [],
    Routes: vpcCidrs(vpc).map((c) => ({ DestinationCidrBlock: c, GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' })),
    Associations: main ? [{ Main: true, RouteTableAssociationId: resourceId('rtbassoc'), RouteTableId: id, AssociationState: { State: 'associated' } }] : [],
  };
  put(ctx, id, rt);
  return rt;
}

export function newRuleId(): string {
  return resourceId('sgr');
}

/** A new group allows all outbound IPv4 traffic; a VPC's `default` group also lets its members talk to each other. */
export function newSecurityGroup(ctx: Ctx, vpcId: string, name: string, description: string): SecurityGroupDoc {
  const id = resourceId('sg');
  const rules: SgRule[] = [{ SecurityGroupRuleId: newRuleId(), IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }];
  if (name === 'default') rules.unshift({ SecurityGroupRuleId: newRuleId(), IsEgress: false, IpProtocol: '-1', FromPort: -1, ToPort: -1, ReferencedGroupId: id });
  const sg: SecurityGroupDoc = {
    GroupId: id, GroupName: name, Description: description, VpcId: vpcId, OwnerId: ctx.accountId,
    SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${id}`, _rules: rules,
  };
  put(ctx, id, sg);
  return sg;
}

export function vpcCidrs(vpc: VpcDoc): string[] {
  return (vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === 'associated').map((a) => a.CidrBlock!);
}

/** A VPC with its main route table, default network ACL and `default` security group. */
export function newVpc(ctx: Ctx, block: string, isDefault: boolean): VpcDoc {
  const id = resourceId('vpc');
  const vpc: VpcDoc = {
    VpcId: id, CidrBlock: block, State: 'available', InstanceTenancy: 'default', IsDefault: isDefault, OwnerId: ctx.accountId,
    CidrBlockAssociationSet: [{ AssociationId: resourceId('vpc-cidr-assoc'), CidrBlock: block, CidrBlockState: { State: 'associated' } }],
    Ipv6CidrBlockAssociationSet: [], _dnsSupport: true, _dnsHostnames: isDefault, DhcpOptionsId: defaultDhcpOptionsId(ctx),
  };
  put(ctx, id, vpc);
  newRouteTable(ctx, vpc, true);
  newNacl(ctx, id, true);
  newSecurityGroup(ctx, id, 'default', 'default VPC security group');
  return vpc;
}

export function defaultNacl(ctx: Ctx, vpcId: string): NaclDoc {
  return all<NaclDoc>(ctx, 'network-acl').find((a) => a.VpcId === vpcId && a.IsDefault)!;
}

export function mainRouteTable(ctx: Ctx, vpcId: string): RouteTableDoc {
  return all<RouteTableDoc>(ctx, 'route-table').find((r) => r.VpcId === vpcId && r.Associations?.some((a) => a.Main))!;
}

/** A subnet inside one of its VPC's CIDRs, overlapping no other subnet, /16 to /28, associated with the default ACL. */
export function newSubnet(ctx: Ctx, vpc: VpcDoc, block: string, zone: Zone, isDefault: boolean): SubnetDoc {
  const b = cidr.parseCidr(block);
  if (!b) throw new AwsError('InvalidParameterValue', `Value (${block}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`, { status: 400 });
  if (b.bits < 16 || b.bits > 28 || !vpcCidrs(vpc).some((c) => cidr.contains(cidr.parseCidr(c)!, b))) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${block}' is invalid.`, { status: 400 });
  }
  const clash = all<SubnetDoc>(ctx, 'subnet').find((s) => s.VpcId === vpc.VpcId && cidr.overlaps(cidr.parseCidr(s.CidrBlock)!, b));
  if (clash) throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${block}' conflicts with another subnet`, { status: 400 });
  const id = resourceId('subnet');
  const subnet: SubnetDoc = {
    SubnetId: id, VpcId: vpc.VpcId, CidrBlock: cidr.format(b), AvailabilityZone: zone.ZoneName, AvailabilityZoneId: zone.ZoneId,
    State: 'available', DefaultForAz: isDefault, MapPublicIpOnLaunch: isDefault, OwnerId: ctx.accountId,
    SubnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${id}`, AssignIpv6AddressOnCreation: false, Ipv6CidrBlockAssociationSet: [],
    MapCustomerOwnedIpOnLaunch: false, EnableDns64: false, Ipv6Native: false,
  };
  put(ctx, id, subnet);
  const acl = defaultNacl(ctx, vpc.VpcId);
  acl.Associations!.push({ NetworkAclAssociationId: resourceId('aclassoc'), NetworkAclId: acl.NetworkAclId, SubnetId: id });
  put(ctx, acl.NetworkAclId, acl);
  return subnet;
}

/** An attached internet gateway reports `available`, though the model's enum names `attached`. */
export const IGW_ATTACHED = 'available' as 'attached';

export function newInternetGateway(ctx: Ctx): IgwDoc {
  const igw: IgwDoc = { InternetGatewayId: resourceId('igw'), Attachments: [], OwnerId: ctx.accountId };
  put(ctx, igw.InternetGatewayId, igw);
  return igw;
}

/**
 * The default VPC as AWS makes it: 172.31.0.0/16 with a public /20 default subnet in each zone,
 * an attached internet gateway and a main route to it.
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html#default-vpc-components
 */
export function newDefaultVpc(ctx: Ctx): VpcDoc {
  const vpc = newVpc(ctx, '172.31.0.0/16', true);
  const block = cidr.parseCidr(vpc.CidrBlock)!;
  zonesOf(ctx.region).forEach((zone, i) => newSubnet(ctx, vpc, cidr.format(cidr.nth(block, 20, i)), zone, true));
  const igw = newInternetGateway(ctx);
  igw.Attachments = [{ VpcId: vpc.VpcId, State: IGW_ATTACHED }];
  put(ctx, igw.InternetGatewayId, igw);
  const rt = mainRouteTable(ctx, vpc.VpcId);
  rt.Routes!.push({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId, State: 'active', Origin: 'CreateRoute' });
  put(ctx, rt.RouteTableId, rt);
  return vpc;
}

/** The default VPC exists in every region before the account's first call there, as in AWS. */
export function ensureDefaultVpc(ctx: Ctx): void {
  if (regionReady(ctx)) return;
  ctx.db.transaction(() => {
    markRegionReady(ctx);
    newDefaultDhcpOptions(ctx);
    newDefaultVpc(ctx);
  })();
}

export function defaultVpc(ctx: Ctx): VpcDoc | undefined {
  return all<VpcDoc>(ctx, 'vpc').find((v) => v.IsDefault);
}

/** AWS reserves the first four addresses and the last one of every subnet. https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html */
export function availableIps(ctx: Ctx, subnet: SubnetDoc, usedCount = subnetAddressCount(ctx, subnet.SubnetId)): number {
  return cidr.size(cidr.parseCidr(subnet.CidrBlock)!) - 5 - usedCount;
}

/** The address asked for if it is free, else the next one after the highest in use, else the first gap. */
export function allocatePrivateIp(ctx: Ctx, subnet: SubnetDoc, wanted?: string): string {
  const b = cidr.parseCidr(subnet.CidrBlock)!;
  if (wanted) {
    const n = cidr.isIpv4(wanted) ? cidr.ipToInt(wanted) : NaN;
    if (!(n >= b.first + 4 && n <= b.last - 1)) {
      throw new AwsError('InvalidParameterValue', `Address ${wanted} is not in subnet ${subnet.SubnetId}'s usable range ${subnet.CidrBlock} (the first four and the last address are reserved).`, { status: 400 });
    }
    if (addressTaken(ctx, subnet.SubnetId, n)) throw new AwsError('InvalidIPAddress.InUse', `Address ${wanted} is in use.`, { status: 400 });
    return wanted;
  }
  const highest = highestAddress(ctx, subnet.SubnetId);
  const next = highest === null ? b.first + 4 : highest + 1;
  if (next < b.last) return cidr.intToIp(next);
  const used = new Set(addressesIn(ctx, subnet.SubnetId));
  for (let n = b.first + 4; n < b.last; n++) if (!used.has(n)) return cidr.intToIp(n);
  throw new AwsError('InsufficientFreeAddressesInSubnet', `Insufficient free IP addresses in subnet ${subnet.SubnetId}.`, { status: 400 });
}

/** A random address from AWS's public ranges, for auto-assigned public IPs and Elastic IPs. */
export function publicIp(): string {
  const first = [3, 18, 34, 35, 44, 52, 54][Math.floor(Math.random() * 7)]!;
  return [first, 1 + Math.floor(Math.random() * 254), Math.floor(Math.random() * 256), 1 + Math.floor(Math.random() * 254)].join('.');
}

export function dnsName(ip: string, region: string, kind: 'ip' | 'ec2'): string {
  const dashed = ip.replace(/\./g, '-');
  const domain = region === 'us-east-1' ? (kind === 'ip' ? 'ec2.internal' : 'compute-1.amazonaws.com') : (kind === 'ip' ? `${region}.compute.internal` : `${region}.compute.amazonaws.com`);
  return `${kind}-${dashed}.${domain}`;
}

/** The subnet, its VPC, route table and network ACL: what the analyzer and RunInstances look at. */
export function subnetRouteTable(ctx: Ctx, subnet: SubnetDoc): RouteTableDoc {
  return all<RouteTableDoc>(ctx, 'route-table').find((r) => r.Associations?.some((a) => a.SubnetId === subnet.SubnetId)) ?? mainRouteTable(ctx, subnet.VpcId);
}

export function subnetNacl(ctx: Ctx, subnetId: string): NaclDoc | undefined {
  return all<NaclDoc>(ctx, 'network-acl').find((a) => a.Associations?.some((x) => x.SubnetId === subnetId));
}

export function mustVpc(ctx: Ctx, id: string | undefined): VpcDoc {
  const vpc = id ? get<VpcDoc>(ctx, id) : undefined;
  if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`, { status: 400 });
  return vpc;
}

export function mustSubnet(ctx: Ctx, id: string | undefined): SubnetDoc {
  const subnet = id ? get<SubnetDoc>(ctx, id) : undefined;
  if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`, { status: 400 });
  return subnet;
}
