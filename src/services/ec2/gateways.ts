import type { InternetGateway, NatGateway, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { associate, disassociate, mustAddress } from './addresses.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { deleteEni, newEni } from './interfaces.js';
import { dueAt } from './lifecycle.js';
import { IGW_ATTACHED, mustSubnet, mustVpc, newInternetGateway, type Ctx } from './network.js';
import { all, get, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { AddressDoc, EniDoc, IgwDoc, NatDoc } from './types.js';

/**
 * Internet gateways (one per VPC, attach/detach) and NAT gateways (in a subnet, public ones with
 * an Elastic IP; pending then available; deleted ones stay visible for an hour).
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
 */
function mustIgw(ctx: Ctx, id: string): IgwDoc {
  return must<IgwDoc>(ctx, id, 'InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
}

export function mustNat(ctx: Ctx, id: string): NatDoc {
  const nat = get<NatDoc>(ctx, id);
  if (!nat || nat.State === 'deleted') throw new AwsError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`, { status: 400 });
  return nat;
}

const igwFields: Fields<InternetGateway> = {
  'internet-gateway-id': (g) => g.InternetGatewayId,
  'attachment.vpc-id': (g) => g.Attachments?.map((a) => a.VpcId),
  'attachment.state': (g) => g.Attachments?.map((a) => a.State),
  'owner-id': (g) => g.OwnerId,
};

const natFields: Fields<NatGateway> = {
  'nat-gateway-id': (n) => n.NatGatewayId,
  state: (n) => n.State,
  'subnet-id': (n) => n.SubnetId,
  'vpc-id': (n) => n.VpcId,
};

export const handlers: Handlers<Operations> = {
  CreateInternetGateway(input, ctx) {
    const igw = newInternetGateway(ctx);
    const tags = tagOnCreate(ctx, igw.InternetGatewayId, input.TagSpecifications);
    return { InternetGateway: { ...igw, Tags: tags.length ? tags : undefined } };
  },

  AttachInternetGateway(input, ctx) {
    const igw = mustIgw(ctx, input.InternetGatewayId);
    const vpc = mustVpc(ctx, input.VpcId);
    if (igw.Attachments?.length) throw new AwsError('Resource.AlreadyAssociated', `resource ${igw.InternetGatewayId} is already attached to network ${igw.Attachments[0]!.VpcId}`, { status: 400 });
    const other = all<IgwDoc>(ctx, 'internet-gateway').find((g) => g.Attachments?.some((a) => a.VpcId === vpc.VpcId));
    if (other) throw new AwsError('Resource.AlreadyAssociated', `Network ${vpc.VpcId} already has an internet gateway attached (${other.InternetGatewayId})`, { status: 400 });
    igw.Attachments = [{ VpcId: vpc.VpcId, State: IGW_ATTACHED }];
    put(ctx, igw.InternetGatewayId, igw);
  },

  /** A VPC whose interfaces still hold public addresses keeps its gateway. */
  DetachInternetGateway(input, ctx) {
    const igw = mustIgw(ctx, input.InternetGatewayId);
    if (!igw.Attachments?.some((a) => a.VpcId === input.VpcId)) {
      throw new AwsError('Gateway.NotAttached', `resource ${igw.InternetGatewayId} is not attached to network ${input.VpcId}`, { status: 400 });
    }
    if (all<EniDoc>(ctx, 'network-interface').some((e) => e.VpcId === input.VpcId && e.Association?.PublicIp)) {
      throw new AwsError('DependencyViolation', `Network ${input.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`, { status: 400 });
    }
    igw.Attachments = [];
    put(ctx, igw.InternetGatewayId, igw);
  },

  DeleteInternetGateway(input, ctx) {
    const igw = mustIgw(ctx, input.InternetGatewayId);
    if (igw.Attachments?.length) throw new AwsError('DependencyViolation', `The internetGateway '${igw.InternetGatewayId}' has dependencies and cannot be deleted.`, { status: 400 });
    remove(ctx, igw.InternetGatewayId);
  },

  DescribeInternetGateways(input, ctx) {
    const igws = byIds(withTags(ctx, 'internet-gateway', all<IgwDoc>(ctx, 'internet-gateway'), (g) => g.InternetGatewayId), input.InternetGatewayIds, (g) => g.InternetGatewayId, notFound('InvalidInternetGatewayID.NotFound', 'internetGateway'));
    const { page, NextToken } = paginate(applyFilters(igws, input.Filters, igwFields), input.MaxResults, input.NextToken);
    return { InternetGateways: page, NextToken };
  },

  CreateNatGateway(input, ctx) {
    const subnet = mustSubnet(ctx, input.SubnetId);
    const type = input.ConnectivityType ?? 'public';
    let addr: AddressDoc | undefined;
    if (type === 'public') {
      if (!input.AllocationId) throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId for a public NAT gateway', { status: 400 });
      addr = mustAddress(ctx, input.AllocationId);
      if (addr.AssociationId) throw new AwsError('Resource.AlreadyAssociated', `Elastic IP address [${addr.AllocationId}] is already associated`, { status: 400 });
    }
    const natId = resourceId('nat');
    const eni = newEni(ctx, subnet, { groups: [], privateIp: input.PrivateIpAddress, description: `Interface for NAT Gateway ${natId}`, interfaceType: 'natGateway', requesterManaged: true });
    eni.Status = 'in-use';
    put(ctx, eni.NetworkInterfaceId, eni);
    if (addr) associate(ctx, addr, eni);
    const nat: NatDoc = {
      NatGatewayId: natId, SubnetId: subnet.SubnetId, VpcId: subnet.VpcId, State: 'pending', ConnectivityType: type, CreateTime: new Date(ctx.clock.now()),
      NatGatewayAddresses: [{ AllocationId: addr?.AllocationId, PublicIp: addr?.PublicIp, PrivateIp: eni.PrivateIpAddress, NetworkInterfaceId: eni.NetworkInterfaceId, IsPrimary: true, Status: 'succeeded' }],
    };
    put(ctx, natId, nat, dueAt(ctx, 'nat-create'));
    const tags = tagOnCreate(ctx, natId, input.TagSpecifications);
    return { ClientToken: input.ClientToken, NatGateway: { ...nat, Tags: tags.length ? tags : undefined } };
  },

  DeleteNatGateway(input, ctx) {
    const nat = mustNat(ctx, input.NatGatewayId);
    for (const a of nat.NatGatewayAddresses ?? []) {
      const addr = a.AllocationId ? get<AddressDoc>(ctx, a.AllocationId) : undefined;
      if (addr) disassociate(ctx, addr, false);
      const eni = a.NetworkInterfaceId ? get<EniDoc>(ctx, a.NetworkInterfaceId) : undefined;
      if (eni) deleteEni(ctx, eni);
    }
    put(ctx, nat.NatGatewayId, { ...nat, State: 'deleting', _deletedAt: ctx.clock.now() }, dueAt(ctx, 'nat-delete'));
    return { NatGatewayId: nat.NatGatewayId };
  },

  DescribeNatGateways(input, ctx) {
    const nats = byIds(withTags(ctx, 'natgateway', all<NatDoc>(ctx, 'natgateway'), (n) => n.NatGatewayId), input.NatGatewayIds, (n) => n.NatGatewayId, (missing) => new AwsError('NatGatewayNotFound', `The Nat Gateway ${missing[0]} was not found`, { status: 400 }));
    const { page, NextToken } = paginate(applyFilters(nats, input.Filter, natFields), input.MaxResults, input.NextToken);
    return { NatGateways: page, NextToken };
  },
};
