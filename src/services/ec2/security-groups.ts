import type { IpPermission, Operations, SecurityGroup, SecurityGroupRule } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { defaultVpc, mustVpc, newRuleId, newSecurityGroup, type Ctx } from './network.js';
import { all, get, put, remove, tagOnCreate, withTags } from './store.js';
import type { EniDoc, SecurityGroupDoc, SgRule } from './types.js';

/**
 * Security groups: allow-only rules on protocol, port range and a peer (CIDR or group), kept as
 * individual rules with ids (sgr-) and shown grouped as IpPermissions.
 * https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
const RULES_PER_DIRECTION = 60;
const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

export function findGroup(ctx: Ctx, groupId?: string, groupName?: string, vpcId?: string): SecurityGroupDoc {
  if (groupId) {
    const sg = get<SecurityGroupDoc>(ctx, groupId);
    if (!sg || !groupId.startsWith('sg-')) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`, { status: 400 });
    return sg;
  }
  const vpc = vpcId ?? defaultVpc(ctx)?.VpcId;
  const sg = all<SecurityGroupDoc>(ctx, 'security-group').find((g) => g.GroupName === groupName && g.VpcId === vpc);
  if (!sg) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupName}' does not exist in default VPC '${vpc ?? 'none'}'`, { status: 400 });
  return sg;
}

/** One IpPermission (or the legacy top-level parameters) as the rules it stands for, each checked. */
function rulesOf(ctx: Ctx, sg: SecurityGroupDoc, p: IpPermission, egress: boolean): SgRule[] {
  const raw = String(p.IpProtocol ?? '').toLowerCase();
  const proto = PROTOCOL_NAMES[raw] ?? raw;
  if (!['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(proto) && !(/^\d+$/.test(proto) && Number(proto) <= 255)) {
    throw new AwsError('InvalidParameterValue', `Invalid value '${p.IpProtocol}' for IP protocol. Unknown protocol.`, { status: 400 });
  }
  let from = -1;
  let to = -1;
  if (proto === 'tcp' || proto === 'udp') {
    if (p.FromPort === undefined || p.ToPort === undefined) {
      throw new AwsError('InvalidParameterValue', 'Invalid value \'Must specify both from and to ports with TCP/UDP.\' for portRange', { status: 400 });
    }
    if (p.FromPort < 0 || p.ToPort > 65535 || p.FromPort > p.ToPort) {
      throw new AwsError('InvalidParameterValue', `Invalid TCP/UDP port range ${p.FromPort}-${p.ToPort}: ports are 0 to 65535 and from must not exceed to.`, { status: 400 });
    }
    from = p.FromPort;
    to = p.ToPort;
  } else if (proto === 'icmp' || proto === 'icmpv6') {
    from = p.FromPort ?? -1;
    to = p.ToPort ?? -1;
  }
  const base = { IsEgress: egress, IpProtocol: proto, FromPort: from, ToPort: to };
  const out: SgRule[] = [];
  for (const r of p.IpRanges ?? []) {
    const b = cidr.parseCidr(r.CidrIp ?? '');
    if (!b) throw new AwsError('InvalidParameterValue', `CIDR block ${r.CidrIp} is malformed`, { status: 400 });
    out.push({ ...base, SecurityGroupRuleId: newRuleId(), CidrIpv4: cidr.format(b), Description: r.Description });
  }
  for (const r of p.Ipv6Ranges ?? []) out.push({ ...base, SecurityGroupRuleId: newRuleId(), CidrIpv6: r.CidrIpv6, Description: r.Description });
  for (const r of p.PrefixListIds ?? []) out.push({ ...base, SecurityGroupRuleId: newRuleId(), PrefixListId: r.PrefixListId, Description: r.Description });
  for (const pair of p.UserIdGroupPairs ?? []) {
    const peer = findGroup(ctx, pair.GroupId, pair.GroupName, sg.VpcId);
    out.push({ ...base, SecurityGroupRuleId: newRuleId(), ReferencedGroupId: peer.GroupId, Description: pair.Description });
  }
  if (out.length === 0) throw new AwsError('MissingParameter', 'No peer was given: name a CIDR range, a prefix list or a security group.', { status: 400 });
  return out;
}

function samePeer(a: SgRule, b: SgRule): boolean {
  return a.IsEgress === b.IsEgress && a.IpProtocol === b.IpProtocol && a.FromPort === b.FromPort && a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 && a.CidrIpv6 === b.CidrIpv6 && a.ReferencedGroupId === b.ReferencedGroupId && a.PrefixListId === b.PrefixListId;
}

function describeRule(r: SgRule): string {
  const peer = r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupId ?? r.PrefixListId;
  const proto = r.IpProtocol === '-1' ? 'ALL' : r.IpProtocol.toUpperCase();
  return `peer: ${peer}, ${proto}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
}

export function ruleOutput(sg: SecurityGroupDoc, r: SgRule): SecurityGroupRule {
  return {
    SecurityGroupRuleId: r.SecurityGroupRuleId, GroupId: sg.GroupId, GroupOwnerId: sg.OwnerId, IsEgress: r.IsEgress,
    IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, CidrIpv4: r.CidrIpv4, CidrIpv6: r.CidrIpv6, PrefixListId: r.PrefixListId,
    ReferencedGroupInfo: r.ReferencedGroupId ? { GroupId: r.ReferencedGroupId, UserId: sg.OwnerId } : undefined,
    Description: r.Description,
    SecurityGroupRuleArn: sg.SecurityGroupArn.replace(/security-group\/.*$/, `security-group-rule/${r.SecurityGroupRuleId}`),
  };
}

/** Rules grouped back into IpPermissions by protocol and port range, as DescribeSecurityGroups shows them. */
function permissions(sg: SecurityGroupDoc, egress: boolean): IpPermission[] {
  const out = new Map<string, IpPermission>();
  for (const r of sg._rules.filter((x) => x.IsEgress === egress)) {
    const key = `${r.IpProtocol}/${r.FromPort}/${r.ToPort}`;
    let p = out.get(key);
    if (!p) {
      p = { IpProtocol: r.IpProtocol, ...(r.IpProtocol === '-1' ? {} : { FromPort: r.FromPort, ToPort: r.ToPort }), IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      out.set(key, p);
    }
    if (r.CidrIpv4) p.IpRanges!.push({ CidrIp: r.CidrIpv4, Description: r.Description });
    if (r.CidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.CidrIpv6, Description: r.Description });
    if (r.PrefixListId) p.PrefixListIds!.push({ PrefixListId: r.PrefixListId, Description: r.Description });
    if (r.ReferencedGroupId) p.UserIdGroupPairs!.push({ GroupId: r.ReferencedGroupId, UserId: sg.OwnerId, Description: r.Description });
  }
  return [...out.values()];
}

function output(sg: SecurityGroupDoc & { Tags?: SecurityGroup['Tags'] }): SecurityGroup {
  return {
    GroupId: sg.GroupId, GroupName: sg.GroupName, Description: sg.Description, VpcId: sg.VpcId, OwnerId: sg.OwnerId,
    SecurityGroupArn: sg.SecurityGroupArn, IpPermissions: permissions(sg, false), IpPermissionsEgress: permissions(sg, true), Tags: sg.Tags,
  };
}

type AuthorizeInput = { GroupId?: string; GroupName?: string; IpPermissions?: IpPermission[]; IpProtocol?: string; FromPort?: number; ToPort?: number; CidrIp?: string; SourceSecurityGroupName?: string };

/** The legacy flat parameters (`--protocol tcp --port 22 --cidr ...`) are one IpPermission. */
function requested(input: AuthorizeInput): IpPermission[] {
  if (input.IpPermissions?.length) return input.IpPermissions;
  if (!input.IpProtocol && !input.CidrIp && !input.SourceSecurityGroupName) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions', { status: 400 });
  return [{
    IpProtocol: input.IpProtocol ?? '-1', FromPort: input.FromPort, ToPort: input.ToPort,
    IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
    UserIdGroupPairs: input.SourceSecurityGroupName ? [{ GroupName: input.SourceSecurityGroupName }] : [],
  }];
}

function authorize(ctx: Ctx, input: AuthorizeInput, egress: boolean) {
  const sg = findGroup(ctx, input.GroupId, input.GroupName);
  const added = requested(input).flatMap((p) => rulesOf(ctx, sg, p, egress));
  for (const r of added) {
    if (sg._rules.some((x) => samePeer(x, r)) || added.some((x) => x !== r && samePeer(x, r) && added.indexOf(x) < added.indexOf(r))) {
      throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`, { status: 400 });
    }
  }
  sg._rules.push(...added);
  if (sg._rules.filter((r) => r.IsEgress === egress).length > RULES_PER_DIRECTION) {
    throw new AwsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.', { status: 400 });
  }
  put(ctx, sg.GroupId, sg);
  return { Return: true, SecurityGroupRules: added.map((r) => ruleOutput(sg, r)) };
}

function revoke(ctx: Ctx, input: AuthorizeInput & { SecurityGroupRuleIds?: string[] }, egress: boolean) {
  const sg = findGroup(ctx, input.GroupId, input.GroupName);
  let gone: SgRule[];
  if (input.SecurityGroupRuleIds?.length) {
    gone = input.SecurityGroupRuleIds.map((id) => {
      const r = sg._rules.find((x) => x.SecurityGroupRuleId === id && x.IsEgress === egress);
      if (!r) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`, { status: 400 });
      return r;
    });
  } else {
    gone = requested(input).flatMap((p) => rulesOf(ctx, sg, p, egress)).map((wanted) => {
      const r = sg._rules.find((x) => samePeer(x, wanted));
      if (!r) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.', { status: 400 });
      return r;
    });
  }
  sg._rules = sg._rules.filter((r) => !gone.includes(r));
  put(ctx, sg.GroupId, sg);
  return { Return: true, RevokedSecurityGroupRules: gone.map((r) => ({ ...ruleOutput(sg, r), ReferencedSecurityGroupId: r.ReferencedGroupId })) };
}

/** New descriptions for existing rules, named by rule id or by the permission they stand for. */
function describeRules(ctx: Ctx, input: { GroupId?: string; GroupName?: string; IpPermissions?: IpPermission[]; SecurityGroupRuleDescriptions?: { SecurityGroupRuleId?: string; Description?: string }[] }, egress: boolean) {
  const sg = findGroup(ctx, input.GroupId, input.GroupName);
  for (const d of input.SecurityGroupRuleDescriptions ?? []) {
    const r = sg._rules.find((x) => x.SecurityGroupRuleId === d.SecurityGroupRuleId && x.IsEgress === egress);
    if (!r) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${d.SecurityGroupRuleId}' does not exist`, { status: 400 });
    r.Description = d.Description;
  }
  for (const p of input.IpPermissions ?? []) {
    for (const wanted of rulesOf(ctx, sg, p, egress)) {
      const r = sg._rules.find((x) => samePeer(x, wanted));
      if (!r) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.', { status: 400 });
      r.Description = wanted.Description;
    }
  }
  put(ctx, sg.GroupId, sg);
  return { Return: true };
}

const groupFields: Fields<SecurityGroup> = {
  'group-id': (g) => g.GroupId,
  'group-name': (g) => g.GroupName,
  description: (g) => g.Description,
  'vpc-id': (g) => g.VpcId,
  'owner-id': (g) => g.OwnerId,
  'ip-permission.protocol': (g) => g.IpPermissions?.map((p) => p.IpProtocol),
  'ip-permission.from-port': (g) => g.IpPermissions?.map((p) => p.FromPort),
  'ip-permission.to-port': (g) => g.IpPermissions?.map((p) => p.ToPort),
  'ip-permission.cidr': (g) => g.IpPermissions?.flatMap((p) => p.IpRanges?.map((r) => r.CidrIp) ?? []),
  'ip-permission.group-id': (g) => g.IpPermissions?.flatMap((p) => p.UserIdGroupPairs?.map((r) => r.GroupId) ?? []),
  'egress.ip-permission.protocol': (g) => g.IpPermissionsEgress?.map((p) => p.IpProtocol),
  'egress.ip-permission.from-port': (g) => g.IpPermissionsEgress?.map((p) => p.FromPort),
  'egress.ip-permission.to-port': (g) => g.IpPermissionsEgress?.map((p) => p.ToPort),
  'egress.ip-permission.cidr': (g) => g.IpPermissionsEgress?.flatMap((p) => p.IpRanges?.map((r) => r.CidrIp) ?? []),
};

const ruleFields: Fields<SecurityGroupRule> = {
  'group-id': (r) => r.GroupId,
  'security-group-rule-id': (r) => r.SecurityGroupRuleId,
};

export const handlers: Handlers<Operations> = {
  CreateSecurityGroup(input, ctx) {
    const vpc = input.VpcId ? mustVpc(ctx, input.VpcId) : defaultVpc(ctx);
    if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user', { status: 400 });
    if (input.GroupName.startsWith('sg-')) throw new AwsError('InvalidParameterValue', 'Group names may not be in the format sg-*.', { status: 400 });
    if (input.GroupName === 'default') throw new AwsError('InvalidGroup.Reserved', "The security group 'default' is reserved", { status: 400 });
    if (input.GroupName.length > 255 || input.Description.length > 255) throw new AwsError('InvalidParameterValue', 'Group names and descriptions are at most 255 characters.', { status: 400 });
    if (all<SecurityGroupDoc>(ctx, 'security-group').some((g) => g.VpcId === vpc.VpcId && g.GroupName === input.GroupName)) {
      throw new AwsError('InvalidGroup.Duplicate', `The security group '${input.GroupName}' already exists for VPC '${vpc.VpcId}'`, { status: 400 });
    }
    const sg = newSecurityGroup(ctx, vpc.VpcId, input.GroupName, input.Description);
    const tags = tagOnCreate(ctx, sg.GroupId, input.TagSpecifications);
    return { GroupId: sg.GroupId, SecurityGroupArn: sg.SecurityGroupArn, Tags: tags.length ? tags : undefined };
  },

  DescribeSecurityGroups(input, ctx) {
    let groups = withTags(ctx, 'security-group', all<SecurityGroupDoc>(ctx, 'security-group'), (g) => g.GroupId);
    groups = byIds(groups, input.GroupIds, (g) => g.GroupId, notFound('InvalidGroup.NotFound', 'security group'));
    if (input.GroupNames?.length) groups = input.GroupNames.map((n) => findGroup(ctx, undefined, n)).map((g) => groups.find((x) => x.GroupId === g.GroupId)!);
    const { page, NextToken } = paginate(applyFilters(groups.map(output), input.Filters, groupFields), input.MaxResults, input.NextToken);
    return { SecurityGroups: page, NextToken };
  },

  DeleteSecurityGroup(input, ctx) {
    const sg = findGroup(ctx, input.GroupId, input.GroupName);
    if (sg.GroupName === 'default') {
      throw new AwsError('CannotDelete', `the specified group: "${sg.GroupId}" name: "default" cannot be deleted by a user`, { status: 400 });
    }
    const referenced = all<SecurityGroupDoc>(ctx, 'security-group').some((g) => g.GroupId !== sg.GroupId && g._rules.some((r) => r.ReferencedGroupId === sg.GroupId));
    const attached = all<EniDoc>(ctx, 'network-interface').some((e) => e.Groups?.some((g) => g.GroupId === sg.GroupId));
    if (referenced || attached) throw new AwsError('DependencyViolation', `resource ${sg.GroupId} has a dependent object`, { status: 400 });
    remove(ctx, sg.GroupId);
    return { Return: true, GroupId: sg.GroupId };
  },

  AuthorizeSecurityGroupIngress: (input, ctx) => authorize(ctx, input, false),
  AuthorizeSecurityGroupEgress: (input, ctx) => authorize(ctx, input, true),
  RevokeSecurityGroupIngress: (input, ctx) => revoke(ctx, input, false),
  RevokeSecurityGroupEgress: (input, ctx) => revoke(ctx, input, true),

  UpdateSecurityGroupRuleDescriptionsIngress: (input, ctx) => describeRules(ctx, input, false),
  UpdateSecurityGroupRuleDescriptionsEgress: (input, ctx) => describeRules(ctx, input, true),

  /** Replaces rules in place, keeping their ids; a change that duplicates another rule is InvalidPermission.Duplicate. */
  ModifySecurityGroupRules(input, ctx) {
    const sg = findGroup(ctx, input.GroupId);
    for (const u of input.SecurityGroupRules) {
      const i = sg._rules.findIndex((x) => x.SecurityGroupRuleId === u.SecurityGroupRuleId);
      if (i < 0) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${u.SecurityGroupRuleId}' does not exist`, { status: 400 });
      const req = u.SecurityGroupRule ?? {};
      const old = sg._rules[i]!;
      const [next] = rulesOf(ctx, sg, {
        IpProtocol: req.IpProtocol, FromPort: req.FromPort, ToPort: req.ToPort,
        IpRanges: req.CidrIpv4 ? [{ CidrIp: req.CidrIpv4, Description: req.Description }] : [],
        Ipv6Ranges: req.CidrIpv6 ? [{ CidrIpv6: req.CidrIpv6, Description: req.Description }] : [],
        PrefixListIds: req.PrefixListId ? [{ PrefixListId: req.PrefixListId, Description: req.Description }] : [],
        UserIdGroupPairs: req.ReferencedGroupId ? [{ GroupId: req.ReferencedGroupId, Description: req.Description }] : [],
      }, old.IsEgress);
      const replaced = { ...next!, SecurityGroupRuleId: old.SecurityGroupRuleId };
      if (sg._rules.some((x, j) => j !== i && samePeer(x, replaced))) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(replaced)}" already exists`, { status: 400 });
      sg._rules[i] = replaced;
    }
    put(ctx, sg.GroupId, sg);
    return { Return: true };
  },

  DescribeSecurityGroupRules(input, ctx) {
    const rules = all<SecurityGroupDoc>(ctx, 'security-group').flatMap((g) => g._rules.map((r) => ruleOutput(g, r)));
    const chosen = byIds(rules, input.SecurityGroupRuleIds, (r) => r.SecurityGroupRuleId!, notFound('InvalidSecurityGroupRuleId.NotFound', 'security group rule'));
    const { page, NextToken } = paginate(applyFilters(chosen, input.Filters, ruleFields), input.MaxResults, input.NextToken);
    return { SecurityGroupRules: page, NextToken };
  },
};
