import type { DhcpOptions, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { defaultVpc, mustVpc, type Ctx } from './network.js';
import { all, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { DhcpDoc, VpcDoc } from './types.js';

/**
 * DHCP option sets. Each region has the set AWS creates with the account (the region's domain
 * name and AmazonProvidedDNS), which VPCs use until another is associated.
 * https://docs.aws.amazon.com/vpc/latest/userguide/VPC_DHCP_Options.html
 */
const KEYS = ['domain-name', 'domain-name-servers', 'ntp-servers', 'netbios-name-servers', 'netbios-node-type', 'ipv6-address-preferred-lease-time'];

export function newDefaultDhcpOptions(ctx: Ctx): DhcpDoc {
  const domain = ctx.region === 'us-east-1' ? 'ec2.internal' : `${ctx.region}.compute.internal`;
  const doc: DhcpDoc = {
    DhcpOptionsId: resourceId('dopt'), OwnerId: ctx.accountId, _default: true,
    DhcpConfigurations: [{ Key: 'domain-name', Values: [{ Value: domain }] }, { Key: 'domain-name-servers', Values: [{ Value: 'AmazonProvidedDNS' }] }],
  };
  put(ctx, doc.DhcpOptionsId, doc);
  return doc;
}

export function defaultDhcpOptionsId(ctx: Ctx): string | undefined {
  return all<DhcpDoc>(ctx, 'dhcp-options').find((d) => d._default)?.DhcpOptionsId;
}

const fields: Fields<DhcpOptions> = {
  'dhcp-options-id': (d) => d.DhcpOptionsId,
  key: (d) => d.DhcpConfigurations?.map((c) => c.Key),
  value: (d) => d.DhcpConfigurations?.flatMap((c) => c.Values?.map((v) => v.Value) ?? []),
  'owner-id': (d) => d.OwnerId,
};

export const handlers: Handlers<Operations> = {
  CreateDhcpOptions(input, ctx) {
    for (const c of input.DhcpConfigurations) {
      if (!KEYS.includes(c.Key ?? '')) throw new AwsError('InvalidParameterValue', `Value (${c.Key}) for parameter name is invalid. Unknown DHCP option`, { status: 400 });
    }
    const doc: DhcpDoc = {
      DhcpOptionsId: resourceId('dopt'), OwnerId: ctx.accountId, _default: false,
      DhcpConfigurations: input.DhcpConfigurations.map((c) => ({ Key: c.Key, Values: (c.Values ?? []).map((Value) => ({ Value })) })),
    };
    put(ctx, doc.DhcpOptionsId, doc);
    const tags = tagOnCreate(ctx, doc.DhcpOptionsId, input.TagSpecifications);
    return { DhcpOptions: { ...doc, Tags: tags.length ? tags : undefined } };
  },

  /** `default` as the id detaches any set: the VPC then has no DHCP options. */
  AssociateDhcpOptions(input, ctx) {
    const vpc = mustVpc(ctx, input.VpcId);
    if (input.DhcpOptionsId !== 'default') must<DhcpDoc>(ctx, input.DhcpOptionsId, 'InvalidDhcpOptionID.NotFound', `The dhcpOption ID '${input.DhcpOptionsId}' does not exist`);
    put(ctx, vpc.VpcId, { ...vpc, DhcpOptionsId: input.DhcpOptionsId });
  },

  DeleteDhcpOptions(input, ctx) {
    must<DhcpDoc>(ctx, input.DhcpOptionsId, 'InvalidDhcpOptionID.NotFound', `The dhcpOption ID '${input.DhcpOptionsId}' does not exist`);
    if (all<VpcDoc>(ctx, 'vpc').some((v) => v.DhcpOptionsId === input.DhcpOptionsId)) {
      throw new AwsError('DependencyViolation', `The dhcpOptions '${input.DhcpOptionsId}' has dependencies and cannot be deleted.`, { status: 400 });
    }
    remove(ctx, input.DhcpOptionsId);
  },

  DescribeDhcpOptions(input, ctx) {
    const list = byIds(withTags(ctx, 'dhcp-options', all<DhcpDoc>(ctx, 'dhcp-options'), (d) => d.DhcpOptionsId), input.DhcpOptionsIds, (d) => d.DhcpOptionsId, notFound('InvalidDhcpOptionID.NotFound', 'dhcpOption'));
    const { page, NextToken } = paginate(applyFilters(list, input.Filters, fields), input.MaxResults, input.NextToken);
    return { DhcpOptions: page, NextToken };
  },

  /** What `aws ec2 describe-account-attributes` and Terraform read first: VPC-only platforms and the default VPC. */
  DescribeAccountAttributes(input, ctx) {
    const attributes = [
      { AttributeName: 'supported-platforms', AttributeValues: [{ AttributeValue: 'VPC' }] },
      { AttributeName: 'default-vpc', AttributeValues: [{ AttributeValue: defaultVpc(ctx)?.VpcId ?? 'none' }] },
      { AttributeName: 'max-elastic-ips', AttributeValues: [{ AttributeValue: '5' }] },
      { AttributeName: 'vpc-max-elastic-ips', AttributeValues: [{ AttributeValue: '5' }] },
      { AttributeName: 'vpc-max-security-groups-per-interface', AttributeValues: [{ AttributeValue: '5' }] },
    ];
    const names = input.AttributeNames as string[] | undefined;
    return { AccountAttributes: names?.length ? attributes.filter((a) => names.includes(a.AttributeName)) : attributes };
  },
};
