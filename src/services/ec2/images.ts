import { createHash } from 'node:crypto';
import type { BlockDeviceMapping, Image, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, paginate, type Fields } from './filters.js';
import { dueAt, settle, type Timing } from './lifecycle.js';
import { newSnapshot, mustSnapshot } from './snapshots.js';
import { all, get, put, remove, tagOnCreate, withTags, type Scope } from './store.js';
import type { ImageDoc, InstanceDoc } from './types.js';
import { instanceVolumes } from './volumes.js';

/**
 * AMIs: a catalog of the public images people launch first (owned by Amazon, Canonical,
 * Debian and Microsoft, with AWS's names), and the account's own: CreateImage from an
 * instance, RegisterImage from snapshots, CopyImage from another region, launch permissions.
 */
const AMAZON = '137112412989';
const CANONICAL = '099720109477';
const DEBIAN = '136693071363';
const MICROSOFT = '801119661308';

interface CatalogEntry {
  name: string;
  owner: string;
  alias?: string;
  arch: 'x86_64' | 'arm64';
  description: string;
  root: string;
  size: number;
  volumeType: 'gp2' | 'gp3';
  windows?: boolean;
  created: string;
}

const CATALOG: CatalogEntry[] = [
  { name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', owner: AMAZON, alias: 'amazon', arch: 'x86_64', description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1', root: '/dev/xvda', size: 8, volumeType: 'gp3', created: '2024-12-13T20:46:12.000Z' },
  { name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-arm64', owner: AMAZON, alias: 'amazon', arch: 'arm64', description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1', root: '/dev/xvda', size: 8, volumeType: 'gp3', created: '2024-12-13T20:46:14.000Z' },
  { name: 'amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2', owner: AMAZON, alias: 'amazon', arch: 'x86_64', description: 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2', root: '/dev/xvda', size: 8, volumeType: 'gp2', created: '2024-12-18T01:02:25.000Z' },
  { name: 'amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-arm64-gp2', owner: AMAZON, alias: 'amazon', arch: 'arm64', description: 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 arm64 HVM gp2', root: '/dev/xvda', size: 8, volumeType: 'gp2', created: '2024-12-18T01:02:31.000Z' },
  { name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241206', owner: CANONICAL, arch: 'x86_64', description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-12-06', root: '/dev/sda1', size: 8, volumeType: 'gp2', created: '2024-12-06T10:11:41.000Z' },
  { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206', owner: CANONICAL, arch: 'x86_64', description: 'Canonical, Ubuntu, 24.04, amd64 noble image', root: '/dev/sda1', size: 8, volumeType: 'gp3', created: '2024-12-06T09:43:07.000Z' },
  { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241206', owner: CANONICAL, arch: 'arm64', description: 'Canonical, Ubuntu, 24.04, arm64 noble image', root: '/dev/sda1', size: 8, volumeType: 'gp3', created: '2024-12-06T09:43:11.000Z' },
  { name: 'debian-12-amd64-20241201-1948', owner: DEBIAN, arch: 'x86_64', description: 'Debian 12 (20241201-1948)', root: '/dev/xvda', size: 8, volumeType: 'gp2', created: '2024-12-01T20:30:12.000Z' },
  { name: 'debian-12-arm64-20241201-1948', owner: DEBIAN, arch: 'arm64', description: 'Debian 12 (20241201-1948)', root: '/dev/xvda', size: 8, volumeType: 'gp2', created: '2024-12-01T20:30:40.000Z' },
  { name: 'Windows_Server-2022-English-Full-Base-2024.12.13', owner: MICROSOFT, alias: 'amazon', arch: 'x86_64', description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon', root: '/dev/sda1', size: 30, volumeType: 'gp2', windows: true, created: '2024-12-13T08:21:57.000Z' },
  { name: 'Windows_Server-2019-English-Full-Base-2024.12.13', owner: MICROSOFT, alias: 'amazon', arch: 'x86_64', description: 'Microsoft Windows Server 2019 with Desktop Experience Locale English AMI provided by Amazon', root: '/dev/sda1', size: 30, volumeType: 'gp2', windows: true, created: '2024-12-13T08:19:33.000Z' },
];

/** Public AMI ids differ per region, as in AWS; here they are derived from region and name so they stay stable. */
function stableId(prefix: string, region: string, name: string): string {
  return `${prefix}-${createHash('sha256').update(`${region}/${name}`).digest('hex').slice(0, 17)}`;
}

function publicImages(region: string): ImageDoc[] {
  return CATALOG.map((e) => ({
    ImageId: stableId('ami', region, e.name), Name: e.name, Description: e.description, OwnerId: e.owner, ImageOwnerAlias: e.alias,
    ImageLocation: `${e.alias ?? e.owner}/${e.name}`, Architecture: e.arch, CreationDate: e.created, ImageType: 'machine', Public: true,
    State: 'available', RootDeviceName: e.root, RootDeviceType: 'ebs', VirtualizationType: 'hvm', Hypervisor: 'xen', EnaSupport: true,
    SriovNetSupport: 'simple', Platform: e.windows ? 'Windows' : undefined, PlatformDetails: e.windows ? 'Windows' : 'Linux/UNIX',
    UsageOperation: e.windows ? 'RunInstances:0002' : 'RunInstances', BootMode: e.arch === 'arm64' ? 'uefi' : 'uefi-preferred',
    BlockDeviceMappings: [{ DeviceName: e.root, Ebs: { DeleteOnTermination: true, SnapshotId: stableId('snap', region, e.name), VolumeSize: e.size, VolumeType: e.volumeType, Encrypted: false } }],
    _launchPermissions: [{ Group: 'all' }],
  }));
}

/** An AMI the account can see in a region: a public one or its own. */
export function findImage(s: Scope, id: string): ImageDoc | undefined {
  return publicImages(s.region).find((i) => i.ImageId === id) ?? get<ImageDoc>(s, id);
}

export function mustImage(s: Scope, id: string): ImageDoc {
  if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`, { status: 400 });
  const image = findImage(s, id);
  if (!image) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`, { status: 400 });
  return image;
}

function checkName(s: Scope, name: string): void {
  if (!/^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/.test(name)) {
    throw new AwsError('InvalidAMIName.Malformed', `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`, { status: 400 });
  }
  const clash = all<ImageDoc>(s, 'image').find((i) => i.Name === name);
  if (clash) throw new AwsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${clash.ImageId}`, { status: 400 });
}

function mustOwn(s: Scope, id: string): ImageDoc {
  const image = mustImage(s, id);
  if (image.OwnerId !== s.accountId) throw new AwsError('AuthFailure', `Not authorized for image:${id}`, { status: 400 });
  return image;
}

type Ctx = Scope & Timing;

function newImage(ctx: Ctx, fields: Partial<ImageDoc> & { Name: string; BlockDeviceMappings: BlockDeviceMapping[] }): ImageDoc {
  const image: ImageDoc = {
    ImageId: resourceId('ami'), OwnerId: ctx.accountId, ImageLocation: `${ctx.accountId}/${fields.Name}`, CreationDate: new Date(ctx.clock.now()).toISOString(),
    ImageType: 'machine', Public: false, State: 'pending', RootDeviceType: 'ebs', VirtualizationType: 'hvm', Hypervisor: 'xen', EnaSupport: true,
    SriovNetSupport: 'simple', PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances', Architecture: 'x86_64', _launchPermissions: [], ...fields,
  };
  put(ctx, image.ImageId, image, dueAt(ctx, 'snapshot'));
  return image;
}

const imageFields: Fields<Image> = {
  architecture: (i) => i.Architecture,
  'image-id': (i) => i.ImageId,
  name: (i) => i.Name,
  description: (i) => i.Description,
  'owner-id': (i) => i.OwnerId,
  'owner-alias': (i) => i.ImageOwnerAlias,
  state: (i) => i.State,
  'is-public': (i) => i.Public,
  'image-type': (i) => i.ImageType,
  platform: (i) => i.Platform?.toLowerCase(),
  'platform-details': (i) => i.PlatformDetails,
  'root-device-type': (i) => i.RootDeviceType,
  'root-device-name': (i) => i.RootDeviceName,
  'virtualization-type': (i) => i.VirtualizationType,
  hypervisor: (i) => i.Hypervisor,
  'ena-support': (i) => i.EnaSupport,
  'creation-date': (i) => i.CreationDate,
  'block-device-mapping.snapshot-id': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.SnapshotId),
  'block-device-mapping.volume-size': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeSize),
  'block-device-mapping.volume-type': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeType),
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings?.map((b) => b.DeviceName),
};

function visibleTo(image: ImageDoc, who: string, accountId: string): boolean {
  if (who === 'all') return image._launchPermissions.some((p) => p.Group === 'all');
  const account = who === 'self' ? accountId : who;
  return image.OwnerId === account || image._launchPermissions.some((p) => p.Group === 'all' || p.UserId === account);
}

export const handlers: Handlers<Operations> = {
  DescribeImages(input, ctx) {
    const own = withTags(ctx, 'image', all<ImageDoc>(ctx, 'image'), (i) => i.ImageId);
    let images: ImageDoc[] = [...publicImages(ctx.region), ...own];
    if (input.ImageIds?.length) {
      const found = input.ImageIds.map((id) => mustImage(ctx, id).ImageId);
      images = images.filter((i) => found.includes(i.ImageId));
    } else if (!input.Owners?.length && !input.ExecutableUsers?.length) {
      images = images.filter((i) => visibleTo(i, 'self', ctx.accountId));
    }
    if (input.Owners?.length) {
      images = images.filter((i) => input.Owners!.some((o) => (o === 'self' ? i.OwnerId === ctx.accountId : o === i.OwnerId || o === i.ImageOwnerAlias)));
    }
    if (input.ExecutableUsers?.length) images = images.filter((i) => input.ExecutableUsers!.some((u) => visibleTo(i, u, ctx.accountId)));
    const { page, NextToken } = paginate(applyFilters(images, input.Filters, imageFields), input.MaxResults, input.NextToken);
    return { Images: page, NextToken };
  },

  /** An image of an instance: a snapshot of each of its EBS volumes, the root one first. */
  CreateImage(input, ctx) {
    const instance = get<InstanceDoc>(ctx, input.InstanceId);
    if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`, { status: 400 });
    if (instance.State.Name !== 'running' && instance.State.Name !== 'stopped') {
      throw new AwsError('IncorrectState', `Instance '${instance.InstanceId}' is not in a state from which it can be imaged.`, { status: 400 });
    }
    checkName(ctx, input.Name);
    const attached = instanceVolumes(ctx, instance).map((vol) => ({ vol, a: vol.Attachments!.find((x) => x.InstanceId === instance.InstanceId)! }));
    attached.sort((x, y) => Number(y.a.Device === instance.RootDeviceName) - Number(x.a.Device === instance.RootDeviceName));
    const mappings: BlockDeviceMapping[] = attached.map(({ vol, a }) => {
      const snap = newSnapshot(ctx, vol, `Created by CreateImage(${instance.InstanceId}) for ${input.Name}`);
      return { DeviceName: a.Device, Ebs: { SnapshotId: snap.SnapshotId, VolumeSize: vol.Size, VolumeType: vol.VolumeType, DeleteOnTermination: a.DeleteOnTermination, Encrypted: vol.Encrypted, Iops: vol.VolumeType === 'gp2' ? undefined : vol.Iops } };
    });
    const source = findImage(ctx, instance.ImageId);
    const image = newImage(ctx, {
      Name: input.Name, Description: input.Description, Architecture: instance.Architecture, RootDeviceName: instance.RootDeviceName,
      BlockDeviceMappings: mappings, Platform: source?.Platform, PlatformDetails: instance.PlatformDetails, UsageOperation: source?.UsageOperation ?? 'RunInstances',
    });
    tagOnCreate(ctx, image.ImageId, input.TagSpecifications);
    return { ImageId: image.ImageId };
  },

  RegisterImage(input, ctx) {
    checkName(ctx, input.Name);
    const mappings = input.BlockDeviceMappings ?? [];
    const root = input.RootDeviceName ?? mappings[0]?.DeviceName;
    const rootMapping = mappings.find((m) => m.DeviceName === root);
    if (!root || !rootMapping?.Ebs?.SnapshotId) {
      throw new AwsError('InvalidBlockDeviceMapping', 'The root device name must have a block device mapping with a snapshot: give RootDeviceName and a BlockDeviceMapping for it with Ebs.SnapshotId.', { status: 400 });
    }
    for (const m of mappings) {
      if (!m.Ebs?.SnapshotId) continue;
      const snap = mustSnapshot(ctx, m.Ebs.SnapshotId);
      m.Ebs = { DeleteOnTermination: true, VolumeSize: snap.VolumeSize, VolumeType: 'gp2', Encrypted: snap.Encrypted, ...m.Ebs };
    }
    const image = newImage(ctx, {
      Name: input.Name, Description: input.Description, Architecture: input.Architecture ?? 'x86_64', RootDeviceName: root, BlockDeviceMappings: mappings,
      EnaSupport: input.EnaSupport ?? true, BootMode: input.BootMode, VirtualizationType: (input.VirtualizationType as 'hvm') ?? 'hvm',
    });
    tagOnCreate(ctx, image.ImageId, input.TagSpecifications);
    return { ImageId: image.ImageId };
  },

  DeregisterImage(input, ctx) {
    const image = mustOwn(ctx, input.ImageId);
    remove(ctx, image.ImageId);
    return { Return: true };
  },

  CopyImage(input, ctx) {
    const from = { ...ctx, region: input.SourceRegion };
    settle(from, ctx.clock.now());
    const source = findImage(from, input.SourceImageId);
    if (!source || !visibleTo(source, 'self', ctx.accountId)) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${input.SourceImageId}]' does not exist`, { status: 400 });
    checkName(ctx, input.Name);
    const mappings = (source.BlockDeviceMappings ?? []).map((m) => {
      if (!m.Ebs) return m;
      const encrypted = input.Encrypted || m.Ebs.Encrypted || false;
      const snap = newSnapshot(ctx, { Size: m.Ebs.VolumeSize ?? 8, Encrypted: encrypted }, `Copied for DestinationAmi from SourceAmi ${source.ImageId} in ${input.SourceRegion}`);
      return { ...m, Ebs: { ...m.Ebs, SnapshotId: snap.SnapshotId, Encrypted: encrypted } };
    });
    const { ImageId: _id, _launchPermissions: _p, ImageOwnerAlias: _a, Public: _pub, ...rest } = source;
    const image = newImage(ctx, { ...rest, Name: input.Name, Description: input.Description ?? source.Description, BlockDeviceMappings: mappings, OwnerId: ctx.accountId, ImageLocation: `${ctx.accountId}/${input.Name}` });
    tagOnCreate(ctx, image.ImageId, input.TagSpecifications);
    return { ImageId: image.ImageId };
  },

  DescribeImageAttribute(input, ctx) {
    const image = mustImage(ctx, input.ImageId);
    const out = { ImageId: image.ImageId };
    switch (input.Attribute) {
      case 'description': return { ...out, Description: { Value: image.Description } };
      case 'launchPermission': return { ...out, LaunchPermissions: image.OwnerId === ctx.accountId ? image._launchPermissions : [] };
      case 'blockDeviceMapping': return { ...out, BlockDeviceMappings: image.BlockDeviceMappings };
      case 'bootMode': return { ...out, BootMode: { Value: image.BootMode } };
      case 'sriovNetSupport': return { ...out, SriovNetSupport: { Value: image.SriovNetSupport } };
      default: throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Nimbus answers description, launchPermission, blockDeviceMapping, bootMode and sriovNetSupport.`, { status: 400 });
    }
  },

  /** Launch permissions: account ids, or the group `all` that makes the image public. */
  ModifyImageAttribute(input, ctx) {
    const image = mustOwn(ctx, input.ImageId);
    if (input.Description?.Value !== undefined) image.Description = input.Description.Value;
    let add = input.LaunchPermission?.Add ?? [];
    let drop = input.LaunchPermission?.Remove ?? [];
    if (input.Attribute === 'launchPermission' && input.OperationType) {
      const given = [...(input.UserIds ?? []).map((UserId) => ({ UserId })), ...(input.UserGroups ?? []).map((g) => ({ Group: g as 'all' }))];
      if (input.OperationType === 'add') add = given;
      else drop = given;
    }
    for (const p of [...add, ...drop]) {
      if (p.UserId !== undefined && !/^\d{12}$/.test(p.UserId)) throw new AwsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${p.UserId}" for userId item type.`, { status: 400 });
    }
    const same = (a: { UserId?: string; Group?: string }, b: { UserId?: string; Group?: string }) => a.UserId === b.UserId && a.Group === b.Group;
    image._launchPermissions = image._launchPermissions.filter((p) => !drop.some((d) => same(p, d)));
    for (const p of add) if (!image._launchPermissions.some((x) => same(x, p))) image._launchPermissions.push({ UserId: p.UserId, Group: p.Group });
    image.Public = image._launchPermissions.some((p) => p.Group === 'all');
    put(ctx, image.ImageId, image);
  },

  ResetImageAttribute(input, ctx) {
    const image = mustOwn(ctx, input.ImageId);
    image._launchPermissions = [];
    image.Public = false;
    put(ctx, image.ImageId, image);
  },
};
