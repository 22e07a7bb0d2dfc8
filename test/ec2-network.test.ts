import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand, CreateNatGatewayCommand, CreateNetworkAclCommand, CreateNetworkAclEntryCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DeleteInternetGatewayCommand, DeleteNatGatewayCommand, DeleteNetworkAclCommand,
  DeleteSecurityGroupCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeImagesCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  DescribeVpcsCommand, DetachInternetGatewayCommand, EC2Client, ModifyVpcAttributeCommand, DescribeVpcAttributeCommand, RevokeSecurityGroupIngressCommand,
  RunInstancesCommand, TerminateInstancesCommand, CreateNetworkInsightsPathCommand, StartNetworkInsightsAnalysisCommand, DescribeNetworkInsightsAnalysesCommand,
  CreateVpcPeeringConnectionCommand, AcceptVpcPeeringConnectionCommand, DescribeVpcPeeringConnectionsCommand, CreateVpcEndpointCommand, DeleteVpcEndpointsCommand,
  DescribePrefixListsCommand, CreateNetworkInterfaceCommand, AttachNetworkInterfaceCommand, DetachNetworkInterfaceCommand, DescribeInstancesCommand,
  DeleteNetworkInterfaceCommand, DescribeAccountAttributesCommand, DescribeDhcpOptionsCommand, CreateDhcpOptionsCommand, AssociateDhcpOptionsCommand,
  DeleteDhcpOptionsCommand, ModifySecurityGroupRulesCommand, UpdateSecurityGroupRuleDescriptionsIngressCommand, CreateDefaultVpcCommand, CreateDefaultSubnetCommand,
} from '@aws-sdk/client-ec2';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let accounts = 200000000000;

describe('EC2 networking', () => {
  let nimbus: Nimbus;
  let ami: string;
  /** A client for a new account, so that each test has its own default VPC and VPC quota. */
  const fresh = () => new EC2Client(clientConfig(nimbus, { credentials: { accessKeyId: String(++accounts), secretAccessKey: 'x' } }));

  before(async () => {
    nimbus = await start();
    const images = await fresh().send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*-x86_64'] }] }));
    ami = images.Images![0]!.ImageId!;
  });
  after(() => nimbus.stop());

  async function vpcWithSubnet(ec2: EC2Client, block = '10.0.0.0/16', subnetBlock = '10.0.1.0/24') {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: block }))).Vpc!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: subnetBlock, AvailabilityZone: 'us-east-1a' }))).Subnet!;
    return { vpc, subnet };
  }

  it('every region starts with a default VPC: 172.31.0.0/16, a /20 default subnet per zone, an attached internet gateway and a public main route table', async () => {
    const ec2 = fresh();
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    assert.equal(vpcs.Vpcs!.length, 1);
    const vpc = vpcs.Vpcs![0]!;
    assert.equal(vpc.CidrBlock, '172.31.0.0/16');
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.equal(subnets.Subnets!.length, 6);
    assert.ok(subnets.Subnets!.every((s) => s.DefaultForAz && s.MapPublicIpOnLaunch && s.CidrBlock!.endsWith('/20') && s.AvailableIpAddressCount === 4091));
    const igws = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }));
    assert.equal(igws.InternetGateways!.length, 1);
    const main = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }));
    assert.deepEqual(main.RouteTables![0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]), [
      ['172.31.0.0/16', 'local', 'active'], ['0.0.0.0/0', igws.InternetGateways![0]!.InternetGatewayId, 'active'],
    ]);
    const sg = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }));
    assert.equal(sg.SecurityGroups![0]!.IpPermissionsEgress![0]!.IpRanges![0]!.CidrIp, '0.0.0.0/0');
    const acl = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }));
    assert.equal(acl.NetworkAcls![0]!.Associations!.length, 6);
  });

  it('the account names its default VPC, and VPCs use the region\'s default DHCP options until another set is associated', async () => {
    const ec2 = fresh();
    const attrs = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] }));
    const vpc = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!;
    assert.equal(attrs.AccountAttributes![0]!.AttributeValues![0]!.AttributeValue, vpc.VpcId);
    const dopt = (await ec2.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [vpc.DhcpOptionsId!] }))).DhcpOptions![0]!;
    assert.deepEqual(dopt.DhcpConfigurations!.map((c) => [c.Key, c.Values![0]!.Value]), [['domain-name', 'ec2.internal'], ['domain-name-servers', 'AmazonProvidedDNS']]);
    const mine = (await ec2.send(new CreateDhcpOptionsCommand({ DhcpConfigurations: [{ Key: 'domain-name', Values: ['corp.example'] }] }))).DhcpOptions!;
    await ec2.send(new AssociateDhcpOptionsCommand({ DhcpOptionsId: mine.DhcpOptionsId!, VpcId: vpc.VpcId! }));
    assert.equal((await rejects(ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: mine.DhcpOptionsId! })))).name, 'DependencyViolation');
    const bad = await rejects(ec2.send(new CreateDhcpOptionsCommand({ DhcpConfigurations: [{ Key: 'favourite-colour', Values: ['blue'] }] })));
    assert.equal(bad.name, 'InvalidParameterValue');
  });

  it('CreateVpc accepts /16 to /28: /8 is InvalidVpc.Range, a malformed block InvalidParameterValue, the sixth VPC VpcLimitExceeded', async () => {
    const ec2 = fresh();
    assert.equal((await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).name, 'InvalidVpc.Range');
    assert.equal((await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0/16' })))).name, 'InvalidParameterValue');
    for (let n = 0; n < 4; n++) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${n}.0.0/16` }));
    const err = await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })));
    assert.equal(err.name, 'VpcLimitExceeded');
  });

  it('DNS hostnames need DNS support', async () => {
    const ec2 = fresh();
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId!, EnableDnsHostnames: { Value: true } }));
    const attr = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId!, Attribute: 'enableDnsHostnames' }));
    assert.equal(attr.EnableDnsHostnames!.Value, true);
    const err = await rejects(ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId!, EnableDnsSupport: { Value: false } })));
    assert.equal(err.name, 'InvalidParameterValue');
  });

  it('subnets must lie inside the VPC (InvalidSubnet.Range) and not overlap (InvalidSubnet.Conflict); five addresses are reserved', async () => {
    const ec2 = fresh();
    const { vpc, subnet } = await vpcWithSubnet(ec2);
    assert.equal(subnet.AvailableIpAddressCount, 251);
    assert.equal((await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '192.168.0.0/24' })))).name, 'InvalidSubnet.Range');
    assert.equal((await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '10.0.1.128/25' })))).name, 'InvalidSubnet.Conflict');
    assert.equal((await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '10.0.2.0/29' })))).name, 'InvalidSubnet.Range');
    await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 2, MaxCount: 2, SubnetId: subnet.SubnetId! }));
    const d = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }));
    assert.equal(d.Subnets![0]!.AvailableIpAddressCount, 249);
  });

  it('a /28 subnet holds 11 instances: MinCount beyond that fails whole, MaxCount beyond it launches what fits', async () => {
    const ec2 = fresh();
    const { subnet } = await vpcWithSubnet(ec2, '10.0.0.0/16', '10.0.5.0/28');
    const launch = (min: number, max: number) => ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.nano', MinCount: min, MaxCount: max, SubnetId: subnet.SubnetId! }));
    const err = await rejects(launch(12, 12));
    assert.equal(err.name, 'InsufficientFreeAddressesInSubnet');
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }))).Subnets![0]!.AvailableIpAddressCount, 11, 'a failed launch takes nothing');
    const r = await launch(1, 20);
    assert.equal(r.Instances!.length, 11);
    assert.deepEqual(r.Instances!.map((i) => i.PrivateIpAddress).slice(0, 2), ['10.0.5.4', '10.0.5.5']);
  });

  it('what is in use cannot be deleted: DependencyViolation for a VPC with subnets, a subnet with instances, an attached gateway, a group in use', async () => {
    const ec2 = fresh();
    const { vpc, subnet } = await vpcWithSubnet(ec2);
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app tier', VpcId: vpc.VpcId! }));
    const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet.SubnetId!, SecurityGroupIds: [sg.GroupId!] }));
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId!, VpcId: vpc.VpcId! }));
    // The four run side by side; `rejects` takes each promise as it is made, so none rejects unobserved.
    const errors = await Promise.all([
      ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId! })),
      ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId! })),
      ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId! })),
      ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId! })),
    ].map(rejects));
    assert.deepEqual(errors.map((e) => e.name), ['DependencyViolation', 'DependencyViolation', 'DependencyViolation', 'DependencyViolation']);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run.Instances![0]!.InstanceId!] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId! }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId! }));
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId!, VpcId: vpc.VpcId! }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId! }));
    const left = await ec2.send(new DescribeVpcsCommand({}));
    assert.deepEqual(left.Vpcs!.map((v) => v.IsDefault), [true]);
  });

  it('a deleted default VPC comes back whole with `aws ec2 create-default-vpc`, and only once (DefaultVpcAlreadyExists)', async () => {
    const account = String(++accounts);
    const ec2 = new EC2Client(clientConfig(nimbus, { credentials: { accessKeyId: account, secretAccessKey: 'x' } }));
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
    for (const s of (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets!) {
      await ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    }
    const igw = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc] }] }))).InternetGateways![0]!.InternetGatewayId!;
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
    const launch = () => ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
    assert.equal((await rejects(launch())).name, 'VPCIdNotSpecified', 'without a default VPC a launch must name a subnet');

    const created = await aws(nimbus, ['ec2', 'create-default-vpc'], { AWS_ACCESS_KEY_ID: account });
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual([created.json.Vpc.CidrBlock, created.json.Vpc.IsDefault], ['172.31.0.0/16', true]);
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    assert.equal(subnets.length, 6);
    assert.ok(subnets.every((s) => s.VpcId === created.json.Vpc.VpcId && s.MapPublicIpOnLaunch));
    const instance = (await launch()).Instances![0]!;
    assert.equal(instance.VpcId, created.json.Vpc.VpcId);
    assert.ok(instance.PublicIpAddress, 'the new default subnets give public addresses again');
    const dup = await rejects(ec2.send(new CreateDefaultVpcCommand({})));
    assert.deepEqual([dup.name, dup.$metadata.httpStatusCode], ['DefaultVpcAlreadyExists', 400]);
  });

  it('a deleted default subnet comes back in its zone with `aws ec2 create-default-subnet`, in the first free /20; a zone that has one is refused', async () => {
    const ec2 = fresh();
    const zoneB = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }))).Subnets![0]!;
    await ec2.send(new DeleteSubnetCommand({ SubnetId: zoneB.SubnetId! }));
    const cli = await aws(nimbus, ['ec2', 'create-default-subnet', '--availability-zone', 'us-east-1b'], { AWS_ACCESS_KEY_ID: String(accounts) });
    assert.equal(cli.code, 0, cli.stderr);
    const back = cli.json.Subnet;
    assert.deepEqual([back.CidrBlock, back.DefaultForAz, back.MapPublicIpOnLaunch, back.AvailableIpAddressCount], [zoneB.CidrBlock, true, true, 4091]);
    const taken = await rejects(ec2.send(new CreateDefaultSubnetCommand({ AvailabilityZone: 'us-east-1a' })));
    assert.equal(taken.name, 'DefaultSubnetAlreadyExistsInAvailabilityZone');
    assert.equal((await rejects(ec2.send(new CreateDefaultSubnetCommand({ AvailabilityZone: 'us-east-1z' })))).name, 'InvalidParameterValue');
  });

  it('security group rules: a new group allows all egress, ingress rules get ids, a duplicate is InvalidPermission.Duplicate', async () => {
    const ec2 = fresh();
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web servers' }));
    const r = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId!, IpPermissions: [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24', Description: 'office' }] },
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ] }));
    assert.equal(r.SecurityGroupRules!.length, 2);
    assert.match(r.SecurityGroupRules![0]!.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
    const dup = await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId!, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' })));
    assert.equal(dup.name, 'InvalidPermission.Duplicate');
    assert.match(dup.message, /peer: 0\.0\.0\.0\/0, TCP, from port: 80, to port: 80, ALLOW/);
    const d = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg.GroupId!] }));
    const g = d.SecurityGroups![0]!;
    assert.deepEqual(g.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges![0]!.CidrIp]), [['tcp', 22, '203.0.113.0/24'], ['tcp', 80, '0.0.0.0/0']]);
    assert.deepEqual(g.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges![0]!.CidrIp]), [['-1', '0.0.0.0/0']]);
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg.GroupId!, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] }] }));
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [sg.GroupId!] }] }));
    assert.equal(rules.SecurityGroupRules!.filter((x) => !x.IsEgress).length, 1);
    const gone = await rejects(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg.GroupId!, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '203.0.113.0/24' })));
    assert.equal(gone.name, 'InvalidPermission.NotFound');
    const ports = await rejects(ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sg.GroupId!, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })));
    assert.equal(ports.name, 'InvalidParameterValue');
    assert.equal((await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again' })))).name, 'InvalidGroup.Duplicate');
    const defaults = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['default'] }));
    assert.equal((await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaults.SecurityGroups![0]!.GroupId! })))).name, 'CannotDelete');
    assert.equal((await rejects(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123456789abcdef0'] })))).name, 'InvalidGroup.NotFound');
  });

  it('ModifySecurityGroupRules changes a rule in place under its id; descriptions update by rule id', async () => {
    const ec2 = fresh();
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'database' }));
    const [rule] = (await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId!, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' }))).SecurityGroupRules!;
    await ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sg.GroupId!, SecurityGroupRules: [{ SecurityGroupRuleId: rule!.SecurityGroupRuleId!, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, CidrIpv4: '10.1.0.0/16' } }] }));
    await ec2.send(new UpdateSecurityGroupRuleDescriptionsIngressCommand({ GroupId: sg.GroupId!, SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: rule!.SecurityGroupRuleId!, Description: 'mysql from app' }] }));
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [rule!.SecurityGroupRuleId!] }));
    const r = rules.SecurityGroupRules![0]!;
    assert.deepEqual([r.FromPort, r.ToPort, r.CidrIpv4, r.Description], [3306, 3306, '10.1.0.0/16', 'mysql from app']);
    const missing = await rejects(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sg.GroupId!, SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0123456789abcdef0', SecurityGroupRule: { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' } }] })));
    assert.equal(missing.name, 'InvalidSecurityGroupRuleId.NotFound');
  });

  it('route tables: RouteAlreadyExists, a gateway of another VPC is refused, a route to a deleted NAT gateway becomes a blackhole', async () => {
    const ec2 = fresh();
    const { vpc, subnet } = await vpcWithSubnet(ec2);
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!;
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!;
    const foreign = await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId! })));
    assert.equal(foreign.name, 'InvalidParameterValue');
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId!, VpcId: vpc.VpcId! }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId! }));
    const dup = await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId! })));
    assert.equal(dup.name, 'RouteAlreadyExists');
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt.RouteTableId!, SubnetId: subnet.SubnetId! }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet.SubnetId!, AllocationId: eip.AllocationId! }))).NatGateway!;
    assert.equal(nat.State, 'pending');
    const d = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }));
    assert.equal(d.NatGateways![0]!.State, 'available');
    assert.equal(d.NatGateways![0]!.NatGatewayAddresses![0]!.PublicIp, eip.PublicIp);
    const privateRt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: privateRt.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId! }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId! }));
    const routes = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [privateRt.RouteTableId!] }));
    assert.equal(routes.RouteTables![0]!.Routes!.find((r) => r.NatGatewayId)!.State, 'blackhole');
    assert.equal((await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0]!.State, 'deleted');
  });

  it('network ACLs: a new one denies everything, numbered entries are unique, the default ACL cannot be deleted', async () => {
    const ec2 = fresh();
    const { vpc } = await vpcWithSubnet(ec2);
    const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpc.VpcId! }))).NetworkAcl!;
    assert.deepEqual(acl.Entries!.map((e) => [e.RuleNumber, e.RuleAction, e.Egress]), [[32767, 'deny', false], [32767, 'deny', true]]);
    await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId!, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.0.0/16', PortRange: { From: 443, To: 443 } }));
    const dup = await rejects(ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId!, RuleNumber: 100, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' })));
    assert.equal(dup.name, 'NetworkAclEntryAlreadyExists');
    const defaultAcl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'default', Values: ['true'] }] }))).NetworkAcls![0]!;
    assert.equal((await rejects(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: defaultAcl.NetworkAclId! })))).name, 'InvalidParameterValue');
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: acl.NetworkAclId! }));
  });

  it('VPC peering: overlapping CIDRs fail, an accepted connection carries traffic once both sides route to it', async () => {
    const ec2 = fresh();
    const a = await vpcWithSubnet(ec2, '10.1.0.0/16', '10.1.1.0/24');
    const b = await vpcWithSubnet(ec2, '10.2.0.0/16', '10.2.1.0/24');
    const c = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/20' }))).Vpc!;
    const bad = await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpc.VpcId!, PeerVpcId: c.VpcId! }));
    assert.equal(bad.VpcPeeringConnection!.Status!.Code, 'failed');
    const pcx = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpc.VpcId!, PeerVpcId: b.vpc.VpcId! }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    assert.equal((await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0]!.Status!.Code, 'pending-acceptance');
    const accepted = await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    assert.equal(accepted.VpcPeeringConnection!.Status!.Code, 'active');
    const launch = async (subnet: string) => (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }))).Instances![0]!;
    const [ia, ib] = [await launch(a.subnet.SubnetId!), await launch(b.subnet.SubnetId!)];
    const sgB = ib.SecurityGroups![0]!.GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sgB, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.1.0.0/16' }));
    const analyze = async (n: string) => {
      const path = await ec2.send(new CreateNetworkInsightsPathCommand({ Source: ia.InstanceId!, Destination: ib.InstanceId!, Protocol: 'tcp', DestinationPort: 443, ClientToken: n }));
      const run = await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPath!.NetworkInsightsPathId!, ClientToken: n }));
      return (await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [run.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!] }))).NetworkInsightsAnalyses![0]!;
    };
    const noRoute = await analyze('before-routes');
    assert.equal(noRoute.NetworkPathFound, false);
    assert.equal(noRoute.Explanations![0]!.ExplanationCode, 'NO_ROUTE_TO_DESTINATION');
    const main = async (vpcId: string) => (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: await main(a.vpc.VpcId!), DestinationCidrBlock: '10.2.0.0/16', VpcPeeringConnectionId: pcx }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: await main(b.vpc.VpcId!), DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: pcx }));
    const found = await analyze('after-routes');
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    assert.ok(found.ForwardPathComponents!.some((x) => x.Component!.Id === pcx));
  });

  it('a gateway endpoint for S3 adds a prefix-list route to its route tables and takes it away when deleted', async () => {
    const ec2 = fresh();
    const { vpc } = await vpcWithSubnet(ec2);
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!.RouteTableId!;
    const pl = (await ec2.send(new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.us-east-1.s3'] }] }))).PrefixLists![0]!;
    assert.equal(pl.PrefixListId, 'pl-63a5400a');
    const ep = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc.VpcId!, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rt] }))).VpcEndpoint!;
    const routes = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables![0]!.Routes!;
    assert.ok(routes.some((r) => r.DestinationPrefixListId === pl.PrefixListId && r.GatewayId === ep.VpcEndpointId && r.State === 'active'));
    const unknown = await rejects(ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc.VpcId!, ServiceName: 'com.amazonaws.us-east-1.nothing', RouteTableIds: [rt] })));
    assert.equal(unknown.name, 'InvalidServiceName');
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
    const after = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables![0]!.Routes!;
    assert.ok(!after.some((r) => r.DestinationPrefixListId));
  });

  it('a private instance reaches the internet through a NAT gateway, and not once the NAT gateway is deleted (blackhole)', async () => {
    const ec2 = fresh();
    const { vpc, subnet: pub } = await vpcWithSubnet(ec2);
    const priv = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc.VpcId! }));
    const pubRt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: pubRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: pubRt, SubnetId: pub.SubnetId! }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: pub.SubnetId!, AllocationId: eip.AllocationId! }))).NatGateway!.NatGatewayId!;
    const privRt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: privRt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privRt, SubnetId: priv.SubnetId! }));
    const app = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: priv.SubnetId! }))).Instances![0]!.InstanceId!;
    const analyze = async (n: string) => {
      const path = await ec2.send(new CreateNetworkInsightsPathCommand({ Source: app, Destination: igw, Protocol: 'tcp', DestinationPort: 443, ClientToken: n }));
      const run = await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPath!.NetworkInsightsPathId!, ClientToken: n }));
      return (await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [run.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!] }))).NetworkInsightsAnalyses![0]!;
    };
    const through = await analyze('with-nat');
    assert.equal(through.NetworkPathFound, true, JSON.stringify(through.Explanations));
    assert.ok(through.ForwardPathComponents!.some((c) => c.Component!.Id === nat));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
    const gone = await analyze('without-nat');
    assert.equal(gone.NetworkPathFound, false);
    assert.equal(gone.Explanations![0]!.ExplanationCode, 'BAD_STATE_ROUTE');
  });

  it('a second network interface attaches at a free device index in the same zone, and the primary one cannot be detached', async () => {
    const ec2 = fresh();
    const { subnet } = await vpcWithSubnet(ec2);
    const i = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet.SubnetId! }))).Instances![0]!;
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet.SubnetId!, Description: 'second' }))).NetworkInterface!;
    assert.equal(eni.Status, 'available');
    const taken = await rejects(ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId!, InstanceId: i.InstanceId!, DeviceIndex: 0 })));
    assert.equal(taken.name, 'InvalidParameterValue');
    const att = await ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId!, InstanceId: i.InstanceId!, DeviceIndex: 1 }));
    const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    assert.deepEqual(d.Reservations![0]!.Instances![0]!.NetworkInterfaces!.map((n) => n.Attachment!.DeviceIndex), [0, 1]);
    assert.equal((await rejects(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId! })))).name, 'InvalidNetworkInterface.InUse');
    const primary = d.Reservations![0]!.Instances![0]!.NetworkInterfaces![0]!.Attachment!.AttachmentId!;
    assert.equal((await rejects(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: primary })))).name, 'OperationNotPermitted');
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: att.AttachmentId! }));
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId! }));
  });

  it('Reachability Analyzer over the SDK: a path between two instances of the default VPC is found, naming the hops', async () => {
    const ec2 = fresh();
    const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 2, MaxCount: 2 }));
    const [a, b] = run.Instances!.map((i) => i.InstanceId!);
    const path = await ec2.send(new CreateNetworkInsightsPathCommand({ Source: a!, Destination: b!, Protocol: 'tcp', DestinationPort: 5432, ClientToken: 'p1' }));
    const started = await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPath!.NetworkInsightsPathId!, ClientToken: 'a1' }));
    assert.equal(started.NetworkInsightsAnalysis!.Status, 'running');
    const d = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!] }));
    const analysis = d.NetworkInsightsAnalyses![0]!;
    assert.equal(analysis.Status, 'succeeded');
    assert.equal(analysis.NetworkPathFound, true, JSON.stringify(analysis.Explanations));
    assert.ok(analysis.ForwardPathComponents!.some((c) => c.SecurityGroupRule?.SecurityGroupId?.startsWith('sg-')), 'the default group lets members reach each other');
    const err = await rejects(ec2.send(new CreateNetworkInsightsPathCommand({ Source: 'i-0123456789abcdef0', Destination: b!, Protocol: 'tcp', ClientToken: 'p2' })));
    assert.equal(err.name, 'InvalidInstanceID.NotFound');
  });

  it('the learner scenario with the CLI: public and private subnets, an ACL that explains a blocked port, and the internet reaching only what it should', async () => {
    const account = String(++accounts);
    const ec2 = new EC2Client(clientConfig(nimbus, { credentials: { accessKeyId: account, secretAccessKey: 'x' } }));
    const cli = async (...args: string[]) => {
      const r = await aws(nimbus, ['ec2', ...args], { AWS_ACCESS_KEY_ID: account });
      assert.equal(r.code, 0, `aws ec2 ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };
    // The SDK runs the many analyses (the CLI starts a Python process per call); one analysis goes through the CLI too.
    const analyze = async (source: string, destination: string, port: number) => {
      const path = await ec2.send(new CreateNetworkInsightsPathCommand({ Source: source, Destination: destination, Protocol: 'tcp', DestinationPort: port, ClientToken: `${source}-${destination}-${port}` }));
      const started = await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPath!.NetworkInsightsPathId!, ClientToken: 'x' }));
      const done = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!] }));
      return done.NetworkInsightsAnalyses![0]!;
    };

    const vpc = (await cli('create-vpc', '--cidr-block', '10.0.0.0/16')).Vpc.VpcId;
    const [publicSubnet, privateSubnet, gateway] = await Promise.all([
      ...['10.0.1.0/24', '10.0.2.0/24'].map((c) => cli('create-subnet', '--vpc-id', vpc, '--cidr-block', c, '--availability-zone', 'us-east-1a')),
      cli('create-internet-gateway'),
    ]);
    const [pub, priv, igw] = [publicSubnet.Subnet.SubnetId as string, privateSubnet.Subnet.SubnetId as string, gateway.InternetGateway.InternetGatewayId as string];
    await cli('attach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc);
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
    await cli('create-route', '--route-table-id', rt, '--destination-cidr-block', '0.0.0.0/0', '--gateway-id', igw);
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: pub }));
    const webSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpc }))).GroupId!;
    const appSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: appSg, IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: '10.0.1.0/24' }));
    const launch = (subnet: string, sg: string) => ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [sg] }));
    const web = (await launch(pub, webSg)).Instances![0]!.InstanceId!;
    const app = (await launch(priv, appSg)).Instances![0]!.InstanceId!;
    await cli('wait', 'instance-running', '--instance-ids', web, app);

    assert.equal((await analyze(web, app, 8080)).NetworkPathFound, true);

    const acl = (await cli('create-network-acl', '--vpc-id', vpc)).NetworkAcl.NetworkAclId;
    await Promise.all([
      cli('create-network-acl-entry', '--network-acl-id', acl, '--ingress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=8080,To=8080', '--cidr-block', '10.0.1.0/24', '--rule-action', 'allow'),
      cli('create-network-acl-entry', '--network-acl-id', acl, '--egress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=1024,To=65535', '--cidr-block', '10.0.1.0/24', '--rule-action', 'allow'),
    ]);
    const acls = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [priv] }] }));
    const assoc = acls.NetworkAcls![0]!.Associations!.find((a) => a.SubnetId === priv)!.NetworkAclAssociationId!;
    await cli('replace-network-acl-association', '--association-id', assoc, '--network-acl-id', acl);

    assert.equal((await analyze(web, app, 8080)).NetworkPathFound, true, 'the ACL lets 8080 in from the public subnet and the replies out');
    const path = await cli('create-network-insights-path', '--source', web, '--destination', app, '--protocol', 'tcp', '--destination-port', '22');
    const started = await cli('start-network-insights-analysis', '--network-insights-path-id', path.NetworkInsightsPath.NetworkInsightsPathId);
    const ssh = (await cli('describe-network-insights-analyses', '--network-insights-analysis-ids', started.NetworkInsightsAnalysis.NetworkInsightsAnalysisId)).NetworkInsightsAnalyses[0];
    assert.equal(ssh.NetworkPathFound, false);
    const why = ssh.Explanations.find((e: { ExplanationCode: string }) => e.ExplanationCode === 'SUBNET_ACL_RESTRICTION');
    assert.equal(why.Acl.Id, acl);
    assert.equal(why.Direction, 'ingress');
    assert.deepEqual([why.AclRule.RuleNumber, why.AclRule.RuleAction], [32767, 'deny']);

    const before80 = await analyze(igw, web, 80);
    assert.equal(before80.NetworkPathFound, false);
    assert.ok(before80.Explanations!.some((e) => e.ExplanationCode === 'ENI_SG_RULES_MISMATCH'));
    await cli('authorize-security-group-ingress', '--group-id', webSg, '--protocol', 'tcp', '--port', '80', '--cidr', '0.0.0.0/0');
    const noIp = await analyze(igw, web, 80);
    assert.equal(noIp.NetworkPathFound, false, 'without a public address the internet cannot reach it');
    assert.deepEqual(noIp.Explanations!.map((e) => e.ExplanationCode), ['NO_PUBLIC_IP']);
    const eip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    await cli('associate-address', '--allocation-id', eip, '--instance-id', web);
    assert.equal((await analyze(igw, web, 80)).NetworkPathFound, true);
    assert.equal((await analyze(igw, web, 22)).NetworkPathFound, false);
    assert.equal((await analyze(igw, app, 8080)).NetworkPathFound, false, 'the private instance is never reachable from the internet');
  });
});
