import type { GetBucketLocationOutput, Operations } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { dropBlobs, findBucket, getBucket, ownerOf, sql } from './store.js';
import { setConfig } from './configs.js';

/**
 * Buckets: one global namespace across accounts, each bucket in one region.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
function checkBucketName(name: string): void {
  const valid = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)
    && !name.includes('..') && !name.includes('.-') && !name.includes('-.')
    && !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
    && !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) && !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name);
  if (!valid) throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.', { status: 400, fields: { BucketName: name } });
}

/**
 * Outside us-east-1 the LocationConstraint must name the region the request is sent to; in
 * us-east-1 it must be absent. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 */
function bucketRegion(ctx: RequestContext, constraint: string | undefined): string {
  if (constraint === undefined || constraint === '') {
    if (ctx.region !== 'us-east-1') {
      throw new AwsError('IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.', { status: 400 });
    }
    return 'us-east-1';
  }
  if (constraint === 'us-east-1') throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', { status: 400, fields: { LocationConstraint: constraint } });
  const region = constraint === 'EU' ? 'eu-west-1' : constraint;
  if (region !== ctx.region) {
    throw new AwsError('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`, { status: 400 });
  }
  return region;
}

export const bucketHandlers: Handlers<Operations> = {
  CreateBucket(input, ctx) {
    checkBucketName(input.Bucket);
    const region = bucketRegion(ctx, input.CreateBucketConfiguration?.LocationConstraint);
    const existing = findBucket(ctx, input.Bucket);
    if (existing) {
      if (existing.accountId !== ctx.accountId) {
        throw new AwsError('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', { status: 409, fields: { BucketName: input.Bucket } });
      }
      // For legacy compatibility us-east-1 answers 200 to an owner re-creating a bucket there.
      if (existing.region === 'us-east-1' && region === 'us-east-1') return { Location: `/${input.Bucket}` };
      throw new AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { status: 409, fields: { BucketName: input.Bucket } });
    }
    ctx.db.transaction(() => {
      sql(ctx, 'INSERT INTO s3_buckets (name, account_id, region, created_at, versioning, object_lock) VALUES (?, ?, ?, ?, ?, ?)').run(
        input.Bucket, ctx.accountId, region, ctx.clock.now(), input.ObjectLockEnabledForBucket ? 'Enabled' : null, input.ObjectLockEnabledForBucket ? 1 : 0,
      );
      // New buckets disable ACLs and block public access by default (April 2023 onwards).
      setConfig(ctx, input.Bucket, 'ownership', { Rules: [{ ObjectOwnership: input.ObjectOwnership ?? 'BucketOwnerEnforced' }] });
      if (input.ACL) setConfig(ctx, input.Bucket, 'acl', { canned: input.ACL });
      if (input.ObjectLockEnabledForBucket) setConfig(ctx, input.Bucket, 'object-lock', { ObjectLockEnabled: 'Enabled' });
    })();
    return { Location: region === 'us-east-1' ? `/${input.Bucket}` : `http://${input.Bucket}.s3.${region}.amazonaws.com/`, BucketArn: `arn:aws:s3:::${input.Bucket}` };
  },

  HeadBucket(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    return { BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` };
  },

  ListBuckets(input, ctx) {
    const max = input.MaxBuckets ?? 10000;
    const rows = sql(ctx, `SELECT name, region, created_at FROM s3_buckets WHERE account_id = ? AND name > ? AND name >= ?
        ${input.BucketRegion ? 'AND region = ?' : ''} ORDER BY name LIMIT ?`)
      .all(...[ctx.accountId, input.ContinuationToken ?? '', input.Prefix ?? '', ...(input.BucketRegion ? [input.BucketRegion] : []), max + 1]) as { name: string; region: string; created_at: number }[];
    const matching = rows.filter((r) => r.name.startsWith(input.Prefix ?? ''));
    const page = matching.slice(0, max);
    return {
      Buckets: page.map((r) => ({ Name: r.name, CreationDate: new Date(r.created_at), BucketRegion: r.region, BucketArn: `arn:aws:s3:::${r.name}` })),
      Owner: ownerOf(ctx.accountId),
      ...(matching.length > max ? { ContinuationToken: page[page.length - 1]!.name } : {}),
      ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
    };
  },

  async DeleteBucket(input, ctx) {
    getBucket(ctx, input.Bucket);
    const hasObjects = sql(ctx, 'SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(input.Bucket);
    if (hasObjects) throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', { status: 409, fields: { BucketName: input.Bucket } });
    // Incomplete multipart uploads do not keep a bucket alive; their parts go with it.
    const parts = sql(ctx, 'SELECT p.blob_id FROM s3_parts p JOIN s3_uploads u ON u.upload_id = p.upload_id WHERE u.bucket = ?').all(input.Bucket) as { blob_id: string }[];
    sql(ctx, 'DELETE FROM s3_buckets WHERE name = ?').run(input.Bucket);
    await dropBlobs(ctx, parts.map((p) => p.blob_id));
    return undefined;
  },

  GetBucketLocation(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    // us-east-1 is the absent constraint.
    return b.region === 'us-east-1' ? {} : { LocationConstraint: b.region as GetBucketLocationOutput['LocationConstraint'] };
  },

  GetBucketVersioning(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    return b.versioning ? { Status: b.versioning } : {};
  },

  PutBucketVersioning(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    const status = input.VersioningConfiguration.Status;
    if (status === undefined) return undefined;
    if (b.objectLock && status === 'Suspended') {
      throw new AwsError('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.', { status: 409 });
    }
    sql(ctx, 'UPDATE s3_buckets SET versioning = ? WHERE name = ?').run(status, b.name);
    return undefined;
  },
};
