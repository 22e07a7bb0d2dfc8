import type { ServiceEnv } from '../service.js';
import { dropBlobs, findBucket, quoteEtag, writeVersion } from './store.js';

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
