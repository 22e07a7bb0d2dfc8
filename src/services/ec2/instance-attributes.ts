import type { ModifyInstanceAttributeRequest, Operations, ResponseLaunchTemplateData } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { catalog, type InstanceTypeName } from './instance-types.js';
import { mustInstances } from './instances.js';
import { mustEni } from './interfaces.js';
import { findGroup } from './security-groups.js';
import { applyFilters, paginate } from './filters.js';
import { creditsFor, DEFAULT_METADATA, metadataOptions } from './launch.js';
import { all, get, put, tagsOf } from './store.js';
import type { EniDoc, InstanceDoc } from './types.js';
import { instanceVolumes } from './volumes.js';

/**
 * Instance attributes, one at a time as the API has them. The type and the user data change
 * only while the instance is stopped. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html
 */
function mustBeStopped(i: InstanceDoc): void {
  if (i.State.Name !== 'stopped') throw new AwsError('IncorrectInstanceState', `The instance '${i.InstanceId}' is not in the 'stopped' state.`, { status: 400 });
}

/** The legacy form (`Attribute` + `Value`) as the structured members. */
function normalized(input: ModifyInstanceAttributeRequest): ModifyInstanceAttributeRequest {
  if (!input.Attribute || input.Value === undefined) return input;
  const v = input.Value;
  const bool = { Value: v === 'true' };
  switch (input.Attribute) {
    case 'instanceType': return { ...input, InstanceType: { Value: v } };
    case 'disableApiTermination': return { ...input, DisableApiTermination: bool };
    case 'disableApiStop': return { ...input, DisableApiStop: bool };
    case 'instanceInitiatedShutdownBehavior': return { ...input, InstanceInitiatedShutdownBehavior: { Value: v } };
    case 'sourceDestCheck': return { ...input, SourceDestCheck: bool };
    case 'ebsOptimized': return { ...input, EbsOptimized: bool };
    case 'userData': return { ...input, UserData: { Value: Buffer.from(v, 'base64') } };
    default: throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`, { status: 400 });
  }
}

function modify(ctx: RequestContext, i: InstanceDoc, input: ModifyInstanceAttributeRequest): void {
  if (input.InstanceType?.Value !== undefined) {
    mustBeStopped(i);
    const info = catalog(ctx).get(input.InstanceType.Value);
    if (!info) throw new AwsError('InvalidParameterValue', `Invalid value '${input.InstanceType.Value}' for InstanceType.`, { status: 400 });
    if (!info.ProcessorInfo!.SupportedArchitectures!.includes(i.Architecture)) {
      throw new AwsError('InvalidParameterValue', `The instance type '${input.InstanceType.Value}' does not support the '${i.Architecture}' architecture of instance '${i.InstanceId}'.`, { status: 400 });
    }
    i.InstanceType = input.InstanceType.Value as InstanceTypeName;
    i._cpuCredits = info.BurstablePerformanceSupported ? (i._cpuCredits ?? creditsFor(i.InstanceType, undefined)) : undefined;
  }
  if (input.UserData?.Value !== undefined) {
    mustBeStopped(i);
    i.UserData = Buffer.from(input.UserData.Value).toString('base64');
  }
  if (input.DisableApiTermination?.Value !== undefined) i.DisableApiTermination = input.DisableApiTermination.Value;
  if (input.DisableApiStop?.Value !== undefined) i.DisableApiStop = input.DisableApiStop.Value;
  if (input.EbsOptimized?.Value !== undefined) i.EbsOptimized = input.EbsOptimized.Value;
  const behaviour = input.InstanceInitiatedShutdownBehavior?.Value;
  if (behaviour !== undefined) {
    if (behaviour !== 'stop' && behaviour !== 'terminate') throw new AwsError('InvalidParameterValue', `Value (${behaviour}) for parameter instanceInitiatedShutdownBehavior is invalid. Expected 'stop' or 'terminate'.`, { status: 400 });
    i.InstanceInitiatedShutdownBehavior = behaviour;
  }
  if (input.SourceDestCheck?.Value !== undefined || input.Groups?.length) {
    const eni = mustEni(ctx, i._eni);
    if (input.SourceDestCheck?.Value !== undefined) eni.SourceDestCheck = input.SourceDestCheck.Value;
    if (input.Groups?.length) {
      const groups = input.Groups.map((id) => findGroup(ctx, id));
      const foreign = groups.find((g) => g.VpcId !== eni.VpcId);
      if (foreign) throw new AwsError('InvalidParameterValue', `Security group ${foreign.GroupId} and instance ${i.InstanceId} belong to different networks.`, { status: 400 });
      eni.Groups = groups.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName }));
    }
    put(ctx, eni.NetworkInterfaceId, eni);
  }
}

/** Instances that can still change: not terminated (AWS answers IncorrectInstanceState for those). */
function liveInstances(ctx: RequestContext, ids: string[]): InstanceDoc[] {
  const docs = mustInstances(ctx, ids);
  const dead = docs.find((i) => i.State.Name === 'terminated' || i.State.Name === 'shutting-down');
  if (dead) throw new AwsError('IncorrectInstanceState', `The instance '${dead.InstanceId}' is not in a state from which it can be modified.`, { status: 400 });
  return docs;
}

/** Detailed (1-minute) CloudWatch monitoring: the call answers `pending` or `disabling`, the next read the settled state. */
function monitoring(ctx: RequestContext, ids: string[], on: boolean) {
  return liveInstances(ctx, ids).map((i) => {
    i.Monitoring = on ? 'enabled' : 'disabled';
    put(ctx, i.InstanceId, i);
    return { InstanceId: i.InstanceId, Monitoring: { State: on ? 'pending' as const : 'disabling' as const } };
  });
}

/**
 * An instance's launch parameters as launch template data, to make a template from it. As in AWS,
 * its interface keeps its id and address: a template made from this needs them taken out before it
 * can launch a second instance. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetLaunchTemplateData.html
 */
function launchTemplateData(ctx: RequestContext, i: InstanceDoc): ResponseLaunchTemplateData {
  const eni = get<EniDoc>(ctx, i._eni);
  const tags = tagsOf(ctx, i.InstanceId).filter((t) => !t.Key?.startsWith('aws:'));
  return {
    ImageId: i.ImageId, InstanceType: i.InstanceType, KeyName: i.KeyName, EbsOptimized: i.EbsOptimized, UserData: i.UserData,
    IamInstanceProfile: i.IamInstanceProfile ? { Arn: i.IamInstanceProfile.Arn } : undefined,
    BlockDeviceMappings: instanceVolumes(ctx, i).map((v) => {
      const a = v.Attachments!.find((x) => x.InstanceId === i.InstanceId)!;
      return {
        DeviceName: a.Device,
        Ebs: { Encrypted: v.Encrypted, DeleteOnTermination: a.DeleteOnTermination, SnapshotId: v.SnapshotId || undefined, VolumeSize: v.Size, VolumeType: v.VolumeType, Iops: v.Iops, Throughput: v.Throughput },
      };
    }),
    NetworkInterfaces: eni ? [{
      DeviceIndex: 0, NetworkCardIndex: 0, NetworkInterfaceId: eni.NetworkInterfaceId, SubnetId: eni.SubnetId, Description: eni.Description,
      Groups: eni.Groups?.map((g) => g.GroupId!), AssociatePublicIpAddress: i._autoPublicIp, DeleteOnTermination: eni.Attachment?.DeleteOnTermination ?? true,
      PrivateIpAddress: eni.PrivateIpAddress, PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: eni.PrivateIpAddress }], Ipv6Addresses: [],
    }] : undefined,
    Monitoring: { Enabled: i.Monitoring === 'enabled' }, Placement: { AvailabilityZone: i.AvailabilityZone, GroupName: '', Tenancy: i.Tenancy as 'default' },
    DisableApiTermination: i.DisableApiTermination, DisableApiStop: i.DisableApiStop, InstanceInitiatedShutdownBehavior: i.InstanceInitiatedShutdownBehavior,
    TagSpecifications: tags.length ? [{ ResourceType: 'instance', Tags: tags }] : undefined,
    MetadataOptions: i._metadata ?? DEFAULT_METADATA, CreditSpecification: i._cpuCredits ? { CpuCredits: i._cpuCredits } : undefined,
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' }, HibernationOptions: { Configured: false }, EnclaveOptions: { Enabled: false },
    PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: 'default' },
  };
}

export const handlers: Handlers<Operations> = {
  GetLaunchTemplateData(input, ctx) {
    const [i] = mustInstances(ctx, [input.InstanceId]);
    return { LaunchTemplateData: launchTemplateData(ctx, i!) };
  },

  MonitorInstances: (input, ctx) => ({ InstanceMonitorings: monitoring(ctx, input.InstanceIds, true) }),
  UnmonitorInstances: (input, ctx) => ({ InstanceMonitorings: monitoring(ctx, input.InstanceIds, false) }),

  /** New options answer `pending` and apply from the next read (DESIGN.md §3). */
  ModifyInstanceMetadataOptions(input, ctx) {
    const [i] = liveInstances(ctx, [input.InstanceId]);
    const { InstanceId: _id, DryRun: _dry, ...asked } = input;
    i!._metadata = metadataOptions(asked, i!._metadata ?? DEFAULT_METADATA);
    put(ctx, i!.InstanceId, i!);
    return { InstanceId: i!.InstanceId, InstanceMetadataOptions: { State: 'pending', ...i!._metadata } };
  },

  /** Only burstable (T) instances have a credit specification; the others are left out, as in AWS. */
  DescribeInstanceCreditSpecifications(input, ctx) {
    const docs = input.InstanceIds?.length ? mustInstances(ctx, input.InstanceIds) : all<InstanceDoc>(ctx, 'instance');
    const specs = docs.filter((i) => i._cpuCredits && i.State.Name !== 'terminated').map((i) => ({ InstanceId: i.InstanceId, CpuCredits: i._cpuCredits }));
    const { page, NextToken } = paginate(applyFilters(specs, input.Filters, { 'instance-id': (s) => s.InstanceId }), input.MaxResults, input.NextToken);
    return { InstanceCreditSpecifications: page, NextToken };
  },

  ModifyInstanceCreditSpecification(input, ctx) {
    const ok: { InstanceId: string }[] = [];
    const failed: { InstanceId: string; Error: { Code: 'InvalidInstanceID.NotFound' | 'IncorrectInstanceState' | 'InvalidInstanceID.Malformed' | 'InstanceCreditSpecification.NotSupported'; Message: string } }[] = [];
    for (const spec of input.InstanceCreditSpecifications) {
      const i = get<InstanceDoc>(ctx, spec.InstanceId);
      if (!i) failed.push({ InstanceId: spec.InstanceId, Error: { Code: 'InvalidInstanceID.NotFound', Message: `The instance ID '${spec.InstanceId}' does not exist` } });
      else if (!i._cpuCredits) failed.push({ InstanceId: spec.InstanceId, Error: { Code: 'InstanceCreditSpecification.NotSupported', Message: `The instance type ${i.InstanceType} does not support CPU credits.` } });
      else {
        i._cpuCredits = creditsFor(i.InstanceType, spec.CpuCredits);
        put(ctx, i.InstanceId, i);
        ok.push({ InstanceId: i.InstanceId });
      }
    }
    return { SuccessfulInstanceCreditSpecifications: ok, UnsuccessfulInstanceCreditSpecifications: failed };
  },

  ModifyInstanceAttribute(input, ctx) {
    const [i] = mustInstances(ctx, [input.InstanceId]);
    if (i!.State.Name === 'terminated') throw new AwsError('IncorrectInstanceState', `The instance '${i!.InstanceId}' is terminated.`, { status: 400 });
    modify(ctx, i!, normalized(input));
    put(ctx, i!.InstanceId, i!);
  },

  DescribeInstanceAttribute(input, ctx) {
    const [i] = mustInstances(ctx, [input.InstanceId]);
    const out = { InstanceId: i!.InstanceId };
    switch (input.Attribute) {
      case 'instanceType': return { ...out, InstanceType: { Value: i!.InstanceType } };
      case 'userData': return { ...out, UserData: { Value: i!.UserData } };
      case 'disableApiTermination': return { ...out, DisableApiTermination: { Value: i!.DisableApiTermination } };
      case 'disableApiStop': return { ...out, DisableApiStop: { Value: i!.DisableApiStop } };
      case 'instanceInitiatedShutdownBehavior': return { ...out, InstanceInitiatedShutdownBehavior: { Value: i!.InstanceInitiatedShutdownBehavior } };
      case 'rootDeviceName': return { ...out, RootDeviceName: { Value: i!.RootDeviceName } };
      case 'ebsOptimized': return { ...out, EbsOptimized: { Value: i!.EbsOptimized } };
      case 'enaSupport': return { ...out, EnaSupport: { Value: true } };
      case 'productCodes': return { ...out, ProductCodes: [] };
      case 'sourceDestCheck': return { ...out, SourceDestCheck: { Value: mustEni(ctx, i!._eni).SourceDestCheck } };
      case 'groupSet': return { ...out, Groups: mustEni(ctx, i!._eni).Groups };
      case 'blockDeviceMapping': return {
        ...out,
        BlockDeviceMappings: instanceVolumes(ctx, i!).map((v) => {
          const a = v.Attachments!.find((x) => x.InstanceId === i!.InstanceId)!;
          return { DeviceName: a.Device, Ebs: { VolumeId: v.VolumeId, Status: a.State === 'attached' ? 'attached' : 'attaching', AttachTime: a.AttachTime, DeleteOnTermination: a.DeleteOnTermination } };
        }),
      };
      default: throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Nimbus does not describe it.`, { status: 400 });
    }
  },
};
