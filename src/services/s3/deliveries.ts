import type { ServiceEnv } from '../service.js';
import { dropBlobs, findBucket, quoteEtag, sql, writeVersion } from './store.js';

/**
 * An object another AWS service writes into a bucket for its owner (a DynamoDB table export),
 * sent through the event bus as `s3:put-object`: the body is already in the blob store.
 */
export interface PutObjectEvent {
  bucket: string;
  key: string;
  blobId: string;
  size: number;
  md5: string;
  contentType: string;
  /** The account writing, which owns the object. */
  owner: string;
  /** The bucket's owner the writer expects (S3BucketOwner); any owner when absent. */
  expectedOwner?: string;
  /** Published back, with `reason` added, when the object cannot be written. */
  onFailure?: { event: `${string}:${string}`; payload: Record<string, unknown> };
  /** Published back once the object is written. */
  onSuccess?: { event: `${string}:${string}`; payload: Record<string, unknown> };
}

export async function putObject(e: PutObjectEvent, env: ServiceEnv): Promise<void> {
  const bucket = findBucket(env, e.bucket);
  if (!bucket || (e.expectedOwner !== undefined && bucket.accountId !== e.expectedOwner)) {
    await dropBlobs(env, [e.blobId]);
    if (e.onFailure) env.bus.publish(e.onFailure.event, { ...e.onFailure.payload, reason: bucket ? 'S3AccessDenied' : 'S3NoSuchBucket' });
    return;
  }
  const { orphans } = writeVersion(env, bucket, e.key, {
    deleteMarker: false, blobId: e.blobId, size: e.size, etag: quoteEtag(e.md5), lastModified: env.clock.now(), storageClass: 'STANDARD',
    owner: e.owner, headers: { ContentType: e.contentType }, metadata: {}, checksum: null, tags: [], parts: null, extra: { ServerSideEncryption: 'AES256' },
  });
  await dropBlobs(env, orphans);
  if (e.onSuccess) env.bus.publish(e.onSuccess.event, e.onSuccess.payload);
}

/**
 * Another AWS service reading a bucket's objects for its owner (a DynamoDB import from S3), sent
 * through the event bus as `s3:list-objects`: S3 answers with the current version of every object
 * under the prefix, by key, with the id of the blob that holds its body. The blob store is shared,
 * so the reader reads the bodies itself; a blob goes when its object is overwritten or deleted, so
 * the reader reads them as soon as the answer comes and counts one that is gone as unreadable.
 */
export interface ListObjectsEvent {
  bucket: string;
  prefix: string;
  /** The bucket's owner the reader expects (S3BucketOwner); any owner when absent. */
  expectedOwner?: string;
  /** Published back with `objects` added, or `reason` when the bucket cannot be read. */
  reply: { event: `${string}:${string}`; payload: Record<string, unknown> };
}

export interface ListedObject {
  key: string;
  blobId: string;
  size: number;
}

export function listObjects(e: ListObjectsEvent, env: ServiceEnv): void {
  const bucket = findBucket(env, e.bucket);
  if (!bucket || (e.expectedOwner !== undefined && bucket.accountId !== e.expectedOwner)) {
    env.bus.publish(e.reply.event, { ...e.reply.payload, reason: bucket ? 'S3AccessDenied' : 'S3NoSuchBucket' });
    return;
  }
  const objects: ListedObject[] = [];
  const rows = sql(env, 'SELECT key, blob_id, size FROM s3_objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND key >= ? ORDER BY key')
    .iterate(bucket.name, e.prefix) as Iterable<{ key: string; blob_id: string | null; size: number }>;
  for (const r of rows) {
    if (!r.key.startsWith(e.prefix)) break;
    if (r.blob_id) objects.push({ key: r.key, blobId: r.blob_id, size: r.size });
  }
  env.bus.publish(e.reply.event, { ...e.reply.payload, objects });
}
