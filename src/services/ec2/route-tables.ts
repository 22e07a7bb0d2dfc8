import type { Operations, Route, RouteTable } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { mustSubnet, mustVpc, newRouteTable, vpcCidrs, type Ctx } from './network.js';
import { all, get, must, put, remove, tagOnCreate, withTags } from './store.js';
import { mustPeering } from './peering.js';
import type { EndpointDoc, EniDoc, IgwDoc, InstanceDoc, NatDoc, PeeringDoc, RouteTableDoc } from './types.js';

/**
 * Route tables: a main one per VPC, explicit subnet associations, routes to local, internet and
 * NAT gateways, interfaces and instances. A route whose target is gone is a `blackhole`.
 * https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
 */
export function mustRouteTable(ctx: Ctx, id: string): RouteTableDoc {
  return must<RouteTableDoc>(ctx, id, 'InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
}

/** Whether a route's target still exists and is usable from this VPC. */
export function routeState(ctx: Ctx, vpcId: string, r: Route): 'active' | 'blackhole' {
  if (r.GatewayId === 'local') return 'active';
  if (r.GatewayId?.startsWith('igw-')) return get<IgwDoc>(ctx, r.GatewayId)?.Attachments?.some((a) => a.VpcId === vpcId) ? 'active' : 'blackhole';
  if (r.NatGatewayId) {
    const nat = get<NatDoc>(ctx, r.NatGatewayId);
    return nat && (nat.State === 'available' || nat.State === 'pending') ? 'active' : 'blackhole';
  }
  if (r.InstanceId) return get<InstanceDoc>(ctx, r.InstanceId)?.State.Name === 'running' ? 'active' : 'blackhole';
  if (r.NetworkInterfaceId) return get<EniDoc>(ctx, r.NetworkInterfaceId) ? 'active' : 'blackhole';
  if (r.VpcPeeringConnectionId) return get<PeeringDoc>(ctx, r.VpcPeeringConnectionId)?.Status?.Code === 'active' ? 'active' : 'blackhole';
  if (r.GatewayId?.startsWith('vpce-')) return get<EndpointDoc>(ctx, r.GatewayId) ? 'active' : 'blackhole';
  return 'blackhole';
}

function output(ctx: Ctx, rt: RouteTableDoc & { Tags?: RouteTable['Tags'] }): RouteTable {
  return { ...rt, Routes: rt.Routes!.map((r) => ({ ...r, State: routeState(ctx, rt.VpcId, r) })) };
}

/** The target named in a CreateRoute/ReplaceRoute call, checked to exist and to belong to the table's VPC. */
function target(ctx: Ctx, rt: RouteTableDoc, input: { GatewayId?: string; NatGatewayId?: string; NetworkInterfaceId?: string; InstanceId?: string; VpcPeeringConnectionId?: string }): Route {
  const differentNetworks = (id: string) => new AwsError('InvalidParameterValue', `route table ${rt.RouteTableId} and network gateway ${id} belong to different networks`, { status: 400 });
  if (input.GatewayId) {
    const igw = get<IgwDoc>(ctx, input.GatewayId);
    if (!igw) throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${input.GatewayId}' does not exist`, { status: 400 });
    if (!igw.Attachments?.some((a) => a.VpcId === rt.VpcId)) throw differentNetworks(input.GatewayId);
    return { GatewayId: input.GatewayId };
  }
  if (input.NatGatewayId) {
    const nat = get<NatDoc>(ctx, input.NatGatewayId);
    if (!nat || nat.State === 'deleted' || nat.State === 'deleting') throw new AwsError('NatGatewayNotFound', `The Nat Gateway ${input.NatGatewayId} was not found`, { status: 400 });
    if (nat.VpcId !== rt.VpcId) throw differentNetworks(input.NatGatewayId);
    return { NatGatewayId: input.NatGatewayId };
  }
  if (input.InstanceId) {
    const instance = get<InstanceDoc>(ctx, input.InstanceId);
    if (!instance || instance.State.Name === 'terminated') throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`, { status: 400 });
    return { InstanceId: instance.InstanceId, InstanceOwnerId: ctx.accountId, NetworkInterfaceId: instance._eni };
  }
  if (input.NetworkInterfaceId) {
    const eni = get<EniDoc>(ctx, input.NetworkInterfaceId);
    if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`, { status: 400 });
    return { NetworkInterfaceId: eni.NetworkInterfaceId, InstanceId: eni.Attachment?.InstanceId };
  }
  if (input.VpcPeeringConnectionId) {
    const p = mustPeering(ctx, input.VpcPeeringConnectionId);
    const ends = [p.RequesterVpcInfo!.VpcId, p.AccepterVpcInfo!.VpcId];
    if (!ends.includes(rt.VpcId)) throw differentNetworks(input.VpcPeeringConnectionId);
    if (p.Status?.Code !== 'active' && p.Status?.Code !== 'pending-acceptance') {
      throw new AwsError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${input.VpcPeeringConnectionId}' is ${p.Status?.Code}`, { status: 400 });
    }
    return { VpcPeeringConnectionId: p.VpcPeeringConnectionId };
  }
  throw new AwsError('InvalidParameterValue', 'Exactly one of gatewayId, natGatewayId, instanceId, networkInterfaceId or vpcPeeringConnectionId must be specified.', { status: 400 });
}

function destination(block: string | undefined): string {
  const b = cidr.parseCidr(block ?? '');
  if (!b) throw new AwsError('InvalidParameterValue', `Value (${block}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`, { status: 400 });
  return cidr.format(b);
}

const routeTableFields: Fields<RouteTable> = {
  'route-table-id': (r) => r.RouteTableId,
  'vpc-id': (r) => r.VpcId,
  'owner-id': (r) => r.OwnerId,
  'association.main': (r) => r.Associations?.map((a) => a.Main),
  'association.subnet-id': (r) => r.Associations?.map((a) => a.SubnetId),
  'association.route-table-association-id': (r) => r.Associations?.map((a) => a.RouteTableAssociationId),
  'association.route-table-id': (r) => r.Associations?.map((a) => a.RouteTableId),
  'route.destination-cidr-block': (r) => r.Routes?.map((x) => x.DestinationCidrBlock),
  'route.gateway-id': (r) => r.Routes?.map((x) => x.GatewayId),
  'route.nat-gateway-id': (r) => r.Routes?.map((x) => x.NatGatewayId),
  'route.instance-id': (r) => r.Routes?.map((x) => x.InstanceId),
  'route.state': (r) => r.Routes?.map((x) => x.State),
  'route.origin': (r) => r.Routes?.map((x) => x.Origin),
};

function findAssociation(ctx: Ctx, associationId: string): RouteTableDoc {
  const rt = all<RouteTableDoc>(ctx, 'route-table').find((r) => r.Associations?.some((a) => a.RouteTableAssociationId === associationId));
  if (!rt) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`, { status: 400 });
  return rt;
}

export const handlers: Handlers<Operations> = {
  CreateRouteTable(input, ctx) {
    const rt = newRouteTable(ctx, mustVpc(ctx, input.VpcId), false);
    const tags = tagOnCreate(ctx, rt.RouteTableId, input.TagSpecifications);
    return { RouteTable: { ...rt, Tags: tags.length ? tags : undefined }, ClientToken: input.ClientToken };
  },

  DescribeRouteTables(input, ctx) {
    const rts = byIds(withTags(ctx, 'route-table', all<RouteTableDoc>(ctx, 'route-table'), (r) => r.RouteTableId), input.RouteTableIds, (r) => r.RouteTableId, notFound('InvalidRouteTableID.NotFound', 'routeTable'));
    const { page, NextToken } = paginate(applyFilters(rts.map((r) => output(ctx, r)), input.Filters, routeTableFields), input.MaxResults, input.NextToken);
    return { RouteTables: page, NextToken };
  },

  DeleteRouteTable(input, ctx) {
    const rt = mustRouteTable(ctx, input.RouteTableId);
    if (rt.Associations?.length) throw new AwsError('DependencyViolation', `The routeTable '${rt.RouteTableId}' has dependencies and cannot be deleted.`, { status: 400 });
    remove(ctx, rt.RouteTableId);
  },

  CreateRoute(input, ctx) {
    const rt = mustRouteTable(ctx, input.RouteTableId);
    const dest = destination(input.DestinationCidrBlock);
    if (rt.Routes!.some((r) => r.DestinationCidrBlock === dest)) throw new AwsError('RouteAlreadyExists', `The route identified by ${dest} already exists.`, { status: 400 });
    const route = target(ctx, rt, input);
    const vpc = mustVpc(ctx, rt.VpcId);
    if (!route.NetworkInterfaceId && vpcCidrs(vpc).some((c) => cidr.contains(cidr.parseCidr(c)!, cidr.parseCidr(dest)!))) {
      throw new AwsError('InvalidParameterValue', `The destination CIDR block ${dest} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`, { status: 400 });
    }
    rt.Routes!.push({ DestinationCidrBlock: dest, ...route, State: 'active', Origin: 'CreateRoute' });
    put(ctx, rt.RouteTableId, rt);
    return { Return: true };
  },

  ReplaceRoute(input, ctx) {
    const rt = mustRouteTable(ctx, input.RouteTableId);
    const dest = destination(input.DestinationCidrBlock);
    const i = rt.Routes!.findIndex((r) => r.DestinationCidrBlock === dest);
    if (i < 0) throw new AwsError('InvalidRoute.NotFound', `There is no route defined for '${dest}' in the route table. Use CreateRoute instead.`, { status: 400 });
    if (rt.Routes![i]!.GatewayId === 'local' && input.LocalTarget === undefined && !input.NetworkInterfaceId && !input.InstanceId) {
      throw new AwsError('InvalidParameterValue', `cannot replace local route ${dest} in route table ${rt.RouteTableId}`, { status: 400 });
    }
    rt.Routes![i] = { DestinationCidrBlock: dest, ...target(ctx, rt, input), State: 'active', Origin: 'CreateRoute' };
    put(ctx, rt.RouteTableId, rt);
  },

  DeleteRoute(input, ctx) {
    const rt = mustRouteTable(ctx, input.RouteTableId);
    const dest = destination(input.DestinationCidrBlock);
    const route = rt.Routes!.find((r) => r.DestinationCidrBlock === dest);
    if (!route) throw new AwsError('InvalidRoute.NotFound', `no route with destination-cidr-block ${dest} in route table ${rt.RouteTableId}`, { status: 400 });
    if (route.GatewayId === 'local') throw new AwsError('InvalidParameterValue', `cannot remove local route ${dest} in route table ${rt.RouteTableId}`, { status: 400 });
    rt.Routes = rt.Routes!.filter((r) => r !== route);
    put(ctx, rt.RouteTableId, rt);
  },

  AssociateRouteTable(input, ctx) {
    const rt = mustRouteTable(ctx, input.RouteTableId);
    const subnet = mustSubnet(ctx, input.SubnetId);
    if (subnet.VpcId !== rt.VpcId) throw new AwsError('InvalidParameterValue', `Route table ${rt.RouteTableId} and subnet ${subnet.SubnetId} belong to different networks`, { status: 400 });
    const current = all<RouteTableDoc>(ctx, 'route-table').find((r) => r.Associations?.some((a) => a.SubnetId === subnet.SubnetId));
    if (current) throw new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${current.RouteTableId} conflicts with an existing association`, { status: 400 });
    const id = resourceId('rtbassoc');
    rt.Associations!.push({ Main: false, RouteTableAssociationId: id, RouteTableId: rt.RouteTableId, SubnetId: subnet.SubnetId, AssociationState: { State: 'associated' } });
    put(ctx, rt.RouteTableId, rt);
    return { AssociationId: id, AssociationState: { State: 'associated' } };
  },

  DisassociateRouteTable(input, ctx) {
    const rt = findAssociation(ctx, input.AssociationId);
    if (rt.Associations!.find((a) => a.RouteTableAssociationId === input.AssociationId)!.Main) {
      throw new AwsError('InvalidParameterValue', `cannot disassociate the main route table association ${input.AssociationId}`, { status: 400 });
    }
    rt.Associations = rt.Associations!.filter((a) => a.RouteTableAssociationId !== input.AssociationId);
    put(ctx, rt.RouteTableId, rt);
  },

  /** Moves an association (including the VPC's main one) to another table of the same VPC. */
  ReplaceRouteTableAssociation(input, ctx) {
    const from = findAssociation(ctx, input.AssociationId);
    const to = mustRouteTable(ctx, input.RouteTableId);
    if (to.VpcId !== from.VpcId) throw new AwsError('InvalidParameterValue', `Route table ${to.RouteTableId} belongs to a different network than association ${input.AssociationId}`, { status: 400 });
    const old = from.Associations!.find((a) => a.RouteTableAssociationId === input.AssociationId)!;
    from.Associations = from.Associations!.filter((a) => a !== old);
    put(ctx, from.RouteTableId, from);
    const fresh = get<RouteTableDoc>(ctx, to.RouteTableId)!;
    const id = resourceId('rtbassoc');
    fresh.Associations!.push({ ...old, RouteTableAssociationId: id, RouteTableId: fresh.RouteTableId });
    put(ctx, fresh.RouteTableId, fresh);
    return { NewAssociationId: id, AssociationState: { State: 'associated' } };
  },
};
