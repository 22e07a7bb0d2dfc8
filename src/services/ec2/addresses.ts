import type { Address, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, type Fields } from './filters.js';
import { mustEni, setAutoPublicIp } from './interfaces.js';
import { dnsName, publicIp, type Ctx } from './network.js';
import { all, get, must, put, remove, tagOnCreate, withTags } from './store.js';
import type { AddressDoc, EniDoc, IgwDoc, InstanceDoc } from './types.js';

/**
 * Elastic IP addresses: five per region by default; one association at a time, moved only with
 * AllowReassociation; usable only in a VPC with an internet gateway.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html
 */
const ADDRESS_LIMIT = 5;

export function mustAddress(ctx: Ctx, allocationId: string | undefined): AddressDoc {
  return must<AddressDoc>(ctx, allocationId ?? '', 'InvalidAllocationID.NotFound', `The allocation ID '${allocationId}' does not exist`);
}

/** Puts the address on an interface's primary private IP (replacing an auto-assigned public IP). */
export function associate(ctx: Ctx, addr: AddressDoc, eni: EniDoc, instanceId?: string): string {
  const associationId = resourceId('eipassoc');
  for (const other of all<AddressDoc>(ctx, 'elastic-ip')) {
    if (other.NetworkInterfaceId === eni.NetworkInterfaceId && other.AllocationId !== addr.AllocationId) disassociate(ctx, other, false);
  }
  Object.assign(addr, { AssociationId: associationId, NetworkInterfaceId: eni.NetworkInterfaceId, NetworkInterfaceOwnerId: eni.OwnerId, PrivateIpAddress: eni.PrivateIpAddress, InstanceId: instanceId });
  put(ctx, addr.AllocationId, addr);
  const fresh = get<EniDoc>(ctx, eni.NetworkInterfaceId)!;
  fresh.Association = { PublicIp: addr.PublicIp, PublicDnsName: dnsName(addr.PublicIp, ctx.region, 'ec2'), IpOwnerId: ctx.accountId, AllocationId: addr.AllocationId, AssociationId: associationId };
  fresh.PrivateIpAddresses![0]!.Association = fresh.Association;
  put(ctx, fresh.NetworkInterfaceId, fresh);
  return associationId;
}

/** Takes the address off its interface; a running instance that had a public IP at launch gets a new one, as in AWS. */
export function disassociate(ctx: Ctx, addr: AddressDoc, restorePublicIp = true): void {
  const eni = addr.NetworkInterfaceId ? get<EniDoc>(ctx, addr.NetworkInterfaceId) : undefined;
  if (eni) {
    delete eni.Association;
    delete eni.PrivateIpAddresses![0]!.Association;
    put(ctx, eni.NetworkInterfaceId, eni);
    const instance = eni.Attachment?.InstanceId ? get<InstanceDoc>(ctx, eni.Attachment.InstanceId) : undefined;
    if (restorePublicIp && instance?._autoPublicIp && instance.State.Name === 'running') setAutoPublicIp(ctx, eni, true);
  }
  for (const k of ['AssociationId', 'InstanceId', 'NetworkInterfaceId', 'NetworkInterfaceOwnerId', 'PrivateIpAddress'] as const) delete addr[k];
  put(ctx, addr.AllocationId, addr);
}

const addressFields: Fields<Address> = {
  'allocation-id': (a) => a.AllocationId,
  'association-id': (a) => a.AssociationId,
  domain: (a) => a.Domain,
  'instance-id': (a) => a.InstanceId,
  'network-interface-id': (a) => a.NetworkInterfaceId,
  'network-interface-owner-id': (a) => a.NetworkInterfaceOwnerId,
  'private-ip-address': (a) => a.PrivateIpAddress,
  'public-ip': (a) => a.PublicIp,
  'network-border-group': (a) => a.NetworkBorderGroup,
};

export const handlers: Handlers<Operations> = {
  AllocateAddress(input, ctx) {
    if (all<AddressDoc>(ctx, 'elastic-ip').length >= ADDRESS_LIMIT) throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.', { status: 400 });
    const addr: AddressDoc = { AllocationId: resourceId('eipalloc'), PublicIp: publicIp(), Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: ctx.region };
    put(ctx, addr.AllocationId, addr);
    tagOnCreate(ctx, addr.AllocationId, input.TagSpecifications);
    return { AllocationId: addr.AllocationId, PublicIp: addr.PublicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: ctx.region };
  },

  AssociateAddress(input, ctx) {
    const addr = input.AllocationId ? mustAddress(ctx, input.AllocationId) : all<AddressDoc>(ctx, 'elastic-ip').find((a) => a.PublicIp === input.PublicIp);
    if (!addr) throw new AwsError('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`, { status: 400 });
    let instance: InstanceDoc | undefined;
    let eni: EniDoc;
    if (input.InstanceId) {
      instance = get<InstanceDoc>(ctx, input.InstanceId);
      if (!instance || instance.State.Name === 'terminated') throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`, { status: 400 });
      if (instance.State.Name !== 'running' && instance.State.Name !== 'stopped') {
        throw new AwsError('IncorrectInstanceState', `The instance '${instance.InstanceId}' is not in a valid state for this operation.`, { status: 400 });
      }
      eni = mustEni(ctx, instance._eni);
    } else if (input.NetworkInterfaceId) {
      eni = mustEni(ctx, input.NetworkInterfaceId);
      instance = eni.Attachment?.InstanceId ? get<InstanceDoc>(ctx, eni.Attachment.InstanceId) : undefined;
    } else {
      throw new AwsError('MissingParameter', 'Either instance ID or network interface id must be specified', { status: 400 });
    }
    if (addr.AssociationId && addr.NetworkInterfaceId !== eni.NetworkInterfaceId && !input.AllowReassociation) {
      throw new AwsError('Resource.AlreadyAssociated', `resource ${addr.AllocationId} is already associated with associate-id ${addr.AssociationId}`, { status: 400 });
    }
    if (!all<IgwDoc>(ctx, 'internet-gateway').some((g) => g.Attachments?.some((a) => a.VpcId === eni.VpcId))) {
      throw new AwsError('Gateway.NotAttached', `Network ${eni.VpcId} is not attached to any internet gateway`, { status: 400 });
    }
    if (addr.AssociationId) disassociate(ctx, addr, true);
    return { AssociationId: associate(ctx, addr, eni, instance?.InstanceId) };
  },

  DisassociateAddress(input, ctx) {
    const addr = all<AddressDoc>(ctx, 'elastic-ip').find((a) => (input.AssociationId ? a.AssociationId === input.AssociationId : a.PublicIp === input.PublicIp && !!a.AssociationId));
    if (!addr) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? input.PublicIp}' does not exist`, { status: 400 });
    if (addr.NetworkInterfaceId && get<EniDoc>(ctx, addr.NetworkInterfaceId)?.InterfaceType === 'natGateway') {
      throw new AwsError('InvalidIPAddress.InUse', `The address ${addr.PublicIp} is in use by a NAT gateway; delete the NAT gateway instead.`, { status: 400 });
    }
    disassociate(ctx, addr);
  },

  ReleaseAddress(input, ctx) {
    const addr = input.AllocationId ? mustAddress(ctx, input.AllocationId) : all<AddressDoc>(ctx, 'elastic-ip').find((a) => a.PublicIp === input.PublicIp);
    if (!addr) throw new AwsError('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`, { status: 400 });
    if (addr.AssociationId) throw new AwsError('InvalidIPAddress.InUse', `The address with allocation id [${addr.AllocationId}] is in use.`, { status: 400 });
    remove(ctx, addr.AllocationId);
  },

  DescribeAddresses(input, ctx) {
    let addrs = withTags(ctx, 'elastic-ip', all<AddressDoc>(ctx, 'elastic-ip'), (a) => a.AllocationId);
    for (const id of input.AllocationIds ?? []) mustAddress(ctx, id);
    for (const ip of input.PublicIps ?? []) {
      if (!addrs.some((a) => a.PublicIp === ip)) throw new AwsError('InvalidAddress.NotFound', `Address '${ip}' not found.`, { status: 400 });
    }
    if (input.AllocationIds?.length) addrs = addrs.filter((a) => input.AllocationIds!.includes(a.AllocationId));
    if (input.PublicIps?.length) addrs = addrs.filter((a) => input.PublicIps!.includes(a.PublicIp));
    return { Addresses: applyFilters(addrs, input.Filters, addressFields) };
  },
};
