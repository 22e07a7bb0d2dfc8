import type { Filter, Instance, InstanceNetworkInterface, InstanceStateChange, InstanceStatus, Operations, Reservation, Tag } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { applyFilters, paginate, type Fields } from './filters.js';
import { catalog } from './instance-types.js';
import { deleteEni, setAutoPublicIp } from './interfaces.js';
import { DEFAULT_METADATA, launchOne, plan } from './launch.js';
import { fromLaunchTemplate } from './launch-templates.js';
import { dueAt, instanceState, type Transition } from './lifecycle.js';
import { all, get, getMany, idsTagged, put, remove, setSystemTags, tagIndex, tagsOf, withClientToken } from './store.js';
import type { EniDoc, InstanceDoc, VolumeDoc } from './types.js';
import { instanceVolumes } from './volumes.js';

/**
 * Instances and their lifecycle: pending -> running, stopping -> stopped, shutting-down ->
 * terminated (visible for an hour), with termination and stop protection.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 */
type Ctx = RequestContext;

export function mustInstances(ctx: Ctx, ids: string[]): InstanceDoc[] {
  const bad = ids.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
  if (bad) throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${bad}"`, { status: 400 });
  const found = ids.map((id) => get<InstanceDoc>(ctx, id));
  const missing = ids.filter((_, i) => !found[i]);
  if (missing.length === 1) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`, { status: 400 });
  if (missing.length > 1) throw new AwsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`, { status: 400 });
  return found as InstanceDoc[];
}

function nicOutput(eni: EniDoc): InstanceNetworkInterface {
  const association = (a: EniDoc['Association']) => (a ? { PublicIp: a.PublicIp, PublicDnsName: a.PublicDnsName, IpOwnerId: a.IpOwnerId } : undefined);
  return {
    NetworkInterfaceId: eni.NetworkInterfaceId, SubnetId: eni.SubnetId, VpcId: eni.VpcId, Description: eni.Description, OwnerId: eni.OwnerId, Status: eni.Status,
    MacAddress: eni.MacAddress, PrivateIpAddress: eni.PrivateIpAddress, PrivateDnsName: eni.PrivateDnsName, SourceDestCheck: eni.SourceDestCheck, Groups: eni.Groups,
    Attachment: { AttachmentId: eni.Attachment?.AttachmentId, DeviceIndex: eni.Attachment?.DeviceIndex, Status: 'attached', AttachTime: eni.Attachment?.AttachTime, DeleteOnTermination: eni.Attachment?.DeleteOnTermination, NetworkCardIndex: 0 },
    Association: association(eni.Association),
    PrivateIpAddresses: eni.PrivateIpAddresses?.map((p) => ({ Primary: p.Primary, PrivateIpAddress: p.PrivateIpAddress, PrivateDnsName: p.PrivateDnsName, Association: association(p.Association) })),
    Ipv6Addresses: [], InterfaceType: 'interface',
  };
}

/** The instance as Describe shows it: addresses and groups from its interfaces, block devices from its volumes. */
function output(ctx: Ctx, i: InstanceDoc, eni: EniDoc | undefined, secondary: EniDoc[], volumes: VolumeDoc[], tags: Tag[] | undefined): Instance {
  const info = catalog(ctx).get(i.InstanceType);
  const live = i.State.Name !== 'terminated';
  const publicIp = live ? eni?.Association?.PublicIp : undefined;
  return {
    InstanceId: i.InstanceId, ImageId: i.ImageId, State: i.State, PrivateDnsName: live ? eni?.PrivateDnsName : '', PublicDnsName: publicIp ? eni?.Association?.PublicDnsName : '',
    StateTransitionReason: i.StateTransitionReason, StateReason: i.StateReason, KeyName: i.KeyName, AmiLaunchIndex: i.AmiLaunchIndex, ProductCodes: [],
    InstanceType: i.InstanceType, LaunchTime: new Date(i.LaunchTime),
    Placement: { AvailabilityZone: i.AvailabilityZone, GroupName: '', Tenancy: i.Tenancy as 'default' },
    Monitoring: { State: i.Monitoring }, SubnetId: live ? i.SubnetId : undefined, VpcId: live ? i.VpcId : undefined,
    PrivateIpAddress: live ? eni?.PrivateIpAddress : undefined, PublicIpAddress: publicIp, Architecture: i.Architecture,
    RootDeviceType: 'ebs', RootDeviceName: i.RootDeviceName, VirtualizationType: 'hvm', Hypervisor: 'xen', EnaSupport: true, SourceDestCheck: eni?.SourceDestCheck ?? true,
    BlockDeviceMappings: volumes.flatMap((v) => v.Attachments!.filter((a) => a.InstanceId === i.InstanceId).map((a) => ({
      DeviceName: a.Device, Ebs: { AttachTime: a.AttachTime, DeleteOnTermination: a.DeleteOnTermination, Status: a.State === 'attached' ? 'attached' : 'attaching', VolumeId: v.VolumeId },
    }))),
    ClientToken: i.ClientToken ?? '', Tags: tags, SecurityGroups: live ? eni?.Groups : [],
    NetworkInterfaces: live && eni ? [eni, ...secondary].map(nicOutput) : [],
    EbsOptimized: i.EbsOptimized, IamInstanceProfile: i.IamInstanceProfile, Platform: i.Platform, PlatformDetails: i.PlatformDetails,
    UsageOperation: i.Platform ? 'RunInstances:0002' : 'RunInstances', UsageOperationUpdateTime: new Date(i.LaunchTime),
    CpuOptions: { CoreCount: info?.VCpuInfo?.DefaultCores, ThreadsPerCore: info?.VCpuInfo?.DefaultThreadsPerCore },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' }, HibernationOptions: { Configured: false },
    MetadataOptions: { State: 'applied', ...(i._metadata ?? DEFAULT_METADATA) },
    EnclaveOptions: { Enabled: false }, BootMode: i.Architecture === 'arm64' ? 'uefi' : undefined, CurrentInstanceBootMode: i.Architecture === 'arm64' ? 'uefi' : 'legacy-bios',
    PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: 'default', RebootMigration: 'default' },
  };
}

/** The instances with what Describe needs: their interfaces, volumes and tags. */
function described(ctx: Ctx, docs: InstanceDoc[]): (Instance & { _reservation: string })[] {
  const enis = new Map(getMany<EniDoc>(ctx, docs.flatMap((i) => [i._eni, ...(i._secondaryEnis ?? [])])).map((e) => [e.NetworkInterfaceId, e]));
  const volumes = new Map(getMany<VolumeDoc>(ctx, docs.flatMap((i) => i._volumes)).map((v) => [v.VolumeId, v]));
  // A page of instances asks for its own tags; a whole fleet reads the tag table once.
  const tags = docs.length < 500 ? new Map(docs.map((i) => [i.InstanceId, tagsOf(ctx, i.InstanceId)])) : tagIndex(ctx, 'instance');
  return docs.map((i) => {
    const attached = i._volumes.map((id) => volumes.get(id)).filter((v): v is VolumeDoc => !!v);
    const own = tags.get(i.InstanceId);
    const secondary = (i._secondaryEnis ?? []).map((id) => enis.get(id)).filter((e): e is EniDoc => e?.Attachment?.InstanceId === i.InstanceId);
    return { ...output(ctx, i, enis.get(i._eni), secondary, attached, own?.length ? own : undefined), _reservation: i.ReservationId };
  });
}

/**
 * The instances a DescribeInstances call can match. Exact `tag:` filters are answered from the
 * tag index first, so a filter over many thousands of instances reads only the matching ones.
 */
function isExactTag(f: Filter): boolean {
  return !!f.Name?.startsWith('tag:') && !!f.Values?.length && !f.Values.some((v) => /[*?]/.test(v));
}

/** The ids of the instances that every exact tag filter matches, oldest first; undefined when there is no such filter. */
function taggedIds(ctx: Ctx, filters: Filter[]): string[] | undefined {
  let ids: string[] | undefined;
  for (const f of filters) {
    if (!isExactTag(f)) continue;
    const tagged = idsTagged(ctx, 'instance', f.Name!.slice(4), f.Values!);
    if (ids) {
      const also = new Set(tagged);
      ids = ids.filter((id) => also.has(id));
    } else ids = tagged;
  }
  return ids;
}

/** Filters the stored instance answers without its interfaces or volumes: applied before describing. */
const storedFields: Fields<InstanceDoc> = {
  'instance-id': (i) => i.InstanceId,
  'instance-state-name': (i) => i.State.Name,
  'instance-state-code': (i) => i.State.Code,
  'instance-type': (i) => i.InstanceType,
  'image-id': (i) => i.ImageId,
  'key-name': (i) => i.KeyName,
  'availability-zone': (i) => i.AvailabilityZone,
  'reservation-id': (i) => i.ReservationId,
  architecture: (i) => i.Architecture,
};

const instanceFields: Fields<Instance> = {
  'instance-id': (i) => i.InstanceId,
  'instance-state-name': (i) => i.State?.Name,
  'instance-state-code': (i) => i.State?.Code,
  'instance-type': (i) => i.InstanceType,
  'image-id': (i) => i.ImageId,
  'key-name': (i) => i.KeyName,
  'vpc-id': (i) => i.VpcId,
  'subnet-id': (i) => i.SubnetId,
  'private-ip-address': (i) => i.PrivateIpAddress,
  'ip-address': (i) => i.PublicIpAddress,
  'private-dns-name': (i) => i.PrivateDnsName,
  'dns-name': (i) => i.PublicDnsName,
  'availability-zone': (i) => i.Placement?.AvailabilityZone,
  architecture: (i) => i.Architecture,
  'launch-index': (i) => i.AmiLaunchIndex,
  'launch-time': (i) => i.LaunchTime?.toISOString(),
  'root-device-type': (i) => i.RootDeviceType,
  'root-device-name': (i) => i.RootDeviceName,
  tenancy: (i) => i.Placement?.Tenancy,
  platform: (i) => i.Platform?.toLowerCase(),
  'platform-details': (i) => i.PlatformDetails,
  'client-token': (i) => i.ClientToken,
  'iam-instance-profile.arn': (i) => i.IamInstanceProfile?.Arn,
  'instance.group-id': (i) => i.SecurityGroups?.map((g) => g.GroupId),
  'instance.group-name': (i) => i.SecurityGroups?.map((g) => g.GroupName),
  'network-interface.network-interface-id': (i) => i.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
  'block-device-mapping.volume-id': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeId),
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings?.map((b) => b.DeviceName),
  'monitoring-state': (i) => i.Monitoring?.State,
  'state-reason-code': (i) => i.StateReason?.Code,
  reason: (i) => i.StateTransitionReason,
};

function reservations(ctx: Ctx, list: (Instance & { _reservation: string })[]): Reservation[] {
  const out = new Map<string, Reservation>();
  for (const { _reservation, ...i } of list) {
    let r = out.get(_reservation);
    if (!r) out.set(_reservation, (r = { ReservationId: _reservation, OwnerId: ctx.accountId, Groups: [], Instances: [] }));
    r.Instances!.push(i);
  }
  return [...out.values()];
}

function userReason(ctx: Ctx): string {
  return `User initiated (${new Date(ctx.clock.now()).toISOString().replace('T', ' ').slice(0, 19)} GMT)`;
}

/**
 * Moves each instance whose state allows it; the transition settles on the next request.
 * `change` answers `changed`, `same` (already there: AWS answers without error) or `invalid`.
 */
function transition(ctx: Ctx, ids: string[], verb: string, timing: Transition, change: (i: InstanceDoc) => 'changed' | 'same' | 'invalid'): InstanceStateChange[] {
  const docs = mustInstances(ctx, ids);
  return docs.map((i) => {
    const previous = i.State;
    const outcome = change(i);
    if (outcome === 'invalid') throw new AwsError('IncorrectInstanceState', `The instance '${i.InstanceId}' is not in a state from which it can be ${verb}.`, { status: 400 });
    if (outcome === 'changed') put(ctx, i.InstanceId, i, dueAt(ctx, timing));
    return { InstanceId: i.InstanceId, PreviousState: previous, CurrentState: i.State };
  });
}

function eniOf(ctx: Ctx, i: InstanceDoc): EniDoc | undefined {
  return get<EniDoc>(ctx, i._eni);
}

export const handlers: Handlers<Operations> = {
  RunInstances(input, ctx) {
    if (input.ClientToken) {
      const earlier = withClientToken<InstanceDoc>(ctx, 'instance', input.ClientToken);
      if (earlier.length > 0) return reservations(ctx, described(ctx, earlier))[0]!;
    }
    const { request, tags } = fromLaunchTemplate(ctx, input);
    const p = plan(ctx, request);
    const reservationId = resourceId('r');
    const launched = ctx.db.transaction(() => {
      const out: InstanceDoc[] = [];
      for (let n = 0; n < input.MaxCount; n++) {
        try {
          const instance = launchOne(ctx, request, p, reservationId, n);
          setSystemTags(ctx, instance.InstanceId, tags);
          out.push(instance);
        } catch (e) {
          // Up to MaxCount where capacity allows, but at least MinCount or nothing. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
          if (n >= input.MinCount) break;
          throw e;
        }
      }
      return out;
    })();
    return reservations(ctx, described(ctx, launched))[0]!;
  },

  DescribeInstances(input, ctx) {
    if (input.InstanceIds?.length && input.MaxResults !== undefined) {
      throw new AwsError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults', { status: 400 });
    }
    const filters = input.Filters ?? [];
    const early = filters.filter((f) => storedFields[f.Name ?? '']);
    const byId = !!input.InstanceIds?.length;
    // Exact tag filters narrowed the candidates already, unless the ids chose them.
    const late = filters.filter((f) => !storedFields[f.Name ?? ''] && (byId || !isExactTag(f)));
    const tagged = byId ? undefined : taggedIds(ctx, filters);
    if (tagged && early.length === 0 && late.length === 0) {
      // The tag index answered every filter: only the page's instances are read.
      const { page, NextToken } = paginate(tagged, input.MaxResults, input.NextToken);
      return { Reservations: reservations(ctx, described(ctx, getMany<InstanceDoc>(ctx, page))), NextToken };
    }
    const candidates = byId ? mustInstances(ctx, input.InstanceIds!) : tagged ? getMany<InstanceDoc>(ctx, tagged) : all<InstanceDoc>(ctx, 'instance');
    const docs = applyFilters(candidates, early, storedFields);
    if (late.length === 0) {
      // Every filter is answered already: describe only the page.
      const { page, NextToken } = paginate(docs, input.MaxResults, input.NextToken);
      return { Reservations: reservations(ctx, described(ctx, page)), NextToken };
    }
    const { page, NextToken } = paginate(applyFilters(described(ctx, docs), late, instanceFields), input.MaxResults, input.NextToken);
    return { Reservations: reservations(ctx, page), NextToken };
  },

  StopInstances(input, ctx) {
    for (const i of mustInstances(ctx, input.InstanceIds)) {
      if (i.DisableApiStop) throw new AwsError('OperationNotPermitted', `The instance '${i.InstanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`, { status: 400 });
    }
    const StoppingInstances = transition(ctx, input.InstanceIds, 'stopped', 'instance-stop', (i) => {
      if (i.State.Name === 'stopped' || i.State.Name === 'stopping') return 'same';
      if (i.State.Name !== 'running') return 'invalid';
      i.State = instanceState('stopping');
      i.StateTransitionReason = userReason(ctx);
      const eni = eniOf(ctx, i);
      if (eni) setAutoPublicIp(ctx, eni, false);
      return 'changed';
    });
    return { StoppingInstances };
  },

  StartInstances(input, ctx) {
    const StartingInstances = transition(ctx, input.InstanceIds, 'started', 'instance-start', (i) => {
      if (i.State.Name === 'running' || i.State.Name === 'pending') return 'same';
      if (i.State.Name !== 'stopped') return 'invalid';
      i.State = instanceState('pending');
      i.StateTransitionReason = '';
      delete i.StateReason;
      const eni = eniOf(ctx, i);
      if (eni && i._autoPublicIp) setAutoPublicIp(ctx, eni, true);
      return 'changed';
    });
    return { StartingInstances };
  },

  TerminateInstances(input, ctx) {
    for (const i of mustInstances(ctx, input.InstanceIds)) {
      if (i.DisableApiTermination && i.State.Name !== 'terminated') {
        throw new AwsError('OperationNotPermitted', `The instance '${i.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`, { status: 400 });
      }
    }
    const TerminatingInstances = transition(ctx, input.InstanceIds, 'terminated', 'instance-terminate', (i) => {
      if (i.State.Name === 'terminated' || i.State.Name === 'shutting-down') return 'same';
      i.State = instanceState('shutting-down');
      i.StateTransitionReason = userReason(ctx);
      i._terminatedAt = ctx.clock.now();
      releaseResources(ctx, i);
      return 'changed';
    });
    return { TerminatingInstances };
  },

  RebootInstances(input, ctx) {
    for (const i of mustInstances(ctx, input.InstanceIds)) {
      if (i.State.Name !== 'running') throw new AwsError('IncorrectInstanceState', `The instance '${i.InstanceId}' is not in a state from which it can be rebooted.`, { status: 400 });
    }
  },

  DescribeInstanceStatus(input, ctx) {
    const docs = input.InstanceIds?.length ? mustInstances(ctx, input.InstanceIds) : all<InstanceDoc>(ctx, 'instance');
    const shown = input.IncludeAllInstances ? docs : docs.filter((i) => i.State.Name === 'running');
    const statuses: InstanceStatus[] = shown.map((i) => {
      const running = i.State.Name === 'running';
      const check: InstanceStatus['InstanceStatus'] = { Status: running ? 'ok' : 'not-applicable', Details: running ? [{ Name: 'reachability', Status: 'passed' }] : [] };
      return { InstanceId: i.InstanceId, AvailabilityZone: i.AvailabilityZone, InstanceState: i.State, InstanceStatus: check, SystemStatus: check, AttachedEbsStatus: check, Events: [] };
    });
    const fields: Fields<InstanceStatus> = {
      'instance-state-name': (s) => s.InstanceState?.Name,
      'instance-state-code': (s) => s.InstanceState?.Code,
      'availability-zone': (s) => s.AvailabilityZone,
      'instance-status.status': (s) => s.InstanceStatus?.Status,
      'system-status.status': (s) => s.SystemStatus?.Status,
      'instance-status.reachability': (s) => s.InstanceStatus?.Details?.map((d) => d.Status),
    };
    const { page, NextToken } = paginate(applyFilters(statuses, input.Filters, fields), input.MaxResults, input.NextToken);
    return { InstanceStatuses: page, NextToken };
  },
};

/** Termination deletes the volumes marked DeleteOnTermination, detaches the others, and releases the interface and its addresses. */
function releaseResources(ctx: Ctx, i: InstanceDoc): void {
  for (const vol of instanceVolumes(ctx, i)) {
    const a = vol.Attachments!.find((x) => x.InstanceId === i.InstanceId)!;
    vol.Attachments = vol.Attachments!.filter((x) => x !== a);
    if (a.DeleteOnTermination && vol.Attachments.length === 0) remove(ctx, vol.VolumeId);
    else put(ctx, vol.VolumeId, { ...vol, State: vol.Attachments.length ? 'in-use' : 'available' });
  }
  const eni = eniOf(ctx, i);
  if (eni) deleteEni(ctx, eni);
  for (const other of getMany<EniDoc>(ctx, i._secondaryEnis ?? [])) {
    if (other.Attachment?.InstanceId !== i.InstanceId) continue;
    delete other.Attachment;
    put(ctx, other.NetworkInterfaceId, { ...other, Status: 'available' });
  }
}
