import type { GetObjectOutput, Operations } from '../../generated/types/s3.js';
import { withStatus } from '../../protocols/codec.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { checksumFields, isChecksumAlgorithm } from './checksums.js';
import { checkAclAllowed, checkTags, getConfig } from './configs.js';
import { checkDeletable, lockFields, newObjectLock } from './locks.js';
import { publishObjectEvent } from './notifications.js';
import { checkCopySourceConditions, checkReadConditions, checkWriteConditions, parseRange } from './preconditions.js';
import {
  type Bucket, type ContentHeaders, type ObjectVersion, type Tag, dropBlobs, findBucket, findVersion, getBucket, noSuchBucket, quoteEtag, readableVersion,
  removeVersion, writeVersion,
} from './store.js';
import { accessDenied, allowed, requester } from './access.js';
import { receiveBody } from './upload.js';
import { expirationOf } from './lifecycle.js';
import { checkCustomerKey, customerKey, customerKeyFields } from './sse.js';

/**
 * Objects: PUT/GET/HEAD/DELETE, copies and batch deletes. Every write goes through
 * `writeVersion`, which applies the bucket's versioning state.
 */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export function contentHeaders(input: ContentHeaders): ContentHeaders {
  // `aws-chunked` is transfer framing, not a content coding of the stored object.
  const encoding = input.ContentEncoding?.split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked').join(', ');
  const h: ContentHeaders = {
    ContentType: input.ContentType ?? 'binary/octet-stream',
    ContentEncoding: encoding || undefined,
    ContentDisposition: input.ContentDisposition,
    ContentLanguage: input.ContentLanguage,
    CacheControl: input.CacheControl,
    Expires: input.Expires,
    WebsiteRedirectLocation: input.WebsiteRedirectLocation,
  };
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as ContentHeaders;
}

/** `x-amz-tagging` is a URL query string: `k1=v1&k2=v2`. */
export function parseTagging(header: string | undefined): Tag[] {
  if (!header) return [];
  return checkTags([...new URLSearchParams(header)].map(([Key, Value]) => ({ Key, Value })), 10);
}

export function checkKey(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new AwsError('KeyTooLongError', 'Your key is too long', { status: 400, fields: { Size: Buffer.byteLength(key), MaxSizeAllowed: 1024 } });
}

export function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const m = metadata ?? {};
  const size = Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > 2048) throw new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', { status: 400, fields: { Size: size, MaxSizeAllowed: 2048 } });
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The encryption an object gets: what the request asks for, else the bucket's default (SSE-S3). */
export function encryptionOf(ctx: RequestContext, bucket: string, asked: string | undefined): 'AES256' | 'aws:kms' | 'aws:kms:dsse' {
  if (asked === 'AES256' || asked === 'aws:kms' || asked === 'aws:kms:dsse') return asked;
  const config = getConfig<{ Rules?: { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }[] }>(ctx, bucket, 'encryption');
  const alg = config?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  return alg === 'aws:kms' || alg === 'aws:kms:dsse' ? alg : 'AES256';
}

/** Version ids are shown only by buckets that have had versioning turned on. */
export function versionIdOf(bucket: Bucket, versionId: string): { VersionId?: string } {
  return bucket.versioning ? { VersionId: versionId } : {};
}

/** What GET and HEAD say about an object, in headers. */
function describe(ctx: RequestContext, bucket: Bucket, v: ObjectVersion): GetObjectOutput {
  // Assigned in turn rather than written as one literal of spreads and members: V8 in Node 20
  // builds such a literal through a slow path that cost microseconds on every GET and HEAD.
  const out: GetObjectOutput = {};
  const expiration = v.isLatest ? expirationOf(ctx, bucket.name, v) : undefined;
  if (expiration) out.Expiration = expiration;
  Object.assign(out, v.headers);
  out.Metadata = v.metadata;
  out.ETag = v.etag;
  out.LastModified = new Date(v.lastModified);
  out.ContentLength = v.size;
  out.AcceptRanges = 'bytes';
  Object.assign(out, versionIdOf(bucket, v.versionId));
  if (v.storageClass !== 'STANDARD') out.StorageClass = v.storageClass as GetObjectOutput['StorageClass'];
  if (v.extra.ServerSideEncryption && !v.extra.SSECustomerKeyMD5) out.ServerSideEncryption = v.extra.ServerSideEncryption;
  Object.assign(out, customerKeyFields(v.extra));
  if (v.extra.SSEKMSKeyId) out.SSEKMSKeyId = v.extra.SSEKMSKeyId;
  if (v.tags.length) out.TagCount = v.tags.length;
  if (v.parts) out.PartsCount = v.parts.length;
  if (v.extra.restoredUntil !== undefined) out.Restore = `ongoing-request="false", expiry-date="${new Date(v.extra.restoredUntil).toUTCString()}"`;
  return Object.assign(out, lockFields(v));
}

/** The byte range of part `n` of a multipart object (or the whole of a simple one, as part 1). */
function partRange(v: ObjectVersion, n: number): { start: number; end: number } {
  const parts = v.parts ?? [v.size];
  if (n > parts.length) throw new AwsError('InvalidPartNumber', 'The requested partnumber is not satisfiable', { status: 416, fields: { PartNumberRequested: n, ActualPartCount: parts.length } });
  const start = parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + parts[n - 1]! - 1 };
}

export function checkNotArchived(v: ObjectVersion, ctx: RequestContext): void {
  if (ARCHIVED.has(v.storageClass) && !(v.extra.restoredUntil !== undefined && v.extra.restoredUntil > ctx.clock.now())) {
    throw new AwsError('InvalidObjectState', "The operation is not valid for the object's storage class", { status: 403, fields: { StorageClass: v.storageClass } });
  }
}

/** One key of DeleteObject or DeleteObjects, per the bucket's versioning state. */
export async function deleteOne(ctx: RequestContext, bucket: Bucket, key: string, versionId: string | undefined, bypassGovernance: boolean): Promise<{ DeleteMarker?: boolean; VersionId?: string }> {
  if (versionId !== undefined) {
    const v = findVersion(ctx, bucket.name, key, versionId);
    if (!v) return { VersionId: versionId };
    checkDeletable(ctx, v, bypassGovernance);
    removeVersion(ctx, v);
    await dropBlobs(ctx, [v.blobId]);
    publishObjectEvent(ctx, bucket, 'ObjectRemoved:Delete', v.key, { versionId: v.versionId });
    return { VersionId: versionId, ...(v.deleteMarker ? { DeleteMarker: true } : {}) };
  }
  if (bucket.versioning === null) {
    const v = findVersion(ctx, bucket.name, key);
    if (v) {
      checkDeletable(ctx, v, bypassGovernance);
      removeVersion(ctx, v);
      await dropBlobs(ctx, [v.blobId]);
      publishObjectEvent(ctx, bucket, 'ObjectRemoved:Delete', key, {});
    }
    return {};
  }
  const marker = writeVersion(ctx, bucket, key, {
    deleteMarker: true, blobId: null, size: 0, etag: '', lastModified: ctx.clock.now(), storageClass: 'STANDARD', owner: ctx.accountId,
    headers: {}, metadata: {}, checksum: null, tags: [], parts: null, extra: {},
  });
  await dropBlobs(ctx, marker.orphans);
  publishObjectEvent(ctx, bucket, 'ObjectRemoved:DeleteMarkerCreated', key, { versionId: marker.versionId });
  return { DeleteMarker: true, VersionId: marker.versionId };
}

/** `bucket/key`, `/bucket/key?versionId=...`, URL-encoded, or an access point ARN's object. */
function parseCopySource(source: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = source.replace(/^\//, '').split('?', 2) as [string, string | undefined];
  const versionId = query ? new URLSearchParams(query).get('versionId') ?? undefined : undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new AwsError('InvalidArgument', 'Invalid copy source object key', { status: 400, fields: { ArgumentName: 'x-amz-copy-source', ArgumentValue: source } });
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId ? { versionId } : {}) };
}

/** The object a copy reads, checked against the copy-source conditions. */
export function copySource(ctx: RequestContext, source: string, conditions: {
  CopySourceIfMatch?: string; CopySourceIfNoneMatch?: string; CopySourceIfModifiedSince?: Date; CopySourceIfUnmodifiedSince?: Date;
  CopySourceSSECustomerAlgorithm?: string; CopySourceSSECustomerKey?: string; CopySourceSSECustomerKeyMD5?: string;
}) {
  const s = parseCopySource(source);
  const bucket = findBucket(ctx, s.bucket);
  if (!bucket) throw noSuchBucket(s.bucket);
  // The request's own check covered the destination; reading the source needs s3:GetObject there.
  if (!allowed(ctx, bucket, requester(ctx), 's3:GetObject', s.key)) throw accessDenied();
  const v = readableVersion(ctx, bucket.name, s.key, s.versionId);
  checkNotArchived(v, ctx);
  checkCustomerKey(v.extra, { SSECustomerAlgorithm: conditions.CopySourceSSECustomerAlgorithm, SSECustomerKey: conditions.CopySourceSSECustomerKey, SSECustomerKeyMD5: conditions.CopySourceSSECustomerKeyMD5 });
  checkCopySourceConditions({ IfMatch: conditions.CopySourceIfMatch, IfNoneMatch: conditions.CopySourceIfNoneMatch, IfModifiedSince: conditions.CopySourceIfModifiedSince, IfUnmodifiedSince: conditions.CopySourceIfUnmodifiedSince }, v);
  return { bucket, version: v, key: s.key, explicitVersion: s.versionId !== undefined };
}

export const objectHandlers: Handlers<Operations> = {
  async PutObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    checkKey(input.Key);
    const metadata = checkMetadata(input.Metadata);
    const tags = parseTagging(input.Tagging);
    checkAclAllowed(ctx, bucket.name, input.ACL);
    checkWriteConditions(input, () => findVersion(ctx, bucket.name, input.Key), input.Key);
    const lock = newObjectLock(ctx, bucket, input);
    const sseC = customerKey(input);
    const { blob, checksum } = await receiveBody(ctx, input.Body, input);
    // The condition is checked again once the body is in: another writer may have won meanwhile.
    try {
      checkWriteConditions(input, () => findVersion(ctx, bucket.name, input.Key), input.Key);
    } catch (e) {
      await dropBlobs(ctx, [blob.id]);
      throw e;
    }
    const sse = encryptionOf(ctx, bucket.name, input.ServerSideEncryption);
    const etag = quoteEtag(blob.md5);
    const { versionId, orphans } = writeVersion(ctx, bucket, input.Key, {
      deleteMarker: false, blobId: blob.id, size: blob.size, etag, lastModified: ctx.clock.now(), storageClass: input.StorageClass ?? 'STANDARD',
      owner: ctx.accountId, headers: contentHeaders(input), metadata, checksum, tags, parts: null,
      extra: { ServerSideEncryption: sse, ...(input.SSEKMSKeyId ? { SSEKMSKeyId: input.SSEKMSKeyId } : {}), ...sseC, ...lock, ...(input.ACL ? { acl: { canned: input.ACL } } : {}) },
    });
    await dropBlobs(ctx, orphans);
    // A browser form upload (post-object.ts) stores through here too, and is announced as a Post.
    publishObjectEvent(ctx, bucket, ctx.operation === 'PostObject' ? 'ObjectCreated:Post' : 'ObjectCreated:Put', input.Key, { size: blob.size, etag: blob.md5, versionId });
    const expiration = expirationOf(ctx, bucket.name, { key: input.Key, size: blob.size, tags, lastModified: ctx.clock.now() });
    return { ...(expiration ? { Expiration: expiration } : {}), ETag: etag, ...(sseC ? sseC : { ServerSideEncryption: sse }), Size: blob.size, ...versionIdOf(bucket, versionId), ...checksumFields(checksum) };
  },

  GetObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    checkReadConditions(input, v);
    checkNotArchived(v, ctx);
    checkCustomerKey(v.extra, input);
    const range = input.PartNumber !== undefined ? partRange(v, input.PartNumber) : parseRange(input.Range, v.size);
    const out: GetObjectOutput = describe(ctx, bucket, v);
    if (input.ChecksumMode === 'ENABLED' && (!range || (input.PartNumber !== undefined && !v.parts))) Object.assign(out, checksumFields(v.checksum));
    // Response overrides: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
    if (input.ResponseContentType) out.ContentType = input.ResponseContentType;
    if (input.ResponseContentDisposition) out.ContentDisposition = input.ResponseContentDisposition;
    if (input.ResponseContentEncoding) out.ContentEncoding = input.ResponseContentEncoding;
    if (input.ResponseContentLanguage) out.ContentLanguage = input.ResponseContentLanguage;
    if (input.ResponseCacheControl) out.CacheControl = input.ResponseCacheControl;
    if (input.ResponseExpires) out.Expires = input.ResponseExpires.toUTCString();
    if (v.size === 0 || !v.blobId) {
      out.Body = Buffer.alloc(0);
      return out;
    }
    if (!range) {
      out.Body = ctx.blobs.read(v.blobId);
      return out;
    }
    out.ContentLength = range.end - range.start + 1;
    out.ContentRange = `bytes ${range.start}-${range.end}/${v.size}`;
    out.Body = ctx.blobs.read(v.blobId, range);
    return withStatus(out, 206);
  },

  HeadObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const v = readableVersion(ctx, bucket.name, input.Key, input.VersionId);
    checkReadConditions(input, v);
    checkCustomerKey(v.extra, input);
    const out = describe(ctx, bucket, v);
    const range = input.PartNumber !== undefined ? partRange(v, input.PartNumber) : parseRange(input.Range, v.size);
    if (input.ChecksumMode === 'ENABLED' && !range) Object.assign(out, checksumFields(v.checksum));
    if (!range) return out;
    return withStatus({ ...out, ContentLength: range.end - range.start + 1, ContentRange: `bytes ${range.start}-${range.end}/${v.size}` }, 206);
  },

  async DeleteObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    checkWriteConditions({ IfMatch: input.IfMatch }, () => findVersion(ctx, bucket.name, input.Key, input.VersionId), input.Key);
    return deleteOne(ctx, bucket, input.Key, input.VersionId, input.BypassGovernanceRetention === true);
  },

  async DeleteObjects(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const objects = input.Delete.Objects;
    if (objects.length > 1000) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { status: 400 });
    const Deleted = [];
    const Errors = [];
    for (const o of objects) {
      try {
        const r = await deleteOne(ctx, bucket, o.Key, o.VersionId, input.BypassGovernanceRetention === true);
        Deleted.push({
          Key: o.Key,
          ...(o.VersionId !== undefined ? { VersionId: o.VersionId } : {}),
          ...(r.DeleteMarker ? { DeleteMarker: true } : {}),
          ...(r.DeleteMarker && o.VersionId === undefined ? { DeleteMarkerVersionId: r.VersionId } : {}),
          ...(r.DeleteMarker && o.VersionId !== undefined ? { DeleteMarkerVersionId: o.VersionId } : {}),
        });
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        Errors.push({ Key: o.Key, ...(o.VersionId !== undefined ? { VersionId: o.VersionId } : {}), Code: e.code, Message: e.message });
      }
    }
    // Quiet mode reports only the keys that failed.
    return { ...(input.Delete.Quiet ? {} : { Deleted }), ...(Errors.length ? { Errors } : {}) };
  },

  async CopyObject(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    checkKey(input.Key);
    const src = copySource(ctx, input.CopySource, input);
    const replaceMetadata = input.MetadataDirective === 'REPLACE';
    const sameObject = src.bucket.name === bucket.name && src.key === input.Key && !src.explicitVersion;
    if (sameObject && !replaceMetadata && !input.StorageClass && !input.WebsiteRedirectLocation && !input.ServerSideEncryption && !input.SSECustomerAlgorithm) {
      throw new AwsError('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.", { status: 400 });
    }
    checkWriteConditions(input, () => findVersion(ctx, bucket.name, input.Key), input.Key);
    const s = src.version;
    const algorithm = isChecksumAlgorithm(input.ChecksumAlgorithm) ? input.ChecksumAlgorithm : s.checksum?.type === 'FULL_OBJECT' ? s.checksum.algorithm : undefined;
    const { blob, checksum } = await receiveBody(ctx, s.blobId ? ctx.blobs.read(s.blobId) : Buffer.alloc(0), { ChecksumAlgorithm: algorithm });
    const sse = encryptionOf(ctx, bucket.name, input.ServerSideEncryption);
    const now = ctx.clock.now();
    const { versionId, orphans } = writeVersion(ctx, bucket, input.Key, {
      deleteMarker: false, blobId: blob.id, size: blob.size, etag: quoteEtag(blob.md5), lastModified: now,
      storageClass: input.StorageClass ?? s.storageClass, owner: ctx.accountId,
      headers: replaceMetadata ? contentHeaders(input) : s.headers,
      metadata: replaceMetadata ? checkMetadata(input.Metadata) : s.metadata,
      checksum, tags: input.TaggingDirective === 'REPLACE' ? parseTagging(input.Tagging) : s.tags, parts: null,
      extra: { ServerSideEncryption: sse, ...customerKey(input), ...newObjectLock(ctx, bucket, input) },
    });
    await dropBlobs(ctx, orphans);
    publishObjectEvent(ctx, bucket, 'ObjectCreated:Copy', input.Key, { size: blob.size, etag: blob.md5, versionId });
    return {
      CopyObjectResult: { ETag: quoteEtag(blob.md5), LastModified: new Date(now), ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type } : {}) },
      ServerSideEncryption: sse,
      ...versionIdOf(bucket, versionId),
      ...(src.bucket.versioning ? { CopySourceVersionId: s.versionId } : {}),
    };
  },
};
