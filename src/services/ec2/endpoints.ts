import { createHash } from 'node:crypto';
import type { Operations, PrefixList, VpcEndpoint } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { mustVpc, type Ctx } from './network.js';
import { mustRouteTable } from './route-tables.js';
import { all, get, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { EndpointDoc, RouteTableDoc } from './types.js';

/**
 * Gateway endpoints for S3 and DynamoDB: the endpoint adds a route to the service's AWS-managed
 * prefix list in each of its route tables, so traffic to the service stays off the internet.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
 */
const GATEWAY_SERVICES = ['s3', 'dynamodb'];
/** EC2 answers endpoint states in lower case (`available`), though the model's enum capitalizes them. */
const AVAILABLE = 'available' as 'Available';

/** us-east-1's published prefix lists and ranges; other regions get stable ids of the same shape. */
const US_EAST_1: Record<string, { id: string; cidrs: string[] }> = {
  s3: { id: 'pl-63a5400a', cidrs: ['3.5.0.0/19', '16.182.0.0/16', '18.34.0.0/19', '18.34.232.0/21', '52.216.0.0/15', '54.231.0.0/16'] },
  dynamodb: { id: 'pl-02cd2c6b', cidrs: ['3.218.180.0/22', '3.218.184.0/22', '52.94.0.0/22', '52.119.224.0/20'] },
};

export function prefixLists(region: string): PrefixList[] {
  return GATEWAY_SERVICES.map((svc) => {
    const known = region === 'us-east-1' ? US_EAST_1[svc] : undefined;
    const id = known?.id ?? `pl-${createHash('sha256').update(`${region}/${svc}`).digest('hex').slice(0, 8)}`;
    return { PrefixListId: id, PrefixListName: `com.amazonaws.${region}.${svc}`, Cidrs: known?.cidrs ?? US_EAST_1[svc]!.cidrs };
  });
}

function addRoutes(ctx: Ctx, ep: EndpointDoc, tableIds: string[]): void {
  for (const id of tableIds) {
    const rt = mustRouteTable(ctx, id);
    if (rt.VpcId !== ep.VpcId) throw new AwsError('InvalidParameterValue', `Route table ${id} is not in the endpoint's VPC ${ep.VpcId}.`, { status: 400 });
    if (rt.Routes!.some((r) => r.DestinationPrefixListId === ep._prefixListId)) throw new AwsError('RouteAlreadyExists', `route table ${id} already has a route with destination-prefix-list-id ${ep._prefixListId}`, { status: 400 });
    rt.Routes!.push({ DestinationPrefixListId: ep._prefixListId, GatewayId: ep.VpcEndpointId, State: 'active', Origin: 'CreateRoute' });
    put(ctx, rt.RouteTableId, rt);
  }
}

function removeRoutes(ctx: Ctx, ep: EndpointDoc, tableIds: string[]): void {
  for (const id of tableIds) {
    const rt = get<RouteTableDoc>(ctx, id);
    if (!rt) continue;
    rt.Routes = rt.Routes!.filter((r) => r.GatewayId !== ep.VpcEndpointId);
    put(ctx, rt.RouteTableId, rt);
  }
}

const fields: Fields<VpcEndpoint> = {
  'vpc-endpoint-id': (e) => e.VpcEndpointId,
  'vpc-id': (e) => e.VpcId,
  'service-name': (e) => e.ServiceName,
  'vpc-endpoint-state': (e) => e.State,
  'vpc-endpoint-type': (e) => e.VpcEndpointType,
};

export const handlers: Handlers<Operations> = {
  CreateVpcEndpoint(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    const service = prefixLists(ctx.region).find((p) => p.PrefixListName === input.ServiceName);
    if ((input.VpcEndpointType ?? 'Gateway') !== 'Gateway' || !service) {
      throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${input.ServiceName}' does not exist as a gateway endpoint service; Nimbus offers com.amazonaws.${ctx.region}.s3 and com.amazonaws.${ctx.region}.dynamodb.`, { status: 400 });
    }
    const ep: EndpointDoc = {
      VpcEndpointId: resourceId('vpce'), VpcEndpointType: 'Gateway', VpcId: vpc.VpcId, ServiceName: input.ServiceName, State: AVAILABLE,
      PolicyDocument: input.PolicyDocument ?? JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
      RouteTableIds: input.RouteTableIds ?? [], SubnetIds: [], Groups: [], NetworkInterfaceIds: [], DnsEntries: [], PrivateDnsEnabled: false, RequesterManaged: false,
      CreationTimestamp: new Date(ctx.clock.now()), OwnerId: ctx.accountId, _prefixListId: service.PrefixListId!,
    };
    addRoutes(ctx, ep, ep.RouteTableIds!);
    put(ctx, ep.VpcEndpointId, ep);
    const tags = tagOnCreate(ctx, ep.VpcEndpointId, input.TagSpecifications);
    return { VpcEndpoint: { ...ep, Tags: tags.length ? tags : undefined }, ClientToken: input.ClientToken };
  },

  ModifyVpcEndpoint(input, ctx) {
    const ep = must<EndpointDoc>(ctx, input.VpcEndpointId, 'InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${input.VpcEndpointId}' does not exist`);
    addRoutes(ctx, ep, input.AddRouteTableIds ?? []);
    removeRoutes(ctx, ep, input.RemoveRouteTableIds ?? []);
    ep.RouteTableIds = [...ep.RouteTableIds!.filter((id) => !input.RemoveRouteTableIds?.includes(id)), ...(input.AddRouteTableIds ?? [])];
    if (input.PolicyDocument) ep.PolicyDocument = input.PolicyDocument;
    put(ctx, ep.VpcEndpointId, ep);
    return { Return: true };
  },

  DeleteVpcEndpoints(input, ctx) {
    const Unsuccessful = [];
    for (const id of input.VpcEndpointIds) {
      const ep = get<EndpointDoc>(ctx, id);
      if (!ep) {
        Unsuccessful.push({ ResourceId: id, Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: `The Vpc Endpoint Id '${id}' does not exist` } });
        continue;
      }
      removeRoutes(ctx, ep, ep.RouteTableIds ?? []);
      remove(ctx, id);
    }
    return { Unsuccessful };
  },

  DescribeVpcEndpoints(input, ctx) {
    const list = byIds(withTags(ctx, 'vpc-endpoint', all<EndpointDoc>(ctx, 'vpc-endpoint'), (e) => e.VpcEndpointId), input.VpcEndpointIds, (e) => e.VpcEndpointId, notFound('InvalidVpcEndpointId.NotFound', 'Vpc Endpoint'));
    const { page, NextToken } = paginate(applyFilters(list, input.Filters, fields), input.MaxResults, input.NextToken);
    return { VpcEndpoints: page, NextToken };
  },

  DescribePrefixLists(input, ctx) {
    const lists = byIds(prefixLists(ctx.region), input.PrefixListIds, (p) => p.PrefixListId!, notFound('InvalidPrefixListID.NotFound', 'prefix list'));
    const f: Fields<PrefixList> = { 'prefix-list-id': (p) => p.PrefixListId, 'prefix-list-name': (p) => p.PrefixListName };
    return { PrefixLists: applyFilters(lists, input.Filters, f) };
  },
};
