import type { NetworkInsightsAnalysis, NetworkInsightsPath, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import type { Ctx } from './network.js';
import { analyze, type Endpoint } from './reachability.js';
import { all, get, getMany, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { AnalysisDoc, EniDoc, IgwDoc, InstanceDoc, PathDoc, SubnetDoc } from './types.js';

/**
 * Reachability Analyzer's API: a path names a source and a destination (instance, network
 * interface, internet gateway, or an address) and a protocol and port; an analysis of the path
 * runs at once and reads `succeeded` from the next call on.
 * https://docs.aws.amazon.com/vpc/latest/reachability/getting-started-cli.html
 */
function arnOf(ctx: Ctx, id: string, type: string): string {
  return `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`;
}

const TYPES: Record<string, string> = { i: 'instance', eni: 'network-interface', igw: 'internet-gateway' };

/** What a path's end stands for now: an interface (with its instance), the internet through a gateway, or an outside address. */
function endpoint(ctx: Ctx, id: string | undefined, ip: string | undefined, role: string): Endpoint {
  if (ip !== undefined && !cidr.isIpv4(ip)) throw new AwsError('InvalidParameterValue', `Value (${ip}) for parameter ${role}Ip is invalid. It must be an IPv4 address.`, { status: 400 });
  if (!id) {
    if (ip && cidr.isIpv4(ip)) return { kind: 'internet', ip };
    throw new AwsError('InvalidParameterValue', `The ${role} must be an instance, network interface or internet gateway ID, or an IP address.`, { status: 400 });
  }
  if (id.startsWith('igw-')) {
    const igw = get<IgwDoc>(ctx, id);
    if (!igw) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`, { status: 400 });
    return { kind: 'internet', igw, ip };
  }
  let eni: EniDoc | undefined;
  let instance: InstanceDoc | undefined;
  if (id.startsWith('i-')) {
    instance = get<InstanceDoc>(ctx, id);
    if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`, { status: 400 });
    eni = get<EniDoc>(ctx, instance._eni);
  } else if (id.startsWith('eni-')) {
    eni = get<EniDoc>(ctx, id);
    if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`, { status: 400 });
    instance = eni.Attachment?.InstanceId ? get<InstanceDoc>(ctx, eni.Attachment.InstanceId) : undefined;
  } else {
    throw new AwsError('InvalidParameterValue', `${role} ${id} is not a supported resource: use an instance, network interface or internet gateway.`, { status: 400 });
  }
  if (!eni) throw new AwsError('IncorrectState', `Instance ${id} has no network interface (it is terminated).`, { status: 400 });
  return { kind: 'eni', eni, instance, subnet: get<SubnetDoc>(ctx, eni.SubnetId)! };
}

const pathFields: Fields<NetworkInsightsPath> = {
  destination: (p) => p.Destination,
  'destination-ip': (p) => p.DestinationIp,
  'destination-port': (p) => p.DestinationPort,
  protocol: (p) => p.Protocol,
  source: (p) => p.Source,
  'source-ip': (p) => p.SourceIp,
};

const analysisFields: Fields<NetworkInsightsAnalysis> = {
  'path-found': (a) => a.NetworkPathFound,
  status: (a) => a.Status,
};

export const handlers: Handlers<Operations> = {
  CreateNetworkInsightsPath(input, ctx) {
    const src = endpoint(ctx, input.Source, input.SourceIp, 'source');
    const dst = endpoint(ctx, input.Destination, input.DestinationIp, 'destination');
    if (src.kind === 'internet' && dst.kind === 'internet') {
      throw new AwsError('InvalidParameterCombination', 'The source and the destination cannot both be outside the VPC.', { status: 400 });
    }
    const port = input.DestinationPort ?? input.FilterAtSource?.DestinationPortRange?.FromPort;
    const id = resourceId('nip');
    const path: PathDoc = {
      NetworkInsightsPathId: id, NetworkInsightsPathArn: arnOf(ctx, id, 'network-insights-path'), CreatedDate: new Date(ctx.clock.now()),
      Source: input.Source, SourceArn: arnOf(ctx, input.Source, TYPES[input.Source.split('-')[0]!] ?? 'resource'),
      Destination: input.Destination, DestinationArn: input.Destination ? arnOf(ctx, input.Destination, TYPES[input.Destination.split('-')[0]!] ?? 'resource') : undefined,
      SourceIp: input.SourceIp, DestinationIp: input.DestinationIp, Protocol: input.Protocol.toLowerCase() as 'tcp', DestinationPort: port,
      FilterAtSource: input.FilterAtSource ? { DestinationPortRange: input.FilterAtSource.DestinationPortRange } : undefined,
    };
    put(ctx, id, path);
    const tags = tagOnCreate(ctx, id, input.TagSpecifications);
    return { NetworkInsightsPath: { ...path, Tags: tags.length ? tags : undefined } };
  },

  DescribeNetworkInsightsPaths(input, ctx) {
    const paths = byIds(withTags(ctx, 'network-insights-path', all<PathDoc>(ctx, 'network-insights-path'), (p) => p.NetworkInsightsPathId), input.NetworkInsightsPathIds, (p) => p.NetworkInsightsPathId, notFound('InvalidNetworkInsightsPathId.NotFound', 'network insights path'));
    const { page, NextToken } = paginate(applyFilters(paths, input.Filters, pathFields), input.MaxResults, input.NextToken, { min: 1, max: 100 });
    return { NetworkInsightsPaths: page, NextToken };
  },

  DeleteNetworkInsightsPath(input, ctx) {
    must<PathDoc>(ctx, input.NetworkInsightsPathId, 'InvalidNetworkInsightsPathId.NotFound', `The network insights path ID '${input.NetworkInsightsPathId}' does not exist`);
    if (all<AnalysisDoc>(ctx, 'network-insights-analysis').some((a) => a.NetworkInsightsPathId === input.NetworkInsightsPathId)) {
      throw new AwsError('DependencyViolation', `Network insights path ${input.NetworkInsightsPathId} has analyses; delete them first.`, { status: 400 });
    }
    remove(ctx, input.NetworkInsightsPathId);
    return { NetworkInsightsPathId: input.NetworkInsightsPathId };
  },

  /** The network as it is now decides; the analysis keeps that answer even if the network changes later. */
  StartNetworkInsightsAnalysis(input, ctx) {
    const path = must<PathDoc>(ctx, input.NetworkInsightsPathId, 'InvalidNetworkInsightsPathId.NotFound', `The network insights path ID '${input.NetworkInsightsPathId}' does not exist`);
    const src = endpoint(ctx, path.Source, path.SourceIp, 'source');
    const dst = endpoint(ctx, path.Destination, path.DestinationIp, 'destination');
    const outcome = analyze(ctx, src, dst, { protocol: path.Protocol ?? 'tcp', port: path.DestinationPort });
    const id = resourceId('nia');
    const analysis: AnalysisDoc = {
      NetworkInsightsAnalysisId: id, NetworkInsightsAnalysisArn: arnOf(ctx, id, 'network-insights-analysis'), NetworkInsightsPathId: path.NetworkInsightsPathId,
      StartDate: new Date(ctx.clock.now()), Status: 'running', NetworkPathFound: outcome.found, Explanations: outcome.explanations,
      ForwardPathComponents: outcome.found ? outcome.forward : undefined, ReturnPathComponents: outcome.found ? outcome.returns : undefined,
      FilterInArns: input.FilterInArns,
    };
    put(ctx, id, analysis, ctx.clock.now());
    const tags = tagOnCreate(ctx, id, input.TagSpecifications);
    const { NetworkPathFound: _f, Explanations: _e, ForwardPathComponents: _fw, ReturnPathComponents: _r, ...running } = analysis;
    return { NetworkInsightsAnalysis: { ...running, Tags: tags.length ? tags : undefined } };
  },

  DescribeNetworkInsightsAnalyses(input, ctx) {
    const ids = input.NetworkInsightsAnalysisIds;
    // Analyses pile up (one per run): asked for by id, only those are read.
    const stored = ids?.length ? getMany<AnalysisDoc>(ctx, ids) : all<AnalysisDoc>(ctx, 'network-insights-analysis');
    let analyses = withTags(ctx, 'network-insights-analysis', byIds(stored, ids, (a) => a.NetworkInsightsAnalysisId, notFound('InvalidNetworkInsightsAnalysisId.NotFound', 'network insights analysis')), (a) => a.NetworkInsightsAnalysisId);
    if (input.NetworkInsightsPathId) analyses = analyses.filter((a) => a.NetworkInsightsPathId === input.NetworkInsightsPathId);
    const { page, NextToken } = paginate(applyFilters(analyses, input.Filters, analysisFields), input.MaxResults, input.NextToken, { min: 1, max: 100 });
    return { NetworkInsightsAnalyses: page, NextToken };
  },

  DeleteNetworkInsightsAnalysis(input, ctx) {
    must<AnalysisDoc>(ctx, input.NetworkInsightsAnalysisId, 'InvalidNetworkInsightsAnalysisId.NotFound', `The network insights analysis ID '${input.NetworkInsightsAnalysisId}' does not exist`);
    remove(ctx, input.NetworkInsightsAnalysisId);
    return { NetworkInsightsAnalysisId: input.NetworkInsightsAnalysisId };
  },
};
