import type { Operations, TagDescription } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, paginate, type Fields } from './filters.js';
import { findImage } from './images.js';
import { allTags, deleteTags, exists, resourceType, setTags, type Scope } from './store.js';

/** Tags on any EC2 resource. AWS names the missing resource by its type: InvalidInstanceID.NotFound, InvalidVpcID.NotFound, ... */
const NOT_FOUND: Record<string, [string, string]> = {
  instance: ['InvalidInstanceID.NotFound', 'instance'], vpc: ['InvalidVpcID.NotFound', 'vpc'], subnet: ['InvalidSubnetID.NotFound', 'subnet'],
  'security-group': ['InvalidGroup.NotFound', 'security group'], 'route-table': ['InvalidRouteTableID.NotFound', 'route table'],
  'internet-gateway': ['InvalidInternetGatewayID.NotFound', 'internet gateway'], natgateway: ['NatGatewayNotFound', 'nat gateway'],
  'network-acl': ['InvalidNetworkAclID.NotFound', 'network acl'], 'elastic-ip': ['InvalidAllocationID.NotFound', 'allocation'],
  volume: ['InvalidVolume.NotFound', 'volume'], snapshot: ['InvalidSnapshot.NotFound', 'snapshot'], image: ['InvalidAMIID.NotFound', 'image'],
  'key-pair': ['InvalidKeyPair.NotFound', 'key pair'], 'network-interface': ['InvalidNetworkInterfaceID.NotFound', 'network interface'],
  'dhcp-options': ['InvalidDhcpOptionID.NotFound', 'dhcpOption'], 'launch-template': ['InvalidLaunchTemplateId.NotFound', 'launch template'],
};

function mustTaggable(s: Scope, id: string): void {
  const type = resourceType(id);
  // Launch template versions cannot be tagged; their ids are Nimbus's own.
  if (!type || type === 'launch-template-version') throw new AwsError('InvalidID', `The ID '${id}' is not valid`, { status: 400 });
  if (exists(s, id)) return;
  if (type === 'image' && findImage(s, id)) throw new AwsError('AuthFailure', `You are not authorized to tag ${id}: it belongs to another account.`, { status: 400 });
  const [code, noun] = NOT_FOUND[type] ?? ['InvalidID', type];
  throw new AwsError(code, `The ${noun} ID '${id}' does not exist`, { status: 400 });
}

const tagFields: Fields<TagDescription & { Tags?: undefined }> = {
  key: (t) => t.Key,
  value: (t) => t.Value,
  'resource-id': (t) => t.ResourceId,
  'resource-type': (t) => t.ResourceType,
};

export const handlers: Handlers<Operations> = {
  CreateTags(input, ctx) {
    ctx.db.transaction(() => {
      for (const id of input.Resources) mustTaggable(ctx, id);
      for (const id of input.Resources) setTags(ctx, id, input.Tags);
    })();
  },

  DeleteTags(input, ctx) {
    for (const id of input.Resources) mustTaggable(ctx, id);
    for (const id of input.Resources) deleteTags(ctx, id, input.Tags);
  },

  DescribeTags(input, ctx) {
    const tags = allTags(ctx) as (TagDescription & { Tags?: undefined })[];
    const { page, NextToken } = paginate(applyFilters(tags, input.Filters, tagFields), input.MaxResults, input.NextToken, { min: 5, max: 1000 });
    return { Tags: page, NextToken };
  },
};
