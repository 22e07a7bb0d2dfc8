import {
  AttachInternetGatewayCommand, AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand,
  CreateNetworkAclCommand, RevokeSecurityGroupEgressCommand, CreateNetworkAclEntryCommand, CreateNetworkInsightsPathCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeNetworkAclsCommand,
  DescribeNetworkInsightsAnalysesCommand, EC2Client, ReplaceNetworkAclAssociationCommand, AssociateRouteTableCommand, RunInstancesCommand,
  StartNetworkInsightsAnalysisCommand, type IpPermission,
} from '@aws-sdk/client-ec2';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { cpuMs, row, TABLE_HEAD, type Server } from './lib.js';

const FLEET = 10_000;
const PER_LAUNCH = 100;
/** Each launch's instances carry one of ten team tags, so a `tag:team` filter matches a tenth of the fleet. */
const TEAMS = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

/** 100 launches of 100 instances into one /16 subnet: the wall time and server CPU of each call. */
async function launchFleet(nimbus: Server, ec2: EC2Client, ami: string, subnetId: string): Promise<string[]> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let n = 0; n < FLEET / PER_LAUNCH; n++) {
    const cpu0 = cpuMs(nimbus.pid);
    const t0 = performance.now();
    const r = await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: PER_LAUNCH, MaxCount: PER_LAUNCH, SubnetId: subnetId,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: `team-${n % TEAMS}` }, { Key: 'launch', Value: String(n) }] }],
    }));
    wall.push(performance.now() - t0);
    cpu.push(cpuMs(nimbus.pid) - cpu0);
    if (r.Instances?.length !== PER_LAUNCH) throw new Error(`launch ${n} started ${r.Instances?.length} instances`);
  }
  return [
    `- RunInstances of ${PER_LAUNCH} instances in one call (MinCount = MaxCount = ${PER_LAUNCH}, t3.micro, tagged, one /16 subnet), ${FLEET / PER_LAUNCH} calls growing the fleet to ${FLEET}:`
    + ` the first **${wall[0]!.toFixed(0)} ms** (server CPU ${cpu[0]!.toFixed(0)} ms); over all calls p50 **${median(wall).toFixed(0)} ms**, p99 ${p99(wall).toFixed(0)} ms, server CPU p50 ${median(cpu).toFixed(0)} ms per call.`,
  ];
}

/**
 * A VPC with 200 rules on the path between two instances: 70 security group rules (50 ingress
 * on the destination's group, 20 egress on the source's), 80 network ACL entries (20 each way
 * on each subnet's ACL) and 50 routes (25 in each subnet's table). The rules that let port
 * 8080 through come last, so the analyzer reads all the others first.
 */
async function busyVpc(ec2: EC2Client, ami: string): Promise<{ source: string; destination: string }> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const subnets: string[] = [];
  for (const [i, block] of ['10.1.1.0/24', '10.1.2.0/24'].entries()) {
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: block, AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    subnets.push(subnet);
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
    for (let r = 0; r < 25; r++) await ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: `192.168.${i * 25 + r}.0/24`, GatewayId: igw }));
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnet }));
    const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpc }))).NetworkAcl!.NetworkAclId!;
    for (const egress of [false, true]) {
      for (let e = 0; e < 19; e++) {
        await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl, Egress: egress, RuleNumber: 100 + e, Protocol: '6', RuleAction: 'deny', CidrBlock: `172.16.${e}.0/24`, PortRange: { From: 1000 + e, To: 1000 + e } }));
      }
      await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl, Egress: egress, RuleNumber: 200, Protocol: '6', RuleAction: 'allow', CidrBlock: '10.1.0.0/16', PortRange: { From: 1024, To: 65535 } }));
    }
    const assoc = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] })))
      .NetworkAcls![0]!.Associations!.find((a) => a.SubnetId === subnet)!.NetworkAclAssociationId!;
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc, NetworkAclId: acl }));
  }
  const permissions = (count: number, last: IpPermission): IpPermission[] =>
    [...Array.from({ length: count - 1 }, (_, k) => ({ IpProtocol: 'tcp', FromPort: 2000 + k, ToPort: 2000 + k, IpRanges: [{ CidrIp: `172.20.${k}.0/24` }] })), last];
  const web = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'source', VpcId: vpc }))).GroupId!;
  const app = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'destination', VpcId: vpc }))).GroupId!;
  // A new group's allow-all egress rule would decide at once; the source's group keeps only the 20 rules given here.
  await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: web, IpPermissions: permissions(20, { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.1.2.0/24' }] }) }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: app, IpPermissions: permissions(50, { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.1.1.0/24' }] }) }));
  const launch = async (subnet: string, group: string) => (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [group] }))).Instances![0]!.InstanceId!;
  return { source: await launch(subnets[0]!, web), destination: await launch(subnets[1]!, app) };
}

export async function ec2Bench(seconds: number): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const ec2 = new EC2Client(config(nimbus.port));
  const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }] }))).Images![0]!.ImageId!;
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.0.0/16', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const lines = await launchFleet(nimbus, ec2, ami, subnet);

  const rows: Row[] = [];
  for (const pageSize of [100, 1000]) {
    let token: string | undefined;
    rows.push([`DescribeInstances, tag:team filter matching ${FLEET / TEAMS} of ${FLEET} instances, MaxResults ${pageSize} (per page)`, await measure(nimbus, async () => {
      const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['team-3'] }], MaxResults: pageSize, NextToken: token }));
      const n = r.Reservations!.reduce((k, res) => k + res.Instances!.length, 0);
      if (n !== Math.min(pageSize, FLEET / TEAMS)) throw new Error(`a page of ${n} instances`);
      token = r.NextToken;
    }, 1, seconds)]);
  }

  const { source, destination } = await busyVpc(ec2, ami);
  let n = 0;
  rows.push(['Reachability analysis over 200 rules: CreateNetworkInsightsPath + StartNetworkInsightsAnalysis + DescribeNetworkInsightsAnalyses (per analysis)', await measure(nimbus, async () => {
    const token = `bench-${n++}`;
    const path = await ec2.send(new CreateNetworkInsightsPathCommand({ Source: source, Destination: destination, Protocol: 'tcp', DestinationPort: 8080, ClientToken: token }));
    const started = await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPath!.NetworkInsightsPathId!, ClientToken: token }));
    const done = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!] }));
    const analysis = done.NetworkInsightsAnalyses![0]!;
    if (analysis.Status !== 'succeeded' || analysis.NetworkPathFound !== true) throw new Error(`analysis ${analysis.Status}, found ${analysis.NetworkPathFound}`);
  }, 1, seconds)]);
  await nimbus.stop();
  return ['## EC2: a fleet of 10,000 instances and a busy VPC', '', ...lines, '', TABLE_HEAD.replace('vs bare', ''), ...rows.map(([name, r]) => row(name, r)), '',
    'Targets: a DescribeInstances page under 50 ms p50; an analysis (its three calls) under 20 ms p50.', ''];
}
