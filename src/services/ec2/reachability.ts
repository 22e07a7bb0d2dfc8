import type { AnalysisAclRule, Explanation, NetworkAclEntry, PathComponent, Route } from '../../generated/types/ec2.js';
import * as cidr from './cidr.js';
import { subnetNacl, subnetRouteTable, type Ctx } from './network.js';
import { activePeering } from './peering.js';
import { routeState } from './route-tables.js';
import { all, get } from './store.js';
import type { EniDoc, IgwDoc, InstanceDoc, NaclDoc, NatDoc, SecurityGroupDoc, SgRule, SubnetDoc } from './types.js';

/**
 * The network evaluated, not just stored: whether a packet from a source reaches a destination
 * on a protocol and port, checking what AWS checks — security groups on both interfaces
 * (stateful), network ACLs of both subnets in both directions (stateless, so the return
 * traffic to the client's ephemeral port must be allowed too), the route tables with
 * longest-prefix match, internet and NAT gateways and public addresses — and, when the packet
 * is blocked, which component blocks it and which rule decides, with Reachability Analyzer's
 * explanation codes. https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html
 */
export type Endpoint =
  | { kind: 'eni'; eni: EniDoc; subnet: SubnetDoc; instance?: InstanceDoc }
  | { kind: 'internet'; igw?: IgwDoc; ip?: string };

export interface Packet {
  protocol: 'tcp' | 'udp';
  port?: number;
}

export interface Outcome {
  found: boolean;
  explanations: Explanation[];
  forward: PathComponent[];
  returns: PathComponent[];
}

const PROTO_NUMBER = { tcp: '6', udp: '17' } as const;
/** Clients use ephemeral source ports; the stateless return path must let them back in. */
const EPHEMERAL: [number, number] = [1024, 65535];
/** An address on the internet, for paths whose internet end has no given address. */
const SOME_INTERNET_ADDRESS = '203.0.113.10';

const component = (id: string, region: string, account: string, type: string) => ({ Id: id, Arn: `arn:aws:ec2:${region}:${account}:${type}/${id}` });

class Trace implements Outcome {
  found = true;
  explanations: Explanation[] = [];
  forward: PathComponent[] = [];
  returns: PathComponent[] = [];

  constructor(readonly ctx: Ctx, readonly packet: Packet, readonly port: number) {}

  ref(id: string, type: string) {
    return component(id, this.ctx.region, this.ctx.accountId, type);
  }

  hop(c: PathComponent, back = false): void {
    const list = back ? this.returns : this.forward;
    list.push({ SequenceNumber: list.length + 1, ...c });
  }

  block(e: Explanation): void {
    this.found = false;
    this.explanations.push(e);
  }
}

function sgRuleMatches(r: SgRule, t: Trace, peerIp: string, peerEni: EniDoc | undefined, port: number): boolean {
  if (r.IpProtocol !== '-1' && r.IpProtocol !== t.packet.protocol && r.IpProtocol !== PROTO_NUMBER[t.packet.protocol]) return false;
  if (r.IpProtocol !== '-1' && (port < r.FromPort || port > r.ToPort)) return false;
  if (r.CidrIpv4) return cidr.containsIp(cidr.parseCidr(r.CidrIpv4)!, peerIp);
  // A referenced group matches its members' private addresses, within the VPC.
  if (r.ReferencedGroupId) return !!peerEni?.Groups?.some((g) => g.GroupId === r.ReferencedGroupId) && peerIp === peerEni.PrivateIpAddress;
  return false;
}

/** Security groups allow only: some rule of some group on the interface must match. */
function checkGroups(t: Trace, eni: EniDoc, egress: boolean, peerIp: string, peerEni?: EniDoc): void {
  const groups = (eni.Groups ?? []).map((g) => get<SecurityGroupDoc>(t.ctx, g.GroupId!)).filter((g): g is SecurityGroupDoc => !!g);
  for (const g of groups) {
    const rule = g._rules.find((r) => r.IsEgress === egress && sgRuleMatches(r, t, peerIp, peerEni, t.port));
    if (rule) {
      t.hop({
        Component: t.ref(g.GroupId, 'security-group'),
        SecurityGroupRule: { Cidr: rule.CidrIpv4, Direction: egress ? 'egress' : 'ingress', SecurityGroupId: rule.ReferencedGroupId ?? g.GroupId, Protocol: rule.IpProtocol, PortRange: rule.IpProtocol === '-1' ? undefined : { From: rule.FromPort, To: rule.ToPort } },
      });
      return;
    }
  }
  t.block({
    ExplanationCode: 'ENI_SG_RULES_MISMATCH', Direction: egress ? 'egress' : 'ingress',
    Component: t.ref(eni.NetworkInterfaceId, 'network-interface'), NetworkInterface: t.ref(eni.NetworkInterfaceId, 'network-interface'),
    SecurityGroups: groups.map((g) => t.ref(g.GroupId, 'security-group')), Subnet: t.ref(eni.SubnetId, 'subnet'), Vpc: t.ref(eni.VpcId, 'vpc'),
    Protocols: [t.packet.protocol], Port: t.port, Address: peerIp,
  });
}

/** The first ACL entry, in rule-number order, that matches the packet decides. */
export function aclDecision(acl: NaclDoc, egress: boolean, peerIp: string, protocol: 'tcp' | 'udp', port: number): NetworkAclEntry {
  const entries = (acl.Entries ?? []).filter((e) => e.Egress === egress && e.CidrBlock).sort((a, b) => a.RuleNumber! - b.RuleNumber!);
  return entries.find((e) => {
    if (e.Protocol !== '-1' && e.Protocol !== PROTO_NUMBER[protocol]) return false;
    if (e.PortRange && (port < e.PortRange.From! || port > e.PortRange.To!)) return false;
    return cidr.containsIp(cidr.parseCidr(e.CidrBlock!)!, peerIp);
  })!;
}

function aclRule(e: NetworkAclEntry): AnalysisAclRule {
  return { Cidr: e.CidrBlock, Egress: e.Egress, PortRange: e.PortRange, Protocol: e.Protocol === '-1' ? 'all' : e.Protocol === '6' ? 'tcp' : e.Protocol === '17' ? 'udp' : e.Protocol, RuleAction: e.RuleAction, RuleNumber: e.RuleNumber };
}

/** The subnet's ACL on the packet to (egress) or from (ingress) `peerIp`; `ports` is one port, or a range of which any may do. */
function checkAcl(t: Trace, subnet: SubnetDoc, egress: boolean, peerIp: string, ports: [number, number], back = false): void {
  const acl = subnetNacl(t.ctx, subnet.SubnetId);
  if (!acl) return;
  // Within a range, decisions change only at rule boundaries, so those ports are enough to try.
  const candidates = new Set([ports[0], ports[1]]);
  for (const e of acl.Entries ?? []) {
    for (const p of [e.PortRange?.From, e.PortRange?.To, (e.PortRange?.From ?? 0) - 1, (e.PortRange?.To ?? 0) + 1]) {
      if (p !== undefined && p >= ports[0] && p <= ports[1]) candidates.add(p);
    }
  }
  const decisions = [...candidates].map((p) => aclDecision(acl, egress, peerIp, t.packet.protocol, p));
  const allowed = decisions.find((d) => d.RuleAction === 'allow');
  const decided = allowed ?? decisions[0]!;
  if (allowed) {
    t.hop({ Component: t.ref(acl.NetworkAclId, 'network-acl'), AclRule: aclRule(decided), Subnet: t.ref(subnet.SubnetId, 'subnet') }, back);
    return;
  }
  t.block({
    ExplanationCode: 'SUBNET_ACL_RESTRICTION', Direction: egress ? 'egress' : 'ingress', Component: t.ref(acl.NetworkAclId, 'network-acl'),
    Acl: t.ref(acl.NetworkAclId, 'network-acl'), AclRule: aclRule(decided), Subnet: t.ref(subnet.SubnetId, 'subnet'), Vpc: t.ref(subnet.VpcId, 'vpc'),
    Address: peerIp, Protocols: [t.packet.protocol], PortRanges: [{ From: ports[0], To: ports[1] }],
  });
}

/** Longest-prefix match in the subnet's route table; a route whose target is gone is a blackhole. */
function checkRoute(t: Trace, subnet: SubnetDoc, dstIp: string, back = false): Route | undefined {
  const rt = subnetRouteTable(t.ctx, subnet);
  const route = (rt.Routes ?? [])
    .filter((r) => r.DestinationCidrBlock && cidr.containsIp(cidr.parseCidr(r.DestinationCidrBlock)!, dstIp))
    .sort((a, b) => cidr.parseCidr(b.DestinationCidrBlock!)!.bits - cidr.parseCidr(a.DestinationCidrBlock!)!.bits)[0];
  const where = { Component: t.ref(rt.RouteTableId, 'route-table'), RouteTable: t.ref(rt.RouteTableId, 'route-table'), Subnet: t.ref(subnet.SubnetId, 'subnet'), Vpc: t.ref(subnet.VpcId, 'vpc') };
  if (!route) {
    t.block({ ExplanationCode: 'NO_ROUTE_TO_DESTINATION', Direction: back ? 'ingress' : 'egress', Address: dstIp, ...where });
    return undefined;
  }
  const tableRoute = { DestinationCidr: route.DestinationCidrBlock, GatewayId: route.GatewayId, NatGatewayId: route.NatGatewayId, NetworkInterfaceId: route.NetworkInterfaceId, InstanceId: route.InstanceId, Origin: route.Origin, State: routeState(t.ctx, subnet.VpcId, route) };
  if (tableRoute.State === 'blackhole') {
    t.block({ ExplanationCode: 'BAD_STATE_ROUTE', RouteTableRoute: tableRoute, State: 'blackhole', ...where });
    return undefined;
  }
  t.hop({ Component: t.ref(rt.RouteTableId, 'route-table'), RouteTableRoute: tableRoute, Subnet: t.ref(subnet.SubnetId, 'subnet') }, back);
  return route;
}

function checkRunning(t: Trace, end: Endpoint & { kind: 'eni' }): void {
  if (end.instance && end.instance.State.Name !== 'running') {
    t.block({ ExplanationCode: 'BAD_STATE', Component: t.ref(end.instance.InstanceId, 'instance'), State: end.instance.State.Name });
  }
}

function publicIpOf(eni: EniDoc): string | undefined {
  return eni.Association?.PublicIp;
}

/** Between VPCs the route each way must be an active peering connection that joins them. */
function checkPeering(t: Trace, route: Route | undefined, from: EniDoc, to: EniDoc, back = false): void {
  if (!route || from.VpcId === to.VpcId) return;
  if (route.VpcPeeringConnectionId && activePeering(t.ctx, route.VpcPeeringConnectionId, from.VpcId, to.VpcId)) {
    t.hop({ Component: t.ref(route.VpcPeeringConnectionId, 'vpc-peering-connection') }, back);
    return;
  }
  t.block({
    ExplanationCode: 'CANNOT_ROUTE', Direction: back ? 'ingress' : 'egress', Component: t.ref(from.SubnetId, 'subnet'), Address: to.PrivateIpAddress,
    SourceVpc: t.ref(from.VpcId, 'vpc'), DestinationVpc: t.ref(to.VpcId, 'vpc'),
    RouteTableRoute: { DestinationCidr: route.DestinationCidrBlock, GatewayId: route.GatewayId, NatGatewayId: route.NatGatewayId, VpcPeeringConnectionId: route.VpcPeeringConnectionId },
  });
}

/** Two interfaces of one VPC, or of peered VPCs: the ACLs apply only when the packet crosses a subnet boundary. */
function internal(t: Trace, a: Endpoint & { kind: 'eni' }, b: Endpoint & { kind: 'eni' }): void {
  checkRunning(t, a);
  t.hop({ Component: t.ref(a.eni.NetworkInterfaceId, 'network-interface'), Subnet: t.ref(a.subnet.SubnetId, 'subnet') });
  checkGroups(t, a.eni, true, b.eni.PrivateIpAddress, b.eni);
  if (a.subnet.SubnetId !== b.subnet.SubnetId) {
    checkAcl(t, a.subnet, true, b.eni.PrivateIpAddress, [t.port, t.port]);
    checkPeering(t, checkRoute(t, a.subnet, b.eni.PrivateIpAddress), a.eni, b.eni);
    checkAcl(t, b.subnet, false, a.eni.PrivateIpAddress, [t.port, t.port]);
    if (a.eni.VpcId !== b.eni.VpcId) checkPeering(t, checkRoute(t, b.subnet, a.eni.PrivateIpAddress, true), b.eni, a.eni, true);
    checkAcl(t, b.subnet, true, a.eni.PrivateIpAddress, EPHEMERAL, true);
    checkAcl(t, a.subnet, false, b.eni.PrivateIpAddress, EPHEMERAL, true);
  }
  checkGroups(t, b.eni, false, a.eni.PrivateIpAddress, a.eni);
  checkRunning(t, b);
  t.hop({ Component: t.ref(b.eni.NetworkInterfaceId, 'network-interface'), Subnet: t.ref(b.subnet.SubnetId, 'subnet') });
}

function attachedIgw(t: Trace, vpcId: string): IgwDoc | undefined {
  return all<IgwDoc>(t.ctx, 'internet-gateway').find((g) => g.Attachments?.some((a) => a.VpcId === vpcId));
}

/** From an interface to the internet: straight out through the internet gateway with a public address, or through a NAT gateway. */
function outbound(t: Trace, a: Endpoint & { kind: 'eni' }, remote: string, igw?: IgwDoc): void {
  checkRunning(t, a);
  t.hop({ Component: t.ref(a.eni.NetworkInterfaceId, 'network-interface'), Subnet: t.ref(a.subnet.SubnetId, 'subnet') });
  checkGroups(t, a.eni, true, remote);
  checkAcl(t, a.subnet, true, remote, [t.port, t.port]);
  checkAcl(t, a.subnet, false, remote, EPHEMERAL, true);
  const route = checkRoute(t, a.subnet, remote);
  if (!route) return;
  if (route.NatGatewayId) {
    const nat = get<NatDoc>(t.ctx, route.NatGatewayId)!;
    const natEni = get<EniDoc>(t.ctx, nat.NatGatewayAddresses?.[0]?.NetworkInterfaceId ?? '');
    const natSubnet = natEni ? get<SubnetDoc>(t.ctx, natEni.SubnetId) : undefined;
    if (!natEni || !natSubnet) return;
    t.hop({ Component: t.ref(nat.NatGatewayId, 'natgateway'), Subnet: t.ref(natSubnet.SubnetId, 'subnet') });
    if (natSubnet.SubnetId !== a.subnet.SubnetId) {
      checkAcl(t, natSubnet, false, a.eni.PrivateIpAddress, [t.port, t.port]);
      checkAcl(t, natSubnet, true, a.eni.PrivateIpAddress, EPHEMERAL, true);
    }
    checkAcl(t, natSubnet, true, remote, [t.port, t.port]);
    checkAcl(t, natSubnet, false, remote, EPHEMERAL, true);
    if (nat.ConnectivityType === 'private') {
      t.block({ ExplanationCode: 'CANNOT_ROUTE', Component: t.ref(nat.NatGatewayId, 'natgateway'), NatGateway: t.ref(nat.NatGatewayId, 'natgateway'), Address: remote });
      return;
    }
    const onward = checkRoute(t, natSubnet, remote);
    if (onward && !onward.GatewayId?.startsWith('igw-')) t.block({ ExplanationCode: 'CANNOT_ROUTE', Component: t.ref(natSubnet.SubnetId, 'subnet'), Address: remote });
    if (onward?.GatewayId) t.hop({ Component: t.ref(onward.GatewayId, 'internet-gateway') });
    return;
  }
  if (!route.GatewayId?.startsWith('igw-') || (igw && route.GatewayId !== igw.InternetGatewayId)) {
    t.block({ ExplanationCode: 'CANNOT_ROUTE', Component: t.ref(subnetRouteTable(t.ctx, a.subnet).RouteTableId, 'route-table'), Address: remote, RouteTableRoute: { DestinationCidr: route.DestinationCidrBlock, GatewayId: route.GatewayId, NetworkInterfaceId: route.NetworkInterfaceId } });
    return;
  }
  // Reachability Analyzer's wording for an interface that the internet gateway cannot translate: it has no public address.
  if (!publicIpOf(a.eni)) t.block({ ExplanationCode: 'NO_PUBLIC_IP', Component: t.ref(a.eni.NetworkInterfaceId, 'network-interface'), NetworkInterface: t.ref(a.eni.NetworkInterfaceId, 'network-interface'), InternetGateway: t.ref(route.GatewayId, 'internet-gateway') });
  t.hop({ Component: t.ref(route.GatewayId, 'internet-gateway') });
}

/** From the internet, through the VPC's internet gateway, to an interface's public address. */
function inbound(t: Trace, igw: IgwDoc | undefined, remote: string, b: Endpoint & { kind: 'eni' }): void {
  const gateway = igw ?? attachedIgw(t, b.eni.VpcId);
  if (!gateway || !gateway.Attachments?.some((a) => a.VpcId === b.eni.VpcId)) {
    t.block({ ExplanationCode: 'BAD_STATE_ATTACHMENT', Component: t.ref(gateway?.InternetGatewayId ?? b.eni.VpcId, gateway ? 'internet-gateway' : 'vpc'), Vpc: t.ref(b.eni.VpcId, 'vpc'), ...(gateway ? { InternetGateway: t.ref(gateway.InternetGatewayId, 'internet-gateway') } : { MissingComponent: 'internet-gateway' }) });
    return;
  }
  t.hop({ Component: t.ref(gateway.InternetGatewayId, 'internet-gateway') });
  if (!publicIpOf(b.eni)) t.block({ ExplanationCode: 'NO_PUBLIC_IP', Component: t.ref(b.eni.NetworkInterfaceId, 'network-interface'), NetworkInterface: t.ref(b.eni.NetworkInterfaceId, 'network-interface'), InternetGateway: t.ref(gateway.InternetGatewayId, 'internet-gateway') });
  checkAcl(t, b.subnet, false, remote, [t.port, t.port]);
  checkGroups(t, b.eni, false, remote);
  checkRunning(t, b);
  t.hop({ Component: t.ref(b.eni.NetworkInterfaceId, 'network-interface'), Subnet: t.ref(b.subnet.SubnetId, 'subnet') });
  checkAcl(t, b.subnet, true, remote, EPHEMERAL, true);
  const back = checkRoute(t, b.subnet, remote, true);
  if (back && back.GatewayId !== gateway.InternetGatewayId) {
    t.block({ ExplanationCode: 'NO_ROUTE_TO_DESTINATION', Direction: 'egress', Component: t.ref(subnetRouteTable(t.ctx, b.subnet).RouteTableId, 'route-table'), Address: remote, Subnet: t.ref(b.subnet.SubnetId, 'subnet') });
  }
}

function one(ctx: Ctx, src: Endpoint, dst: Endpoint, packet: Packet, port: number, remote: string): Trace {
  const t = new Trace(ctx, packet, port);
  if (src.kind === 'eni' && dst.kind === 'eni') internal(t, src, dst);
  else if (src.kind === 'eni' && dst.kind === 'internet') outbound(t, src, dst.ip ?? remote, dst.igw);
  else if (src.kind === 'internet' && dst.kind === 'eni') inbound(t, src.igw, src.ip ?? remote, dst);
  return t;
}

/**
 * Analyzes a path. Where the path names no port, the analyzer looks for a common port that gets
 * through, as Reachability Analyzer looks for any; the explanations of a blocked path are those
 * of the first port tried. An internet end without an address is a documentation address.
 */
export function analyze(ctx: Ctx, src: Endpoint, dst: Endpoint, packet: Packet): Outcome {
  const ports = packet.port !== undefined ? [packet.port] : [22, 80, 443, 1024, 8080];
  let first: Trace | undefined;
  for (const port of ports) {
    const t = one(ctx, src, dst, packet, port, SOME_INTERNET_ADDRESS);
    if (t.found) return t;
    first ??= t;
  }
  return first!;
}
