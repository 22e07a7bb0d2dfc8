import type { Operations, Volume, VolumeModification } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { dueAt } from './lifecycle.js';
import type { Ctx } from './network.js';
import { zoneNamed } from './regions.js';
import { mustSnapshot } from './snapshots.js';
import { all, get, getMany, must, put, tagOnCreate, withTags } from './store.js';
import type { InstanceDoc, VolumeDoc } from './types.js';

/**
 * EBS volumes. Each type has its own size, IOPS and throughput rules; a volume lives in one zone
 * and attaches only to instances there, to one at a time unless it is io1/io2 with Multi-Attach.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
 */
type VolumeType = NonNullable<Volume['VolumeType']>;

const LIMITS: Record<string, { min: number; max: number; iops?: [number, number]; perGiB?: number }> = {
  gp2: { min: 1, max: 16384 },
  gp3: { min: 1, max: 16384, iops: [3000, 16000], perGiB: 500 },
  io1: { min: 4, max: 16384, iops: [100, 64000], perGiB: 50 },
  io2: { min: 4, max: 65536, iops: [100, 256000], perGiB: 1000 },
  st1: { min: 125, max: 16384 },
  sc1: { min: 125, max: 16384 },
  standard: { min: 1, max: 1024 },
};

const bad = (message: string) => new AwsError('InvalidParameterValue', message, { status: 400 });

/** Size, IOPS and throughput of a volume of a type, checked as EBS checks them; gp2's IOPS follow its size (3 per GiB, 100 to 16,000). */
export function volumeSpec(type: string, size: number, iops?: number, throughput?: number): { Iops?: number; Throughput?: number } {
  const l = LIMITS[type];
  if (!l) throw bad(`Value (${type}) for parameter volumeType is invalid. Valid types are gp2, gp3, io1, io2, st1, sc1 and standard.`);
  if (size < l.min) throw bad(`Volume of ${size}GiB is too small; minimum is ${l.min}GiB.`);
  if (size > l.max) throw bad(`Volume of ${size}GiB is too large; maximum is ${l.max}GiB.`);
  if (!l.iops && iops !== undefined) throw new AwsError('InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`, { status: 400 });
  if (throughput !== undefined && type !== 'gp3') throw new AwsError('InvalidParameterCombination', `The parameter throughput is not supported for ${type} volumes.`, { status: 400 });
  if (type === 'gp2') return { Iops: Math.min(16000, Math.max(100, size * 3)) };
  if (type === 'st1' || type === 'sc1' || type === 'standard') return {};
  if (iops === undefined && type !== 'gp3') throw new AwsError('MissingParameter', `The request must contain the parameter iops for ${type} volumes.`, { status: 400 });
  const io = iops ?? 3000;
  if (io < l.iops![0] || io > l.iops![1]) throw bad(`Iops ${io} is out of range for ${type}: ${l.iops![0]} to ${l.iops![1]}.`);
  if (io > size * l.perGiB! && !(type === 'gp3' && io === 3000)) throw bad(`Iops to volume size ratio of ${(io / size).toFixed(1)} is too high; maximum is ${l.perGiB}.`);
  if (type !== 'gp3') return { Iops: io };
  const tp = throughput ?? 125;
  if (tp < 125 || tp > 1000) throw bad(`Throughput ${tp} MiB/s is out of range for gp3: 125 to 1000.`);
  if (tp > io / 4) throw bad(`Throughput (MiBps) to iops ratio of ${(tp / io).toFixed(3)} is too high; maximum is 0.25 MiBps per iops.`);
  return { Iops: io, Throughput: tp };
}

export interface NewVolume {
  zone: string;
  size: number;
  type: string;
  iops?: number;
  throughput?: number;
  snapshotId?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  multiAttach?: boolean;
}

export function newVolume(ctx: Ctx, v: NewVolume): VolumeDoc {
  const spec = volumeSpec(v.type, v.size, v.iops, v.throughput);
  if (v.multiAttach && v.type !== 'io1' && v.type !== 'io2') throw bad(`Multi-Attach is supported only for io1 and io2 volumes, not ${v.type}.`);
  const encrypted = v.encrypted ?? false;
  const vol: VolumeDoc = {
    VolumeId: resourceId('vol'), Size: v.size, SnapshotId: v.snapshotId ?? '', AvailabilityZone: v.zone, State: 'creating',
    CreateTime: new Date(ctx.clock.now()), Attachments: [], VolumeType: v.type as VolumeType, ...spec, Encrypted: encrypted,
    KmsKeyId: encrypted ? (v.kmsKeyId ?? `arn:aws:kms:${ctx.region}:${ctx.accountId}:alias/aws/ebs`) : undefined, MultiAttachEnabled: v.multiAttach ?? false,
  };
  put(ctx, vol.VolumeId, vol, dueAt(ctx, 'volume'));
  return vol;
}

export function mustVolume(ctx: Ctx, id: string): VolumeDoc {
  return must<VolumeDoc>(ctx, id, 'InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
}

/** Attaches a volume to an instance as `device`: both in one zone, the device free, the volume free unless Multi-Attach. */
export function attach(ctx: Ctx, vol: VolumeDoc, instance: InstanceDoc, device: string, deleteOnTermination: boolean, settled: boolean): void {
  if (vol.AvailabilityZone !== instance.AvailabilityZone) {
    throw new AwsError('InvalidVolume.ZoneMismatch', `The volume '${vol.VolumeId}' is not in the same availability zone as instance '${instance.InstanceId}'`, { status: 400 });
  }
  const attachments = vol.Attachments ?? [];
  if (attachments.some((a) => a.InstanceId === instance.InstanceId)) throw new AwsError('VolumeInUse', `${vol.VolumeId} is already attached to ${instance.InstanceId}`, { status: 400 });
  if (attachments.length > 0 && (!vol.MultiAttachEnabled || attachments.length >= 16)) {
    throw new AwsError('VolumeInUse', `${vol.VolumeId} is already attached to an instance`, { status: 400 });
  }
  if (!settled && vol.State !== 'available' && vol.State !== 'in-use') throw new AwsError('IncorrectState', `vol ${vol.VolumeId} is not 'available'.`, { status: 400 });
  if (!settled && instanceVolumes(ctx, instance).some((v) => v.Attachments!.some((a) => a.InstanceId === instance.InstanceId && a.Device === device))) {
    throw bad(`Attachment point ${device} is already in use`);
  }
  if (!instance._volumes.includes(vol.VolumeId)) instance._volumes.push(vol.VolumeId);
  vol.Attachments = [...attachments, { AttachTime: new Date(ctx.clock.now()), Device: device, InstanceId: instance.InstanceId, State: settled ? 'attached' : 'attaching', VolumeId: vol.VolumeId, DeleteOnTermination: deleteOnTermination }];
  if (settled) vol.State = 'in-use';
  put(ctx, vol.VolumeId, vol, settled ? undefined : dueAt(ctx, 'volume'));
}

/** The volumes attached to an instance now. */
export function instanceVolumes(ctx: Ctx, instance: InstanceDoc): VolumeDoc[] {
  return getMany<VolumeDoc>(ctx, instance._volumes).filter((v) => v.Attachments?.some((a) => a.InstanceId === instance.InstanceId));
}

const volumeFields: Fields<Volume> = {
  'volume-id': (v) => v.VolumeId,
  'volume-type': (v) => v.VolumeType,
  size: (v) => v.Size,
  status: (v) => v.State,
  'availability-zone': (v) => v.AvailabilityZone,
  'snapshot-id': (v) => v.SnapshotId,
  encrypted: (v) => v.Encrypted,
  'multi-attach-enabled': (v) => v.MultiAttachEnabled,
  'create-time': (v) => (v.CreateTime ? new Date(v.CreateTime).toISOString() : undefined),
  'attachment.instance-id': (v) => v.Attachments?.map((a) => a.InstanceId),
  'attachment.device': (v) => v.Attachments?.map((a) => a.Device),
  'attachment.status': (v) => v.Attachments?.map((a) => a.State),
  'attachment.delete-on-termination': (v) => v.Attachments?.map((a) => a.DeleteOnTermination),
};

const modificationFields: Fields<VolumeModification> = {
  'volume-id': (m) => m.VolumeId,
  'modification-state': (m) => m.ModificationState,
  'target-size': (m) => m.TargetSize,
  'target-iops': (m) => m.TargetIops,
  'target-volume-type': (m) => m.TargetVolumeType,
  'target-throughput': (m) => m.TargetThroughput,
  'original-size': (m) => m.OriginalSize,
  'original-iops': (m) => m.OriginalIops,
  'original-volume-type': (m) => m.OriginalVolumeType,
  'start-time': (m) => (m.StartTime ? new Date(m.StartTime).toISOString() : undefined),
};

export const handlers: Handlers<Operations> = {
  CreateVolume(input, ctx) {
    const zone = zoneNamed(ctx.region, input.AvailabilityZone ?? input.AvailabilityZoneId ?? '').ZoneName;
    const snap = input.SnapshotId ? mustSnapshot(ctx, input.SnapshotId) : undefined;
    const size = input.Size ?? snap?.VolumeSize;
    if (size === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter size or snapshotId', { status: 400 });
    if (snap && size < (snap.VolumeSize ?? 0)) throw bad(`Volume of ${size}GiB is smaller than snapshot '${snap.SnapshotId}', expect size >= ${snap.VolumeSize}GiB`);
    if (snap?.Encrypted && input.Encrypted === false) throw bad('Volumes created from encrypted snapshots are encrypted.');
    const vol = newVolume(ctx, {
      zone, size, type: input.VolumeType ?? 'gp2', iops: input.Iops, throughput: input.Throughput, snapshotId: snap?.SnapshotId,
      encrypted: input.Encrypted ?? snap?.Encrypted, kmsKeyId: input.KmsKeyId ?? snap?.KmsKeyId, multiAttach: input.MultiAttachEnabled,
    });
    const tags = tagOnCreate(ctx, vol.VolumeId, input.TagSpecifications);
    return { ...vol, Tags: tags.length ? tags : undefined };
  },

  DescribeVolumes(input, ctx) {
    const vols = byIds(withTags(ctx, 'volume', all<VolumeDoc>(ctx, 'volume'), (v) => v.VolumeId), input.VolumeIds, (v) => v.VolumeId, notFound('InvalidVolume.NotFound', 'volume'));
    const { page, NextToken } = paginate(applyFilters(vols, input.Filters, volumeFields), input.MaxResults, input.NextToken, { min: 5, max: 500 });
    return { Volumes: page, NextToken };
  },

  DeleteVolume(input, ctx) {
    const vol = mustVolume(ctx, input.VolumeId);
    const a = vol.Attachments?.[0];
    if (a) throw new AwsError('VolumeInUse', `Volume ${vol.VolumeId} is currently attached to ${a.InstanceId}`, { status: 400 });
    put(ctx, vol.VolumeId, { ...vol, State: 'deleting' }, dueAt(ctx, 'volume'));
  },

  AttachVolume(input, ctx) {
    const vol = mustVolume(ctx, input.VolumeId);
    const instance = get<InstanceDoc>(ctx, input.InstanceId);
    if (!instance || instance.State.Name === 'terminated') throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`, { status: 400 });
    if (instance.State.Name !== 'running' && instance.State.Name !== 'stopped') {
      throw new AwsError('IncorrectState', `Instance '${instance.InstanceId}' is not 'running' or 'stopped'.`, { status: 400 });
    }
    attach(ctx, vol, instance, input.Device, false, false);
    put(ctx, instance.InstanceId, instance);
    return { AttachTime: new Date(ctx.clock.now()), Device: input.Device, InstanceId: instance.InstanceId, State: 'attaching', VolumeId: vol.VolumeId };
  },

  /** The root volume of a running instance stays; others detach (Force skips nothing here: there is no guest to wait for). */
  DetachVolume(input, ctx) {
    const vol = mustVolume(ctx, input.VolumeId);
    const a = vol.Attachments?.find((x) => !input.InstanceId || x.InstanceId === input.InstanceId);
    if (!a) throw new AwsError('IncorrectState', `Volume '${vol.VolumeId}' is in the '${vol.State}' state.`, { status: 400 });
    const instance = get<InstanceDoc>(ctx, a.InstanceId!);
    if (instance && instance.RootDeviceName === a.Device && instance.State.Name !== 'stopped') {
      throw new AwsError('OperationNotPermitted', `Unable to detach root volume '${vol.VolumeId}' from instance '${a.InstanceId}'`, { status: 400 });
    }
    a.State = 'detaching';
    put(ctx, vol.VolumeId, vol, dueAt(ctx, 'volume'));
    return { ...a, AttachTime: a.AttachTime };
  },

  ModifyVolume(input, ctx) {
    const vol = mustVolume(ctx, input.VolumeId);
    const size = input.Size ?? vol.Size;
    if (size < vol.Size) throw bad(`New size cannot be smaller than existing size: ${vol.Size}GiB`);
    const type = input.VolumeType ?? vol.VolumeType!;
    const keepIops = type === vol.VolumeType && type !== 'gp2' ? vol.Iops : undefined;
    const spec = volumeSpec(type, size, input.Iops ?? keepIops, input.Throughput ?? (type === 'gp3' && vol.VolumeType === 'gp3' ? vol.Throughput : undefined));
    const original = { OriginalSize: vol.Size, OriginalIops: vol.Iops, OriginalVolumeType: vol.VolumeType, OriginalThroughput: vol.Throughput };
    const modification: VolumeModification = {
      VolumeId: vol.VolumeId, ModificationState: 'optimizing', Progress: 0, StartTime: new Date(ctx.clock.now()), ...original,
      TargetSize: size, TargetIops: spec.Iops, TargetVolumeType: type as VolumeType, TargetThroughput: spec.Throughput, TargetMultiAttachEnabled: vol.MultiAttachEnabled,
    };
    // The call answers `optimizing`; from the next read the modification shows completed (DESIGN.md §3).
    const updated: VolumeDoc = { ...vol, Size: size, VolumeType: type as VolumeType, Iops: spec.Iops, Throughput: spec.Throughput,
      _modification: { ...modification, ModificationState: 'completed', Progress: 100, EndTime: new Date(ctx.clock.now()) } };
    put(ctx, vol.VolumeId, updated);
    return { VolumeModification: modification };
  },

  DescribeVolumesModifications(input, ctx) {
    const ids = input.VolumeIds ?? [];
    const vols = ids.length ? ids.map((id) => mustVolume(ctx, id)) : all<VolumeDoc>(ctx, 'volume');
    const unmodified = ids.length ? vols.find((v) => !v._modification) : undefined;
    if (unmodified) throw new AwsError('InvalidVolumeModification.NotFound', `Modification for volume '${unmodified.VolumeId}' does not exist.`, { status: 400 });
    const modifications = vols.flatMap((v) => (v._modification ? [v._modification] : []));
    const { page, NextToken } = paginate(applyFilters(modifications, input.Filters, modificationFields), input.MaxResults, input.NextToken, { min: 5, max: 500 });
    return { VolumesModifications: page, NextToken };
  },
};
