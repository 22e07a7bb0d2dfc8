import type { Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { defaultVpc, mustVpc, newDefaultVpc, newVpc, vpcCidrs } from './network.js';
import { all, put, remove, tagOnCreate, withTags } from './store.js';
import type { EniDoc, IgwDoc, NaclDoc, RouteTableDoc, SecurityGroupDoc, SubnetDoc, VpcDoc } from './types.js';

/** VPCs: CIDR blocks (/16 to /28, up to five per VPC), DNS attributes, and the dependencies that keep one alive. */
const VPC_LIMIT = 5;

function checkVpcCidr(block: string): string {
  const b = cidr.parseCidr(block);
  if (!b) throw new AwsError('InvalidParameterValue', `Value (${block}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`, { status: 400 });
  if (b.bits < 16 || b.bits > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${block}' is invalid.`, { status: 400 });
  return cidr.format(b);
}

const vpcFields: Fields<VpcDoc> = {
  'vpc-id': (v) => v.VpcId,
  'cidr': (v) => v.CidrBlock,
  'cidr-block-association.cidr-block': (v) => vpcCidrs(v),
  'cidr-block-association.association-id': (v) => v.CidrBlockAssociationSet?.map((a) => a.AssociationId),
  'cidr-block-association.state': (v) => v.CidrBlockAssociationSet?.map((a) => a.CidrBlockState?.State),
  'dhcp-options-id': (v) => v.DhcpOptionsId,
  'is-default': (v) => v.IsDefault,
  'owner-id': (v) => v.OwnerId,
  state: (v) => v.State,
};

export const handlers: Handlers<Operations> = {
  CreateVpc(input, ctx) {
    if (!input.CidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter cidrBlock', { status: 400 });
    const block = checkVpcCidr(input.CidrBlock);
    if (all<VpcDoc>(ctx, 'vpc').length >= VPC_LIMIT) throw new AwsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.', { status: 400 });
    const vpc = newVpc(ctx, block, false);
    if (input.InstanceTenancy) vpc.InstanceTenancy = input.InstanceTenancy;
    put(ctx, vpc.VpcId, vpc);
    const tags = tagOnCreate(ctx, vpc.VpcId, input.TagSpecifications);
    return { Vpc: { ...vpc, State: 'pending', Tags: tags.length ? tags : undefined } };
  },

  /** A default VPC again, after the account deleted its own. https://docs.aws.amazon.com/vpc/latest/userguide/work-with-default-vpc.html#create-default-vpc */
  CreateDefaultVpc(_input, ctx) {
    if (defaultVpc(ctx)) throw new AwsError('DefaultVpcAlreadyExists', 'A Default VPC already exists for this account in this region.', { status: 400 });
    if (all<VpcDoc>(ctx, 'vpc').length >= VPC_LIMIT) throw new AwsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.', { status: 400 });
    const vpc = ctx.db.transaction(() => newDefaultVpc(ctx))();
    return { Vpc: { ...vpc, State: 'pending' } };
  },

  DescribeVpcs(input, ctx) {
    const vpcs = byIds(withTags(ctx, 'vpc', all<VpcDoc>(ctx, 'vpc'), (v) => v.VpcId), input.VpcIds, (v) => v.VpcId, notFound('InvalidVpcID.NotFound', 'vpc'));
    const { page, NextToken } = paginate(applyFilters(vpcs, input.Filters, vpcFields), input.MaxResults, input.NextToken);
    return { Vpcs: page, NextToken };
  },

  DeleteVpc(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    const id = vpc.VpcId;
    const blockers = [
      ...all<SubnetDoc>(ctx, 'subnet').filter((s) => s.VpcId === id),
      ...all<IgwDoc>(ctx, 'internet-gateway').filter((g) => g.Attachments?.some((a) => a.VpcId === id)),
      ...all<SecurityGroupDoc>(ctx, 'security-group').filter((g) => g.VpcId === id && g.GroupName !== 'default'),
      ...all<RouteTableDoc>(ctx, 'route-table').filter((r) => r.VpcId === id && !r.Associations?.some((a) => a.Main)),
      ...all<NaclDoc>(ctx, 'network-acl').filter((a) => a.VpcId === id && !a.IsDefault),
      ...all<EniDoc>(ctx, 'network-interface').filter((e) => e.VpcId === id),
    ];
    if (blockers.length > 0) throw new AwsError('DependencyViolation', `The vpc '${id}' has dependencies and cannot be deleted.`, { status: 400 });
    for (const sg of all<SecurityGroupDoc>(ctx, 'security-group')) if (sg.VpcId === id) remove(ctx, sg.GroupId);
    for (const rt of all<RouteTableDoc>(ctx, 'route-table')) if (rt.VpcId === id) remove(ctx, rt.RouteTableId);
    for (const acl of all<NaclDoc>(ctx, 'network-acl')) if (acl.VpcId === id) remove(ctx, acl.NetworkAclId);
    remove(ctx, id);
  },

  DescribeVpcAttribute(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    if (input.Attribute === 'enableDnsSupport') return { VpcId: vpc.VpcId, EnableDnsSupport: { Value: vpc._dnsSupport } };
    if (input.Attribute === 'enableDnsHostnames') return { VpcId: vpc.VpcId, EnableDnsHostnames: { Value: vpc._dnsHostnames } };
    return { VpcId: vpc.VpcId, EnableNetworkAddressUsageMetrics: { Value: false } };
  },

  /** DNS hostnames need DNS support. https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html */
  ModifyVpcAttribute(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    if (input.EnableDnsSupport?.Value !== undefined) vpc._dnsSupport = input.EnableDnsSupport.Value;
    if (input.EnableDnsHostnames?.Value !== undefined) vpc._dnsHostnames = input.EnableDnsHostnames.Value;
    if (vpc._dnsHostnames && !vpc._dnsSupport) {
      throw new AwsError('InvalidParameterValue', 'Invalid value for parameter enableDnsHostnames: DNS hostnames require enableDnsSupport to be true.', { status: 400 });
    }
    put(ctx, vpc.VpcId, vpc);
  },

  /** Secondary CIDRs: up to five per VPC, none overlapping another. */
  AssociateVpcCidrBlock(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    if (!input.CidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter cidrBlock', { status: 400 });
    const block = checkVpcCidr(input.CidrBlock);
    const current = vpcCidrs(vpc);
    if (current.length >= 5) throw new AwsError('CidrLimitExceeded', `This network '${vpc.VpcId}' has met its maximum number of allowed CIDRs: 5`, { status: 400 });
    if (current.some((c) => cidr.overlaps(cidr.parseCidr(c)!, cidr.parseCidr(block)!))) {
      throw new AwsError('InvalidVpc.Range', `The CIDR '${block}' is invalid.`, { status: 400 });
    }
    const assoc = { AssociationId: resourceId('vpc-cidr-assoc'), CidrBlock: block, CidrBlockState: { State: 'associated' as const } };
    vpc.CidrBlockAssociationSet!.push(assoc);
    put(ctx, vpc.VpcId, vpc);
    for (const rt of all<RouteTableDoc>(ctx, 'route-table').filter((r) => r.VpcId === vpc.VpcId)) {
      rt.Routes!.push({ DestinationCidrBlock: block, GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' });
      put(ctx, rt.RouteTableId, rt);
    }
    return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...assoc, CidrBlockState: { State: 'associating' } } };
  },

  DisassociateVpcCidrBlock(input, ctx) {
    const vpc = all<VpcDoc>(ctx, 'vpc').find((v) => v.CidrBlockAssociationSet?.some((a) => a.AssociationId === input.AssociationId));
    if (!vpc) throw new AwsError('InvalidVpcCidrBlockAssociationID.NotFound', `The vpc cidr block association ID '${input.AssociationId}' does not exist`, { status: 400 });
    const assoc = vpc.CidrBlockAssociationSet!.find((a) => a.AssociationId === input.AssociationId)!;
    if (assoc.CidrBlock === vpc.CidrBlock) throw new AwsError('OperationNotPermitted', `The vpc CIDR block with association ID ${input.AssociationId} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`, { status: 400 });
    const block = cidr.parseCidr(assoc.CidrBlock!)!;
    if (all<SubnetDoc>(ctx, 'subnet').some((s) => s.VpcId === vpc.VpcId && cidr.overlaps(cidr.parseCidr(s.CidrBlock)!, block))) {
      throw new AwsError('DependencyViolation', `The vpc CIDR block '${assoc.CidrBlock}' has dependencies (subnets) and cannot be disassociated.`, { status: 400 });
    }
    vpc.CidrBlockAssociationSet = vpc.CidrBlockAssociationSet!.filter((a) => a !== assoc);
    put(ctx, vpc.VpcId, vpc);
    for (const rt of all<RouteTableDoc>(ctx, 'route-table').filter((r) => r.VpcId === vpc.VpcId)) {
      rt.Routes = rt.Routes!.filter((r) => !(r.GatewayId === 'local' && r.DestinationCidrBlock === assoc.CidrBlock));
      put(ctx, rt.RouteTableId, rt);
    }
    return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...assoc, CidrBlockState: { State: 'disassociating' } } };
  },
};
