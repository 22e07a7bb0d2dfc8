import type { Operations, Snapshot } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, byIds, notFound, paginate, type Fields } from './filters.js';
import { dueAt, settle, type Timing } from './lifecycle.js';
import { all, get, must, put, remove, tagOnCreate, withTags, type Scope } from './store.js';
import type { ImageDoc, SnapshotDoc, VolumeDoc } from './types.js';

/** EBS snapshots: point-in-time copies of a volume, pending then completed; copyable across regions. */
export function newSnapshot(s: Scope & Timing, from: { VolumeId?: string; Size: number; Encrypted?: boolean; KmsKeyId?: string }, description: string): SnapshotDoc {
  const snap: SnapshotDoc = {
    SnapshotId: resourceId('snap'), VolumeId: from.VolumeId ?? 'vol-ffffffff', State: 'pending', Progress: '0%', StartTime: new Date(s.clock.now()),
    OwnerId: s.accountId, Description: description, VolumeSize: from.Size, Encrypted: from.Encrypted ?? false,
    KmsKeyId: from.KmsKeyId, StorageTier: 'standard',
  };
  put(s, snap.SnapshotId, snap, dueAt(s, 'snapshot'));
  return snap;
}

export function mustSnapshot(s: Scope, id: string | undefined): SnapshotDoc {
  return must<SnapshotDoc>(s, id ?? '', 'InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
}

const snapshotFields: Fields<Snapshot> = {
  'snapshot-id': (x) => x.SnapshotId,
  'volume-id': (x) => x.VolumeId,
  'volume-size': (x) => x.VolumeSize,
  'owner-id': (x) => x.OwnerId,
  status: (x) => x.State,
  progress: (x) => x.Progress,
  description: (x) => x.Description,
  encrypted: (x) => x.Encrypted,
  'storage-tier': (x) => x.StorageTier,
};

export const handlers: Handlers<Operations> = {
  CreateSnapshot(input, ctx) {
    const vol = must<VolumeDoc>(ctx, input.VolumeId, 'InvalidVolume.NotFound', `The volume '${input.VolumeId}' does not exist.`);
    const snap = newSnapshot(ctx, { VolumeId: vol.VolumeId, Size: vol.Size, Encrypted: vol.Encrypted, KmsKeyId: vol.KmsKeyId }, input.Description ?? '');
    const tags = tagOnCreate(ctx, snap.SnapshotId, input.TagSpecifications);
    return { ...snap, Tags: tags.length ? tags : undefined };
  },

  DescribeSnapshots(input, ctx) {
    let snaps = withTags(ctx, 'snapshot', all<SnapshotDoc>(ctx, 'snapshot'), (x) => x.SnapshotId);
    snaps = byIds(snaps, input.SnapshotIds, (x) => x.SnapshotId, notFound('InvalidSnapshot.NotFound', 'snapshot'));
    if (input.OwnerIds?.length) snaps = snaps.filter((x) => input.OwnerIds!.some((o) => o === 'self' || o === x.OwnerId));
    const { page, NextToken } = paginate(applyFilters(snaps, input.Filters, snapshotFields), input.MaxResults, input.NextToken);
    return { Snapshots: page, NextToken };
  },

  DeleteSnapshot(input, ctx) {
    const snap = mustSnapshot(ctx, input.SnapshotId);
    const image = all<ImageDoc>(ctx, 'image').find((i) => i.BlockDeviceMappings?.some((b) => b.Ebs?.SnapshotId === snap.SnapshotId));
    if (image) throw new AwsError('InvalidSnapshot.InUse', `The snapshot ${snap.SnapshotId} is currently in use by ${image.ImageId}`, { status: 400 });
    remove(ctx, snap.SnapshotId);
  },

  /** The copy is made in the region the request goes to, from SourceRegion (the same account). */
  CopySnapshot(input, ctx) {
    // The source region's transitions settle too, as a read there would settle them (DESIGN.md §3).
    const from = { ...ctx, region: input.SourceRegion };
    settle(from, ctx.clock.now());
    const source = get<SnapshotDoc>(from, input.SourceSnapshotId);
    if (!source) throw new AwsError('InvalidSnapshot.NotFound', `The snapshot '${input.SourceSnapshotId}' does not exist in ${input.SourceRegion}.`, { status: 400 });
    if (source.State !== 'completed') throw new AwsError('IncorrectState', `Snapshot ${source.SnapshotId} is in state ${source.State}; only completed snapshots can be copied.`, { status: 400 });
    if (source.Encrypted && input.Encrypted === false) throw new AwsError('InvalidParameterValue', 'Encrypted snapshots can only be copied as encrypted snapshots.', { status: 400 });
    const encrypted = input.Encrypted ?? source.Encrypted ?? false;
    const snap = newSnapshot(ctx, { VolumeId: source.VolumeId, Size: source.VolumeSize ?? 1, Encrypted: encrypted, KmsKeyId: encrypted ? (input.KmsKeyId ?? source.KmsKeyId ?? `arn:aws:kms:${ctx.region}:${ctx.accountId}:alias/aws/ebs`) : undefined },
      input.Description ?? `[Copied ${source.SnapshotId} from ${input.SourceRegion}] ${source.Description ?? ''}`.trim());
    tagOnCreate(ctx, snap.SnapshotId, input.TagSpecifications);
    return { SnapshotId: snap.SnapshotId };
  },
};
