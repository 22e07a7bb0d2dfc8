import type { NetworkAcl, NetworkAclEntry, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import * as cidr from './cidr.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { mustVpc, newNacl, type Ctx } from './network.js';
import { all, get, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { NaclDoc } from './types.js';

/**
 * Network ACLs: numbered allow/deny rules per direction, evaluated in order, stateless. A new
 * ACL denies everything until rules are added; every subnet has exactly one ACL.
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
 */
const PROTOCOL_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58', all: '-1' };

function mustAcl(ctx: Ctx, id: string): NaclDoc {
  return must<NaclDoc>(ctx, id, 'InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`);
}

type EntryInput = { RuleNumber: number; Protocol: string; RuleAction: 'allow' | 'deny'; Egress: boolean; CidrBlock?: string; Ipv6CidrBlock?: string; PortRange?: { From?: number; To?: number }; IcmpTypeCode?: { Code?: number; Type?: number } };

function entry(input: EntryInput): NetworkAclEntry {
  if (input.RuleNumber < 1 || input.RuleNumber > 32766) {
    throw new AwsError('InvalidParameterValue', `Value (${input.RuleNumber}) for parameter ruleNumber is invalid. Rule numbers must be between 1 and 32766.`, { status: 400 });
  }
  const protocol = PROTOCOL_NUMBERS[input.Protocol.toLowerCase()] ?? input.Protocol;
  if (!/^-1$|^\d{1,3}$/.test(protocol) || Number(protocol) > 255) throw new AwsError('InvalidParameterValue', `Invalid value '${input.Protocol}' for protocol.`, { status: 400 });
  const block = input.CidrBlock ? cidr.parseCidr(input.CidrBlock) : undefined;
  if (!input.Ipv6CidrBlock && !block) throw new AwsError('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`, { status: 400 });
  const out: NetworkAclEntry = { RuleNumber: input.RuleNumber, Protocol: protocol, RuleAction: input.RuleAction, Egress: input.Egress, CidrBlock: block ? cidr.format(block) : undefined, Ipv6CidrBlock: input.Ipv6CidrBlock };
  if (protocol === '6' || protocol === '17') {
    const from = input.PortRange?.From;
    const to = input.PortRange?.To;
    if (from === undefined || to === undefined) throw new AwsError('InvalidParameterValue', 'TCP and UDP rules need a port range (PortRange From and To).', { status: 400 });
    if (from < 0 || to > 65535 || from > to) throw new AwsError('InvalidParameterValue', `Invalid port range ${from}-${to}.`, { status: 400 });
    out.PortRange = { From: from, To: to };
  }
  if (protocol === '1' || protocol === '58') out.IcmpTypeCode = { Type: input.IcmpTypeCode?.Type ?? -1, Code: input.IcmpTypeCode?.Code ?? -1 };
  return out;
}

const aclFields: Fields<NetworkAcl> = {
  'network-acl-id': (a) => a.NetworkAclId,
  'vpc-id': (a) => a.VpcId,
  default: (a) => a.IsDefault,
  'owner-id': (a) => a.OwnerId,
  'association.subnet-id': (a) => a.Associations?.map((x) => x.SubnetId),
  'association.association-id': (a) => a.Associations?.map((x) => x.NetworkAclAssociationId),
  'association.network-acl-id': (a) => a.Associations?.map((x) => x.NetworkAclId),
  'entry.rule-number': (a) => a.Entries?.map((e) => e.RuleNumber),
  'entry.rule-action': (a) => a.Entries?.map((e) => e.RuleAction),
  'entry.cidr': (a) => a.Entries?.map((e) => e.CidrBlock),
  'entry.egress': (a) => a.Entries?.map((e) => e.Egress),
  'entry.protocol': (a) => a.Entries?.map((e) => e.Protocol),
  'entry.port-range.from': (a) => a.Entries?.map((e) => e.PortRange?.From),
  'entry.port-range.to': (a) => a.Entries?.map((e) => e.PortRange?.To),
};

function sorted(acl: NaclDoc): NaclDoc {
  acl.Entries!.sort((a, b) => Number(a.Egress) - Number(b.Egress) || a.RuleNumber! - b.RuleNumber!);
  return acl;
}

export const handlers: Handlers<Operations> = {
  CreateNetworkAcl(input, ctx) {
    const acl = newNacl(ctx, mustVpc(ctx, input.VpcId).VpcId, false);
    const tags = tagOnCreate(ctx, acl.NetworkAclId, input.TagSpecifications);
    return { NetworkAcl: { ...acl, Tags: tags.length ? tags : undefined }, ClientToken: input.ClientToken };
  },

  DescribeNetworkAcls(input, ctx) {
    const acls = byIds(withTags(ctx, 'network-acl', all<NaclDoc>(ctx, 'network-acl'), (a) => a.NetworkAclId), input.NetworkAclIds, (a) => a.NetworkAclId, notFound('InvalidNetworkAclID.NotFound', 'networkAcl'));
    const { page, NextToken } = paginate(applyFilters(acls, input.Filters, aclFields), input.MaxResults, input.NextToken);
    return { NetworkAcls: page, NextToken };
  },

  DeleteNetworkAcl(input, ctx) {
    const acl = mustAcl(ctx, input.NetworkAclId);
    if (acl.IsDefault) throw new AwsError('InvalidParameterValue', `cannot delete default network ACL ${acl.NetworkAclId}`, { status: 400 });
    if (acl.Associations?.length) throw new AwsError('DependencyViolation', `The networkAcl '${acl.NetworkAclId}' has dependencies and cannot be deleted.`, { status: 400 });
    remove(ctx, acl.NetworkAclId);
  },

  CreateNetworkAclEntry(input, ctx) {
    const acl = mustAcl(ctx, input.NetworkAclId);
    const e = entry(input);
    if (acl.Entries!.some((x) => x.Egress === e.Egress && x.RuleNumber === e.RuleNumber)) {
      throw new AwsError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${e.RuleNumber} already exists.`, { status: 400 });
    }
    acl.Entries!.push(e);
    put(ctx, acl.NetworkAclId, sorted(acl));
  },

  ReplaceNetworkAclEntry(input, ctx) {
    const acl = mustAcl(ctx, input.NetworkAclId);
    const e = entry(input);
    const i = acl.Entries!.findIndex((x) => x.Egress === e.Egress && x.RuleNumber === e.RuleNumber);
    if (i < 0) throw new AwsError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${e.RuleNumber} does not exist.`, { status: 400 });
    acl.Entries![i] = e;
    put(ctx, acl.NetworkAclId, sorted(acl));
  },

  DeleteNetworkAclEntry(input, ctx) {
    const acl = mustAcl(ctx, input.NetworkAclId);
    const i = acl.Entries!.findIndex((x) => x.Egress === input.Egress && x.RuleNumber === input.RuleNumber);
    if (i < 0 || input.RuleNumber === 32767) throw new AwsError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${input.RuleNumber} does not exist.`, { status: 400 });
    acl.Entries!.splice(i, 1);
    put(ctx, acl.NetworkAclId, acl);
  },

  /** A subnet always has one ACL: associating another replaces the association and answers a new id. */
  ReplaceNetworkAclAssociation(input, ctx) {
    const to = mustAcl(ctx, input.NetworkAclId);
    const from = all<NaclDoc>(ctx, 'network-acl').find((a) => a.Associations?.some((x) => x.NetworkAclAssociationId === input.AssociationId));
    if (!from) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`, { status: 400 });
    if (from.VpcId !== to.VpcId) throw new AwsError('InvalidParameterValue', `Network ACL ${to.NetworkAclId} and association ${input.AssociationId} belong to different networks`, { status: 400 });
    const old = from.Associations!.find((x) => x.NetworkAclAssociationId === input.AssociationId)!;
    from.Associations = from.Associations!.filter((x) => x !== old);
    put(ctx, from.NetworkAclId, from);
    const fresh = get<NaclDoc>(ctx, to.NetworkAclId)!;
    const id = resourceId('aclassoc');
    fresh.Associations!.push({ NetworkAclAssociationId: id, NetworkAclId: fresh.NetworkAclId, SubnetId: old.SubnetId });
    put(ctx, fresh.NetworkAclId, fresh);
    return { NewAssociationId: id };
  },
};
