import type { Operations, VpcPeeringConnection } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { mustVpc, vpcCidrs, type Ctx } from './network.js';
import { all, must, put, tagOnCreate, withTags } from './store.js';
import type { PeeringDoc, VpcDoc } from './types.js';

/**
 * VPC peering within an account and region: requested, then accepted (or rejected); VPCs whose
 * CIDRs overlap cannot peer, and such a request fails. Routes name the connection as a target.
 * https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html
 */
export function mustPeering(ctx: Ctx, id: string): PeeringDoc {
  return must<PeeringDoc>(ctx, id, 'InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
}

/** The active connection between two VPCs, if any. */
export function activePeering(ctx: Ctx, id: string | undefined, a: string, b: string): PeeringDoc | undefined {
  const p = id ? all<PeeringDoc>(ctx, 'vpc-peering-connection').find((x) => x.VpcPeeringConnectionId === id) : undefined;
  if (!p || p.Status?.Code !== 'active') return undefined;
  const ends = [p.RequesterVpcInfo!.VpcId, p.AccepterVpcInfo!.VpcId];
  return ends.includes(a) && ends.includes(b) ? p : undefined;
}

function info(ctx: Ctx, vpc: VpcDoc) {
  return { VpcId: vpc.VpcId, OwnerId: ctx.accountId, CidrBlock: vpc.CidrBlock, CidrBlockSet: vpcCidrs(vpc).map((c) => ({ CidrBlock: c })), Region: ctx.region };
}

function setStatus(ctx: Ctx, p: PeeringDoc, code: NonNullable<PeeringDoc['Status']>['Code'], message: string): PeeringDoc {
  p.Status = { Code: code, Message: message };
  put(ctx, p.VpcPeeringConnectionId, p);
  return p;
}

const fields: Fields<VpcPeeringConnection> = {
  'vpc-peering-connection-id': (p) => p.VpcPeeringConnectionId,
  'status-code': (p) => p.Status?.Code,
  'requester-vpc-info.vpc-id': (p) => p.RequesterVpcInfo?.VpcId,
  'requester-vpc-info.cidr-block': (p) => p.RequesterVpcInfo?.CidrBlock,
  'accepter-vpc-info.vpc-id': (p) => p.AccepterVpcInfo?.VpcId,
  'accepter-vpc-info.cidr-block': (p) => p.AccepterVpcInfo?.CidrBlock,
};

export const handlers: Handlers<Operations> = {
  CreateVpcPeeringConnection(input, ctx) {
    if ((input.PeerOwnerId && input.PeerOwnerId !== ctx.accountId) || (input.PeerRegion && input.PeerRegion !== ctx.region)) {
      throw new AwsError('InvalidParameterValue', 'Nimbus peers VPCs of the same account and region; PeerOwnerId and PeerRegion must name this account and region.', { status: 400 });
    }
    const requester = mustVpc(ctx, input.VpcId);
    const accepter = mustVpc(ctx, input.PeerVpcId);
    if (requester.VpcId === accepter.VpcId) throw new AwsError('InvalidParameterValue', 'A VPC cannot peer with itself.', { status: 400 });
    const id = resourceId('pcx');
    const p: PeeringDoc = { VpcPeeringConnectionId: id, RequesterVpcInfo: info(ctx, requester), AccepterVpcInfo: info(ctx, accepter), ExpirationTime: new Date(ctx.clock.now() + 7 * 86_400_000) };
    const overlap = vpcCidrs(requester).some((a) => vpcCidrs(accepter).some((b) => cidr.overlaps(cidr.parseCidr(a)!, cidr.parseCidr(b)!)));
    setStatus(ctx, p, overlap ? 'failed' : 'pending-acceptance', overlap ? 'Overlapping CIDR blocks' : `Pending Acceptance by ${ctx.accountId}`);
    const tags = tagOnCreate(ctx, id, input.TagSpecifications);
    return { VpcPeeringConnection: { ...p, Status: { Code: overlap ? 'failed' : 'initiating-request', Message: p.Status!.Message }, Tags: tags.length ? tags : undefined } };
  },

  AcceptVpcPeeringConnection(input, ctx) {
    const p = mustPeering(ctx, input.VpcPeeringConnectionId!);
    if (p.Status?.Code !== 'pending-acceptance') {
      throw new AwsError('InvalidStateTransition', `Cannot accept a peering connection in the '${p.Status?.Code}' state.`, { status: 400 });
    }
    return { VpcPeeringConnection: setStatus(ctx, p, 'active', 'Active') };
  },

  RejectVpcPeeringConnection(input, ctx) {
    const p = mustPeering(ctx, input.VpcPeeringConnectionId);
    if (p.Status?.Code !== 'pending-acceptance') throw new AwsError('InvalidStateTransition', `Cannot reject a peering connection in the '${p.Status?.Code}' state.`, { status: 400 });
    setStatus(ctx, p, 'rejected', `Rejected by ${ctx.accountId}`);
    return { Return: true };
  },

  DeleteVpcPeeringConnection(input, ctx) {
    const p = mustPeering(ctx, input.VpcPeeringConnectionId);
    setStatus(ctx, p, 'deleted', `Deleted by ${ctx.accountId}`);
    return { Return: true };
  },

  DescribeVpcPeeringConnections(input, ctx) {
    const list = byIds(withTags(ctx, 'vpc-peering-connection', all<PeeringDoc>(ctx, 'vpc-peering-connection'), (p) => p.VpcPeeringConnectionId), input.VpcPeeringConnectionIds, (p) => p.VpcPeeringConnectionId, notFound('InvalidVpcPeeringConnectionID.NotFound', 'vpcPeeringConnection'));
    const { page, NextToken } = paginate(applyFilters(list, input.Filters, fields), input.MaxResults, input.NextToken);
    return { VpcPeeringConnections: page, NextToken };
  },
};
