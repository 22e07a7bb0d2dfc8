import { randomBytes } from 'node:crypto';
import type { NetworkInterface, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { allocatePrivateIp, dnsName, mustSubnet, publicIp, type Ctx } from './network.js';
import { findGroup } from './security-groups.js';
import { catalog } from './instance-types.js';
import { all, get, getMany, put, remove, tagIndex, tagOnCreate } from './store.js';
import type { AddressDoc, EniDoc, InstanceDoc, SubnetDoc } from './types.js';

/**
 * Elastic network interfaces: what holds an instance's (or NAT gateway's) private and public
 * addresses and its security groups. The reachability analyzer reasons about these.
 */
export interface EniOptions {
  groups: string[];
  privateIp?: string;
  description?: string;
  interfaceType?: NetworkInterface['InterfaceType'];
  requesterManaged?: boolean;
}

export function newEni(ctx: Ctx, subnet: SubnetDoc, o: EniOptions): EniDoc {
  const ip = allocatePrivateIp(ctx, subnet, o.privateIp);
  const privateDns = dnsName(ip, ctx.region, 'ip');
  const eni: EniDoc = {
    NetworkInterfaceId: resourceId('eni'), SubnetId: subnet.SubnetId, VpcId: subnet.VpcId, AvailabilityZone: subnet.AvailabilityZone,
    Description: o.description ?? '', Groups: o.groups.map((id) => ({ GroupId: id, GroupName: findGroup(ctx, id).GroupName })),
    InterfaceType: o.interfaceType ?? 'interface', MacAddress: randomBytes(6).toString('hex').match(/../g)!.join(':').replace(/^../, '0e'),
    OwnerId: ctx.accountId, PrivateIpAddress: ip, PrivateDnsName: privateDns,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip, PrivateDnsName: privateDns }],
    SourceDestCheck: true, Status: 'available', RequesterManaged: o.requesterManaged ?? false, Ipv6Addresses: [],
  };
  put(ctx, eni.NetworkInterfaceId, eni);
  return eni;
}

/** Gives the interface a public address of Amazon's pool (auto-assigned, not an Elastic IP), or takes it away. */
export function setAutoPublicIp(ctx: Ctx, eni: EniDoc, on: boolean): void {
  if (eni.Association?.AllocationId) return;
  if (on) {
    const ip = publicIp();
    eni.Association = { PublicIp: ip, PublicDnsName: dnsName(ip, ctx.region, 'ec2'), IpOwnerId: 'amazon' };
  } else {
    delete eni.Association;
  }
  eni.PrivateIpAddresses![0]!.Association = eni.Association;
  put(ctx, eni.NetworkInterfaceId, eni);
}

export function mustEni(ctx: Ctx, id: string | undefined): EniDoc {
  const eni = id ? get<EniDoc>(ctx, id) : undefined;
  if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`, { status: 400 });
  return eni;
}

/** Deleting an interface releases its addresses; an Elastic IP on it goes back to unassociated. */
export function deleteEni(ctx: Ctx, eni: EniDoc): void {
  for (const addr of all<AddressDoc>(ctx, 'elastic-ip')) {
    if (addr.NetworkInterfaceId !== eni.NetworkInterfaceId) continue;
    delete addr.AssociationId; delete addr.InstanceId; delete addr.NetworkInterfaceId; delete addr.NetworkInterfaceOwnerId; delete addr.PrivateIpAddress;
    put(ctx, addr.AllocationId, addr);
  }
  remove(ctx, eni.NetworkInterfaceId);
}

const eniFields: Fields<NetworkInterface> = {
  'network-interface-id': (e) => e.NetworkInterfaceId,
  'subnet-id': (e) => e.SubnetId,
  'vpc-id': (e) => e.VpcId,
  'availability-zone': (e) => e.AvailabilityZone,
  'private-ip-address': (e) => e.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
  'addresses.private-ip-address': (e) => e.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
  'association.public-ip': (e) => e.Association?.PublicIp,
  'association.allocation-id': (e) => e.Association?.AllocationId,
  'attachment.instance-id': (e) => e.Attachment?.InstanceId,
  'attachment.status': (e) => e.Attachment?.Status,
  'group-id': (e) => e.Groups?.map((g) => g.GroupId),
  'group-name': (e) => e.Groups?.map((g) => g.GroupName),
  'interface-type': (e) => e.InterfaceType,
  'mac-address': (e) => e.MacAddress,
  'owner-id': (e) => e.OwnerId,
  'requester-managed': (e) => e.RequesterManaged,
  'source-dest-check': (e) => e.SourceDestCheck,
  status: (e) => e.Status,
  description: (e) => e.Description,
};

export const handlers: Handlers<Operations> = {
  CreateNetworkInterface(input, ctx) {
    const subnet = mustSubnet(ctx, input.SubnetId);
    const groups = input.Groups?.length ? input.Groups : [all<{ GroupId: string; GroupName: string; VpcId: string }>(ctx, 'security-group').find((g) => g.VpcId === subnet.VpcId && g.GroupName === 'default')!.GroupId];
    for (const g of groups) {
      if (findGroup(ctx, g).VpcId !== subnet.VpcId) throw new AwsError('InvalidParameter', `Security group ${g} and subnet ${subnet.SubnetId} belong to different networks.`, { status: 400 });
    }
    const eni = newEni(ctx, subnet, { groups, privateIp: input.PrivateIpAddress, description: input.Description });
    const tags = tagOnCreate(ctx, eni.NetworkInterfaceId, input.TagSpecifications);
    return { NetworkInterface: { ...eni, TagSet: tags.length ? tags : undefined } };
  },

  DescribeNetworkInterfaces(input, ctx) {
    const tags = tagIndex(ctx, 'network-interface');
    const enis = all<EniDoc>(ctx, 'network-interface').map((e) => ({ ...e, TagSet: tags.get(e.NetworkInterfaceId), Tags: tags.get(e.NetworkInterfaceId) }));
    const chosen = byIds(enis, input.NetworkInterfaceIds, (e) => e.NetworkInterfaceId, notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface'));
    const { page, NextToken } = paginate(applyFilters(chosen, input.Filters, eniFields), input.MaxResults, input.NextToken);
    return { NetworkInterfaces: page, NextToken };
  },

  DeleteNetworkInterface(input, ctx) {
    const eni = mustEni(ctx, input.NetworkInterfaceId);
    if (eni.Attachment) throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.NetworkInterfaceId}] in use.`, { status: 400 });
    deleteEni(ctx, eni);
  },

  /** A second interface for an instance in the same zone, at a free device index, within the type's interface limit. */
  AttachNetworkInterface(input, ctx) {
    const eni = mustEni(ctx, input.NetworkInterfaceId);
    const instance = get<InstanceDoc>(ctx, input.InstanceId);
    if (!instance || instance.State.Name === 'terminated') throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`, { status: 400 });
    if (instance.State.Name !== 'running' && instance.State.Name !== 'stopped') {
      throw new AwsError('IncorrectInstanceState', `The instance '${instance.InstanceId}' is not in a valid state for this operation.`, { status: 400 });
    }
    if (eni.Attachment) throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.NetworkInterfaceId}] in use.`, { status: 400 });
    if (eni.AvailabilityZone !== instance.AvailabilityZone) {
      throw new AwsError('InvalidParameterCombination', `You may not attach a network interface to an instance if they are not in the same availability zone`, { status: 400 });
    }
    const attached = getMany<EniDoc>(ctx, [instance._eni, ...(instance._secondaryEnis ?? [])]).filter((e) => e.Attachment?.InstanceId === instance.InstanceId);
    if (attached.some((e) => e.Attachment!.DeviceIndex === input.DeviceIndex)) {
      throw new AwsError('InvalidParameterValue', `Instance '${instance.InstanceId}' already has an interface attached at device index '${input.DeviceIndex}'.`, { status: 400 });
    }
    const limit = catalog(ctx).get(instance.InstanceType)?.NetworkInfo?.MaximumNetworkInterfaces ?? 1;
    if (attached.length >= limit) throw new AwsError('AttachmentLimitExceeded', `Interface count ${attached.length + 1} exceeds the limit for ${instance.InstanceType}`, { status: 400 });
    const id = resourceId('eni-attach');
    eni.Attachment = { AttachmentId: id, AttachTime: new Date(ctx.clock.now()), DeleteOnTermination: false, DeviceIndex: input.DeviceIndex, InstanceId: instance.InstanceId, InstanceOwnerId: ctx.accountId, Status: 'attached', NetworkCardIndex: input.NetworkCardIndex ?? 0 };
    eni.Status = 'in-use';
    put(ctx, eni.NetworkInterfaceId, eni);
    instance._secondaryEnis = [...(instance._secondaryEnis ?? []).filter((x) => x !== eni.NetworkInterfaceId), eni.NetworkInterfaceId];
    put(ctx, instance.InstanceId, instance);
    return { AttachmentId: id, NetworkCardIndex: input.NetworkCardIndex ?? 0 };
  },

  DetachNetworkInterface(input, ctx) {
    const eni = all<EniDoc>(ctx, 'network-interface').find((e) => e.Attachment?.AttachmentId === input.AttachmentId);
    if (!eni) throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${input.AttachmentId}' does not exist`, { status: 400 });
    if (eni.Attachment!.DeviceIndex === 0) throw new AwsError('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.', { status: 400 });
    delete eni.Attachment;
    eni.Status = 'available';
    put(ctx, eni.NetworkInterfaceId, eni);
  },

  ModifyNetworkInterfaceAttribute(input, ctx) {
    const eni = mustEni(ctx, input.NetworkInterfaceId);
    if (input.Groups?.length) {
      for (const g of input.Groups) if (findGroup(ctx, g).VpcId !== eni.VpcId) throw new AwsError('InvalidParameter', `Security group ${g} and interface ${eni.NetworkInterfaceId} belong to different networks.`, { status: 400 });
      eni.Groups = input.Groups.map((id) => ({ GroupId: id, GroupName: findGroup(ctx, id).GroupName }));
    }
    if (input.SourceDestCheck?.Value !== undefined) eni.SourceDestCheck = input.SourceDestCheck.Value;
    if (input.Description?.Value !== undefined) eni.Description = input.Description.Value;
    put(ctx, eni.NetworkInterfaceId, eni);
  },
};
