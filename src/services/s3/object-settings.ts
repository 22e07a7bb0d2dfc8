import type { Operations } from '../../generated/types/s3.js';
import { withStatus } from '../../protocols/codec.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { type StoredAcl, aclGrants, checkAclAllowed, checkTags } from './configs.js';
import { versionIdOf } from './objects.js';
import { publishObjectEvent } from './notifications.js';
import { type Tag, getBucket, ownerOf, readableVersion, updateVersion } from './store.js';

/** An object version's subresources: tags, ACL, attributes, and restores of archived objects. */
export const objectSettingHandlers: Handlers<Operations> = {
  GetObjectTagging(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    return { TagSet: v.tags, ...versionIdOf(bucket, v.versionId) };
  },

  PutObjectTagging(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    updateVersion(ctx, v, { tags: checkTags(input.Tagging.TagSet as Tag[], 10) });
    publishObjectEvent(ctx, bucket, 'ObjectTagging:Put', v.key, { versionId: v.versionId, etag: v.etag.replace(/"/g, '') });
    return versionIdOf(bucket, v.versionId);
  },

  DeleteObjectTagging(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    updateVersion(ctx, v, { tags: [] });
    publishObjectEvent(ctx, bucket, 'ObjectTagging:Delete', v.key, { versionId: v.versionId, etag: v.etag.replace(/"/g, '') });
    return versionIdOf(bucket, v.versionId);
  },

  GetObjectAcl(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    return { Owner: ownerOf(v.owner), Grants: aclGrants(v.owner, v.extra.acl as StoredAcl | undefined) };
  },

  PutObjectAcl(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    checkAclAllowed(ctx, bucket.name, input.ACL ?? (input.AccessControlPolicy ? 'explicit' : undefined));
    const acl: StoredAcl = input.AccessControlPolicy?.Grants ? { grants: input.AccessControlPolicy.Grants } : { canned: input.ACL ?? 'private' };
    updateVersion(ctx, v, { extra: { ...v.extra, acl } });
    publishObjectEvent(ctx, bucket, 'ObjectAcl:Put', v.key, { versionId: v.versionId, etag: v.etag.replace(/"/g, '') });
    return {};
  },

  GetObjectAttributes(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    const want = new Set(input.ObjectAttributes);
    const out: Operations['GetObjectAttributes']['output'] = { LastModified: new Date(v.lastModified), ...versionIdOf(bucket, v.versionId) };
    if (want.has('ETag')) out.ETag = v.etag.replace(/"/g, '');
    if (want.has('ObjectSize')) out.ObjectSize = v.size;
    if (want.has('StorageClass')) out.StorageClass = v.storageClass as 'STANDARD';
    if (want.has('Checksum') && v.checksum) {
      out.Checksum = { [`Checksum${v.checksum.algorithm}`]: v.checksum.value, ChecksumType: v.checksum.type };
    }
    if (want.has('ObjectParts') && v.parts) {
      const marker = input.PartNumberMarker ?? 0;
      const max = input.MaxParts ?? 1000;
      const page = v.parts.map((size, i) => ({ PartNumber: i + 1, Size: size })).slice(marker, marker + max);
      out.ObjectParts = {
        TotalPartsCount: v.parts.length, PartNumberMarker: marker, MaxParts: max, IsTruncated: marker + max < v.parts.length,
        ...(page.length ? { NextPartNumberMarker: page[page.length - 1]!.PartNumber } : {}), Parts: page,
      };
    }
    return out;
  },

  /**
   * A restore makes an archived object readable for `Days`. AWS takes hours; here the copy is
   * ready at once (DESIGN.md §3), and the first request answers 202 as AWS's does.
   */
  RestoreObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    if (v.storageClass !== 'GLACIER' && v.storageClass !== 'DEEP_ARCHIVE') {
      throw new AwsError('InvalidObjectState', "Restore is not allowed for the object's current storage class", { status: 403, fields: { StorageClass: v.storageClass } });
    }
    const days = input.RestoreRequest?.Days ?? 1;
    const already = v.extra.restoredUntil !== undefined && v.extra.restoredUntil > ctx.clock.now();
    updateVersion(ctx, v, { extra: { ...v.extra, restoredUntil: ctx.clock.now() + days * 86_400_000 } });
    if (!already) {
      const object = { size: v.size, versionId: v.versionId, etag: v.etag.replace(/"/g, '') };
      publishObjectEvent(ctx, bucket, 'ObjectRestore:Post', v.key, object);
      publishObjectEvent(ctx, bucket, 'ObjectRestore:Completed', v.key, object);
    }
    return already ? {} : withStatus({}, 202);
  },
};
