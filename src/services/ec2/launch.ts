import { createHash } from 'node:crypto';
import type { IamInstanceProfileSpecification, InstanceMetadataOptionsRequest, RunInstancesRequest } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { RequestContext } from '../service.js';
import { mustImage } from './images.js';
import { catalog, type InstanceTypeName } from './instance-types.js';
import { newEni, setAutoPublicIp } from './interfaces.js';
import { mustKeyPair } from './keypairs.js';
import { dueAt, instanceState } from './lifecycle.js';
import { defaultVpc, mustSubnet } from './network.js';
import { findGroup } from './security-groups.js';
import { mustSnapshot } from './snapshots.js';
import { all, put, tagOnCreate } from './store.js';
import type { ImageDoc, InstanceDoc, MetadataOptions, SecurityGroupDoc, SubnetDoc } from './types.js';
import { attach, newVolume } from './volumes.js';

/**
 * What RunInstances decides before it creates anything: the AMI and type (and that their
 * architectures agree), the subnet (given, or the default subnet of the zone), the security
 * groups (of that subnet's VPC), the key pair, and the block devices (the AMI's, overridden).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
 */
const USER_DATA_LIMIT = 16 * 1024;

export interface LaunchPlan {
  image: ImageDoc;
  type: InstanceTypeName;
  subnet: SubnetDoc;
  groups: string[];
  publicIp: boolean;
}

function chooseSubnet(ctx: RequestContext, input: RunInstancesRequest): SubnetDoc {
  const nic = input.NetworkInterfaces?.[0];
  const id = input.SubnetId ?? nic?.SubnetId;
  if (id) {
    const subnet = mustSubnet(ctx, id);
    const zone = input.Placement?.AvailabilityZone;
    if (zone && zone !== subnet.AvailabilityZone) {
      throw new AwsError('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnet '${subnet.SubnetId}' is in the availability zone ${subnet.AvailabilityZone}`, { status: 400 });
    }
    return subnet;
  }
  const vpc = defaultVpc(ctx);
  if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.', { status: 400 });
  const defaults = all<SubnetDoc>(ctx, 'subnet').filter((s) => s.VpcId === vpc.VpcId && s.DefaultForAz);
  const zone = input.Placement?.AvailabilityZone;
  const subnet = zone ? defaults.find((s) => s.AvailabilityZone === zone) : defaults[0];
  if (!subnet) throw new AwsError('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. The default VPC has no subnet there.`, { status: 400 });
  return subnet;
}

function chooseGroups(ctx: RequestContext, input: RunInstancesRequest, subnet: SubnetDoc): string[] {
  const ids = [...(input.SecurityGroupIds ?? []), ...(input.NetworkInterfaces?.[0]?.Groups ?? [])];
  const groups = [...ids.map((id) => findGroup(ctx, id)), ...(input.SecurityGroups ?? []).map((name) => findGroup(ctx, undefined, name, subnet.VpcId))];
  for (const g of groups) {
    if (g.VpcId !== subnet.VpcId) throw new AwsError('InvalidParameter', `Security group ${g.GroupId} and subnet ${subnet.SubnetId} belong to different networks.`, { status: 400 });
  }
  if (groups.length === 0) groups.push(all<SecurityGroupDoc>(ctx, 'security-group').find((g) => g.VpcId === subnet.VpcId && g.GroupName === 'default')!);
  return [...new Set(groups.map((g) => g.GroupId))];
}

export function plan(ctx: RequestContext, input: RunInstancesRequest): LaunchPlan {
  if (!input.ImageId) throw new AwsError('MissingParameter', 'The request must contain the parameter ImageId', { status: 400 });
  if (input.MinCount < 1 || input.MaxCount < input.MinCount) {
    throw new AwsError('InvalidParameterValue', `Value (${input.MinCount}, ${input.MaxCount}) for MinCount and MaxCount is invalid: MinCount must be at least 1 and MaxCount at least MinCount.`, { status: 400 });
  }
  const image = mustImage(ctx, input.ImageId);
  if (image.State !== 'available') throw new AwsError('InvalidAMIID.Unavailable', `The image id '[${image.ImageId}]' is not available (state ${image.State}).`, { status: 400 });
  const type = (input.InstanceType ?? 'm1.small') as InstanceTypeName;
  const info = catalog(ctx).get(type);
  if (!info) throw new AwsError('InvalidParameterValue', `Invalid value '${type}' for InstanceType.`, { status: 400 });
  if (!info.ProcessorInfo!.SupportedArchitectures!.includes(image.Architecture!)) {
    throw new AwsError('InvalidParameterValue', `The architecture '${info.ProcessorInfo!.SupportedArchitectures!.join(', ')}' of the specified instance type does not match the architecture '${image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`, { status: 400 });
  }
  if (input.KeyName) mustKeyPair(ctx, input.KeyName);
  if (input.UserData && Buffer.from(input.UserData, 'base64').length > USER_DATA_LIMIT) {
    throw new AwsError('InvalidParameterValue', `User data is limited to ${USER_DATA_LIMIT} bytes`, { status: 400 });
  }
  if (input.PrivateIpAddress && input.MaxCount > 1) {
    throw new AwsError('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance.', { status: 400 });
  }
  const subnet = chooseSubnet(ctx, input);
  const groups = chooseGroups(ctx, input, subnet);
  const publicIp = input.NetworkInterfaces?.[0]?.AssociatePublicIpAddress ?? subnet.MapPublicIpOnLaunch ?? false;
  return { image, type, subnet, groups, publicIp };
}

/** The instance profile as an instance shows it: its ARN, an `AIPA` id derived from it, and a new association (instance-profiles.ts). */
export function instanceProfile(ctx: RequestContext, spec: IamInstanceProfileSpecification): NonNullable<InstanceDoc['IamInstanceProfile']> {
  if (!spec.Arn && !spec.Name) throw new AwsError('InvalidParameterValue', 'The IAM instance profile needs an Arn or a Name.', { status: 400 });
  if (spec.Arn && !/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+/.test(spec.Arn)) {
    throw new AwsError('InvalidParameterValue', `Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`, { status: 400 });
  }
  const arn = spec.Arn ?? `arn:aws:iam::${ctx.accountId}:instance-profile/${spec.Name}`;
  return { Arn: arn, Id: 'AIPA' + createHash('sha1').update(arn).digest('hex').slice(0, 17).toUpperCase(), _associationId: resourceId('iip-assoc'), _associatedAt: ctx.clock.now() };
}

/** The root volume from the AMI's snapshot and any extra EBS volumes, with BlockDeviceMappings overriding the AMI's. */
function createVolumes(ctx: RequestContext, input: RunInstancesRequest, p: LaunchPlan, instance: InstanceDoc): void {
  const mappings = new Map((p.image.BlockDeviceMappings ?? []).map((m) => [m.DeviceName!, m]));
  for (const m of input.BlockDeviceMappings ?? []) {
    if (m.NoDevice !== undefined) mappings.delete(m.DeviceName!);
    else mappings.set(m.DeviceName!, { ...mappings.get(m.DeviceName!), ...m, Ebs: { ...mappings.get(m.DeviceName!)?.Ebs, ...m.Ebs } });
  }
  for (const [device, m] of mappings) {
    if (!m.Ebs) continue;
    const imageSize = p.image.BlockDeviceMappings?.find((x) => x.DeviceName === device)?.Ebs?.VolumeSize;
    const snapSize = imageSize ?? (m.Ebs.SnapshotId ? mustSnapshot(ctx, m.Ebs.SnapshotId).VolumeSize : undefined);
    const size = m.Ebs.VolumeSize ?? snapSize;
    if (size === undefined) throw new AwsError('InvalidBlockDeviceMapping', `The block device mapping for ${device} needs a VolumeSize or a SnapshotId.`, { status: 400 });
    if (snapSize !== undefined && size < snapSize) {
      throw new AwsError('InvalidBlockDeviceMapping', `Volume of size ${size}GB is smaller than snapshot '${m.Ebs.SnapshotId}', expect size >= ${snapSize}GB`, { status: 400 });
    }
    const vol = newVolume(ctx, {
      zone: p.subnet.AvailabilityZone, size, type: m.Ebs.VolumeType ?? 'gp2', iops: m.Ebs.Iops, throughput: m.Ebs.Throughput,
      snapshotId: m.Ebs.SnapshotId, encrypted: m.Ebs.Encrypted, kmsKeyId: m.Ebs.KmsKeyId,
    });
    tagOnCreate(ctx, vol.VolumeId, input.TagSpecifications);
    attach(ctx, vol, instance, device, m.Ebs.DeleteOnTermination ?? true, true);
  }
}

/** T2 instances launch with standard CPU credits, later T types with unlimited ones. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-unlimited-mode.html */
export function creditsFor(type: string, asked: string | undefined): 'standard' | 'unlimited' {
  if (asked !== undefined && asked !== 'standard' && asked !== 'unlimited') {
    throw new AwsError('InvalidParameterValue', `Value (${asked}) for parameter cpuCredits is invalid. Expected 'standard' or 'unlimited'.`, { status: 400 });
  }
  return (asked as 'standard' | 'unlimited' | undefined) ?? (type.startsWith('t2.') ? 'standard' : 'unlimited');
}

/** IMDSv2 only, with room for one container hop: what Amazon Linux 2023 AMIs launch with. */
export const DEFAULT_METADATA: MetadataOptions = { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' };

/** The metadata options asked for over the current ones. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html */
export function metadataOptions(asked: InstanceMetadataOptionsRequest | undefined, current: MetadataOptions = DEFAULT_METADATA): MetadataOptions {
  const hops = asked?.HttpPutResponseHopLimit;
  if (hops !== undefined && (!Number.isInteger(hops) || hops < 1 || hops > 64)) {
    throw new AwsError('InvalidParameterValue', `Value (${hops}) for parameter httpPutResponseHopLimit is invalid. Expected a value between 1 and 64.`, { status: 400 });
  }
  const defined = Object.fromEntries(Object.entries(asked ?? {}).filter(([, v]) => v !== undefined));
  return { ...current, ...defined };
}

/** One instance of a launch: its interface, volumes and tags; it answers `pending` and runs on the next read. */
export function launchOne(ctx: RequestContext, input: RunInstancesRequest, p: LaunchPlan, reservationId: string, index: number): InstanceDoc {
  const info = catalog(ctx).get(p.type)!;
  const id = resourceId('i');
  const nic = input.NetworkInterfaces?.[0];
  const eni = newEni(ctx, p.subnet, { groups: p.groups, privateIp: input.PrivateIpAddress ?? nic?.PrivateIpAddress, description: nic?.Description });
  eni.Status = 'in-use';
  eni.Attachment = { AttachmentId: resourceId('eni-attach'), AttachTime: new Date(ctx.clock.now()), DeleteOnTermination: true, DeviceIndex: 0, InstanceId: id, InstanceOwnerId: ctx.accountId, Status: 'attached', NetworkCardIndex: 0 };
  put(ctx, eni.NetworkInterfaceId, eni);
  if (p.publicIp) setAutoPublicIp(ctx, eni, true);
  tagOnCreate(ctx, eni.NetworkInterfaceId, input.TagSpecifications);
  const profile = input.IamInstanceProfile;
  const instance: InstanceDoc = {
    InstanceId: id, ImageId: p.image.ImageId, InstanceType: p.type, KeyName: input.KeyName, LaunchTime: new Date(ctx.clock.now()).toISOString(),
    AvailabilityZone: p.subnet.AvailabilityZone, SubnetId: p.subnet.SubnetId, VpcId: p.subnet.VpcId, _eni: eni.NetworkInterfaceId,
    State: instanceState('pending'), StateTransitionReason: '', AmiLaunchIndex: index, ReservationId: reservationId, ClientToken: input.ClientToken,
    UserData: input.UserData,
    IamInstanceProfile: profile ? instanceProfile(ctx, profile) : undefined,
    Architecture: p.image.Architecture === 'arm64' ? 'arm64' : 'x86_64', Platform: p.image.Platform,
    PlatformDetails: p.image.PlatformDetails ?? 'Linux/UNIX', RootDeviceName: p.image.RootDeviceName ?? '/dev/xvda',
    Monitoring: input.Monitoring?.Enabled ? 'enabled' : 'disabled', Tenancy: input.Placement?.Tenancy ?? 'default',
    DisableApiTermination: input.DisableApiTermination ?? false, DisableApiStop: input.DisableApiStop ?? false,
    InstanceInitiatedShutdownBehavior: input.InstanceInitiatedShutdownBehavior ?? 'stop',
    EbsOptimized: input.EbsOptimized ?? info.EbsInfo?.EbsOptimizedSupport === 'default', _autoPublicIp: p.publicIp, _volumes: [],
    _metadata: metadataOptions(input.MetadataOptions),
    _cpuCredits: info.BurstablePerformanceSupported ? creditsFor(p.type, input.CreditSpecification?.CpuCredits) : undefined,
  };
  createVolumes(ctx, input, p, instance);
  put(ctx, id, instance, dueAt(ctx, 'instance-start'));
  tagOnCreate(ctx, id, input.TagSpecifications);
  return instance;
}
