import { createHash, randomBytes } from 'node:crypto';
import type { Operations } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { type ChecksumAlgorithm, type StoredChecksum, checksumFields, hasher, isChecksumAlgorithm } from './checksums.js';
import { checkKey, checkMetadata, contentHeaders, copySource, encryptionOf, parseTagging, versionIdOf } from './objects.js';
import { checkAclAllowed } from './configs.js';
import { newObjectLock } from './locks.js';
import { publishObjectEvent } from './notifications.js';
import { checkWriteConditions } from './preconditions.js';
import { type ContentHeaders, type ObjectExtra, type Tag, dropBlobs, findVersion, getBucket, ownerOf, quoteEtag, sameEtag, writeVersion, sql } from './store.js';
import { receiveBody } from './upload.js';
import { checkCustomerKey, customerKey } from './sse.js';

/**
 * Multipart uploads: parts are blobs of their own until CompleteMultipartUpload composes them,
 * in order and without copying, into the object's blob. Limits are AWS's: parts 1..10,000, each but the last at
 * least 5 MiB. https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */
const MIN_PART_BYTES = 5 * 1024 * 1024;

interface UploadAttributes {
  headers: ContentHeaders;
  metadata: Record<string, string>;
  tags: Tag[];
  storageClass: string;
  checksum?: { algorithm: ChecksumAlgorithm; type: 'COMPOSITE' | 'FULL_OBJECT' };
  extra: ObjectExtra;
}

interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  owner: string;
  attributes: UploadAttributes;
}

interface PartRow {
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  md5: string;
  last_modified: number;
  checksum: string | null;
}

function getUpload(ctx: RequestContext, bucket: string, key: string, uploadId: string): Upload {
  getBucket(ctx, bucket);
  const r = sql(ctx, 'SELECT upload_id, bucket, key, initiated, owner, attributes FROM s3_uploads WHERE upload_id = ?').get(uploadId) as
    | { upload_id: string; bucket: string; key: string; initiated: number; owner: string; attributes: string }
    | undefined;
  if (!r || r.bucket !== bucket || r.key !== key) {
    throw new AwsError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { status: 404, fields: { UploadId: uploadId } });
  }
  return { uploadId: r.upload_id, bucket: r.bucket, key: r.key, initiated: r.initiated, owner: r.owner, attributes: JSON.parse(r.attributes) };
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { status: 400, fields: { ArgumentName: 'partNumber', ArgumentValue: n } });
  }
}

/** Stores a received part, replacing an earlier upload of the same number. */
async function savePart(ctx: RequestContext, upload: Upload, partNumber: number, blob: { id: string; size: number; md5: string }, checksum: StoredChecksum | null): Promise<number> {
  const now = ctx.clock.now();
  const old = sql(ctx, 'SELECT blob_id FROM s3_parts WHERE upload_id = ? AND part_number = ?').get(upload.uploadId, partNumber) as { blob_id: string } | undefined;
  sql(ctx, `INSERT INTO s3_parts (upload_id, part_number, blob_id, size, etag, md5, last_modified, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag, md5 = excluded.md5,
      last_modified = excluded.last_modified, checksum = excluded.checksum`)
    .run(upload.uploadId, partNumber, blob.id, blob.size, quoteEtag(blob.md5), blob.md5, now, checksum ? JSON.stringify(checksum) : null);
  await dropBlobs(ctx, [old?.blob_id]);
  return now;
}

/** The parts named by CompleteMultipartUpload, checked as S3 checks them. */
function checkedParts(ctx: RequestContext, upload: Upload, given: { PartNumber?: number; ETag?: string; [k: string]: unknown }[]): PartRow[] {
  if (given.length === 0) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { status: 400 });
  const stored = new Map((sql(ctx, 'SELECT * FROM s3_parts WHERE upload_id = ?').all(upload.uploadId) as PartRow[]).map((p) => [p.part_number, p]));
  const parts: PartRow[] = [];
  for (const [i, g] of given.entries()) {
    if (i > 0 && (g.PartNumber ?? 0) <= (given[i - 1]!.PartNumber ?? 0)) {
      throw new AwsError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { status: 400, fields: { UploadId: upload.uploadId } });
    }
    const p = stored.get(g.PartNumber ?? 0);
    const checksum = p?.checksum ? (JSON.parse(p.checksum) as StoredChecksum) : undefined;
    const givenChecksum = checksum ? g[`Checksum${checksum.algorithm}`] : undefined;
    if (!p || !g.ETag || !sameEtag(g.ETag, p.etag) || (givenChecksum !== undefined && givenChecksum !== checksum!.value)) {
      throw new AwsError('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", {
        status: 400, fields: { UploadId: upload.uploadId, PartNumber: g.PartNumber ?? 0, ETag: g.ETag ?? '' },
      });
    }
    parts.push(p);
  }
  for (const p of parts.slice(0, -1)) {
    if (p.size < MIN_PART_BYTES) {
      throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        status: 400, fields: { ProposedSize: p.size, MinSizeAllowed: MIN_PART_BYTES, PartNumber: p.part_number, ETag: p.etag },
      });
    }
  }
  return parts;
}

/** A composite checksum: the checksum of the parts' checksums, with the part count. */
function compositeChecksum(algorithm: ChecksumAlgorithm, parts: PartRow[]): StoredChecksum | null {
  const h = hasher(algorithm);
  for (const p of parts) {
    const c = p.checksum ? (JSON.parse(p.checksum) as StoredChecksum) : undefined;
    if (!c || c.algorithm !== algorithm) return null;
    h.update(Buffer.from(c.value, 'base64'));
  }
  return { algorithm, value: `${h.digest().toString('base64')}-${parts.length}`, type: 'COMPOSITE' };
}

/** The FULL_OBJECT checksum of the parts' bytes, read in order. */
async function checksumOf(algorithm: ChecksumAlgorithm, ctx: RequestContext, parts: PartRow[]): Promise<StoredChecksum> {
  const h = hasher(algorithm);
  for (const p of parts) {
    const body = ctx.blobs.read(p.blob_id);
    if (Buffer.isBuffer(body)) h.update(body);
    else for await (const chunk of body) h.update(chunk as Buffer);
  }
  return { algorithm, value: h.digest().toString('base64'), type: 'FULL_OBJECT' };
}

export const multipartHandlers: Handlers<Operations> = {
  CreateMultipartUpload(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    checkKey(input.Key);
    checkAclAllowed(ctx, bucket.name, input.ACL);
    const algorithm = isChecksumAlgorithm(input.ChecksumAlgorithm) ? input.ChecksumAlgorithm : undefined;
    const type = input.ChecksumType ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
    if (type === 'FULL_OBJECT' && algorithm && !algorithm.startsWith('CRC')) {
      throw new AwsError('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`, { status: 400 });
    }
    const sse = encryptionOf(ctx, bucket.name, input.ServerSideEncryption);
    const attributes: UploadAttributes = {
      headers: contentHeaders(input), metadata: checkMetadata(input.Metadata), tags: parseTagging(input.Tagging), storageClass: input.StorageClass ?? 'STANDARD',
      ...(algorithm ? { checksum: { algorithm, type } } : {}),
      extra: { ServerSideEncryption: sse, ...customerKey(input), ...newObjectLock(ctx, bucket, input), ...(input.ACL ? { acl: { canned: input.ACL } } : {}) },
    };
    const uploadId = randomBytes(48).toString('base64url');
    sql(ctx, 'INSERT INTO s3_uploads (upload_id, bucket, key, initiated, owner, attributes) VALUES (?, ?, ?, ?, ?, ?)')
      .run(uploadId, bucket.name, input.Key, ctx.clock.now(), ctx.accountId, JSON.stringify(attributes));
    return { Bucket: bucket.name, Key: input.Key, UploadId: uploadId, ServerSideEncryption: sse, ...(algorithm ? { ChecksumAlgorithm: algorithm, ChecksumType: type } : {}) };
  },

  async UploadPart(input, ctx) {
    const upload = getUpload(ctx, input.Bucket, input.Key, input.UploadId);
    checkPartNumber(input.PartNumber);
    checkCustomerKey(upload.attributes.extra, input);
    const { blob, checksum } = await receiveBody(ctx, input.Body, input);
    await savePart(ctx, upload, input.PartNumber, blob, checksum);
    return { ETag: quoteEtag(blob.md5), ServerSideEncryption: upload.attributes.extra.ServerSideEncryption as 'AES256', ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value } : {}) };
  },

  async UploadPartCopy(input, ctx) {
    const upload = getUpload(ctx, input.Bucket, input.Key, input.UploadId);
    checkPartNumber(input.PartNumber);
    const src = copySource(ctx, input.CopySource, input);
    const s = src.version;
    let range: { start: number; end: number } | undefined;
    if (input.CopySourceRange !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange);
      if (!m || Number(m[2]) < Number(m[1])) {
        throw new AwsError('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { status: 400 });
      }
      if (Number(m[2]) >= s.size) throw new AwsError('InvalidRange', 'The requested range is not satisfiable', { status: 416, fields: { RangeRequested: input.CopySourceRange, ActualObjectSize: s.size } });
      range = { start: Number(m[1]), end: Number(m[2]) };
    }
    const body = s.blobId ? ctx.blobs.read(s.blobId, range) : Buffer.alloc(0);
    const { blob, checksum } = await receiveBody(ctx, body, { ChecksumAlgorithm: upload.attributes.checksum?.algorithm });
    const now = await savePart(ctx, upload, input.PartNumber, blob, checksum);
    return {
      CopyPartResult: { ETag: quoteEtag(blob.md5), LastModified: new Date(now), ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value } : {}) },
      ...(src.bucket.versioning ? { CopySourceVersionId: s.versionId } : {}),
    };
  },

  async CompleteMultipartUpload(input, ctx) {
    const bucket = getBucket(ctx, input.Bucket);
    const upload = getUpload(ctx, input.Bucket, input.Key, input.UploadId);
    const parts = checkedParts(ctx, upload, (input.MultipartUpload?.Parts ?? []) as { PartNumber?: number; ETag?: string }[]);
    checkWriteConditions(input, () => findVersion(ctx, bucket.name, input.Key), input.Key);
    const c = upload.attributes.checksum;
    const size = parts.reduce((n, p) => n + p.size, 0);
    // A whole-object checksum needs every byte read once; the bytes themselves are not copied.
    const fullChecksum = c?.type === 'FULL_OBJECT' ? await checksumOf(c.algorithm, ctx, parts) : null;
    const checksum = c?.type === 'COMPOSITE' ? compositeChecksum(c.algorithm, parts) : fullChecksum;
    // A client that sends the whole object's checksum, or its size, has them checked.
    const claimed = c?.type === 'FULL_OBJECT' ? input[`Checksum${c.algorithm}`] : undefined;
    if (claimed !== undefined && claimed !== fullChecksum?.value) {
      throw new AwsError('BadDigest', `The ${c!.algorithm} you specified did not match the calculated checksum.`, { status: 400 });
    }
    if (input.MpuObjectSize !== undefined && input.MpuObjectSize !== size) {
      throw new AwsError('InvalidRequest', `The provided 'x-amz-mp-object-size' header value ${input.MpuObjectSize} does not match what was computed: ${size}`, { status: 400 });
    }
    const md5s = createHash('md5');
    for (const p of parts) md5s.update(Buffer.from(p.md5, 'hex'));
    const etag = `"${md5s.digest('hex')}-${parts.length}"`;
    const a = upload.attributes;
    const used = new Set(parts.map((p) => p.blob_id));
    const unused = (sql(ctx, 'SELECT blob_id FROM s3_parts WHERE upload_id = ?').all(upload.uploadId) as { blob_id: string }[])
      .map((p) => p.blob_id).filter((id) => !used.has(id));
    // The object takes the parts' blobs as they are; in one transaction with the upload's end, so no
    // abort can later delete what the object reads.
    const { versionId, orphans } = ctx.db.transaction(() => {
      const blobId = ctx.blobs.compose(parts.map((p) => ({ id: p.blob_id, size: p.size })));
      const written = writeVersion(ctx, bucket, input.Key, {
        deleteMarker: false, blobId, size, etag, lastModified: ctx.clock.now(), storageClass: a.storageClass, owner: upload.owner,
        headers: a.headers, metadata: a.metadata, checksum, tags: a.tags, parts: parts.map((p) => p.size), extra: a.extra,
      });
      sql(ctx, 'DELETE FROM s3_uploads WHERE upload_id = ?').run(upload.uploadId);
      return written;
    })();
    await dropBlobs(ctx, [...orphans, ...unused]);
    publishObjectEvent(ctx, bucket, 'ObjectCreated:CompleteMultipartUpload', input.Key, { size, etag: etag.slice(1, -1), versionId });
    return {
      Location: `${ctx.endpoint}/${bucket.name}/${encodeURIComponent(input.Key).replace(/%2F/g, '/')}`, Bucket: bucket.name, Key: input.Key, ETag: etag,
      ServerSideEncryption: a.extra.ServerSideEncryption as 'AES256', ...versionIdOf(bucket, versionId), ...checksumFields(checksum),
    };
  },

  async AbortMultipartUpload(input, ctx) {
    const upload = getUpload(ctx, input.Bucket, input.Key, input.UploadId);
    const parts = sql(ctx, 'SELECT blob_id FROM s3_parts WHERE upload_id = ?').all(upload.uploadId) as { blob_id: string }[];
    sql(ctx, 'DELETE FROM s3_uploads WHERE upload_id = ?').run(upload.uploadId);
    await dropBlobs(ctx, parts.map((p) => p.blob_id));
    return {};
  },

  ListParts(input, ctx) {
    const upload = getUpload(ctx, input.Bucket, input.Key, input.UploadId);
    const max = Math.min(input.MaxParts ?? 1000, 1000);
    const marker = Number(input.PartNumberMarker ?? 0);
    const rows = sql(ctx, 'SELECT * FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?').all(upload.uploadId, marker, max + 1) as PartRow[];
    const page = rows.slice(0, max);
    const c = upload.attributes.checksum;
    return {
      Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId, PartNumberMarker: marker, MaxParts: max, IsTruncated: rows.length > max,
      ...(page.length ? { NextPartNumberMarker: page[page.length - 1]!.part_number } : {}),
      Parts: page.map((p) => {
        const pc = p.checksum ? (JSON.parse(p.checksum) as StoredChecksum) : undefined;
        return { PartNumber: p.part_number, LastModified: new Date(p.last_modified), ETag: p.etag, Size: p.size, ...(pc ? { [`Checksum${pc.algorithm}`]: pc.value } : {}) };
      }),
      Initiator: { ID: ownerOf(upload.owner).ID, DisplayName: upload.owner }, Owner: ownerOf(upload.owner),
      StorageClass: upload.attributes.storageClass as 'STANDARD', ...(c ? { ChecksumAlgorithm: c.algorithm, ChecksumType: c.type } : {}),
    };
  },

  ListMultipartUploads(input, ctx) {
    getBucket(ctx, input.Bucket);
    const prefix = input.Prefix ?? '';
    const max = Math.min(input.MaxUploads ?? 1000, 1000);
    const keyMarker = input.KeyMarker ?? '';
    const rows = sql(ctx, `SELECT upload_id, key, initiated, owner, attributes FROM s3_uploads WHERE bucket = ? AND key >= ?
        AND (key > ? OR (key = ? AND upload_id > ?)) ORDER BY key, initiated, upload_id`)
      .all(input.Bucket, prefix, keyMarker, keyMarker, input.UploadIdMarker ?? '\uffff') as { upload_id: string; key: string; initiated: number; owner: string; attributes: string }[];
    const uploads = [];
    const prefixes: string[] = [];
    let truncated = false;
    for (const r of rows) {
      if (!r.key.startsWith(prefix)) break;
      const i = input.Delimiter ? r.key.indexOf(input.Delimiter, prefix.length) : -1;
      const common = i >= 0 ? r.key.slice(0, i + input.Delimiter!.length) : undefined;
      if (common !== undefined && (prefixes[prefixes.length - 1] === common || keyMarker.startsWith(common))) continue;
      if (uploads.length + prefixes.length === max) {
        truncated = true;
        break;
      }
      if (common !== undefined) prefixes.push(common);
      else uploads.push(r);
    }
    const last = uploads[uploads.length - 1];
    return {
      Bucket: input.Bucket, KeyMarker: keyMarker, UploadIdMarker: input.UploadIdMarker ?? '', MaxUploads: max, IsTruncated: truncated, Prefix: prefix,
      ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
      ...(truncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.upload_id } : {}),
      Uploads: uploads.map((r) => {
        const a = JSON.parse(r.attributes) as UploadAttributes;
        return {
          UploadId: r.upload_id, Key: r.key, Initiated: new Date(r.initiated), StorageClass: a.storageClass as 'STANDARD',
          Owner: ownerOf(r.owner), Initiator: { ID: ownerOf(r.owner).ID, DisplayName: r.owner }, ...(a.checksum ? { ChecksumAlgorithm: a.checksum.algorithm, ChecksumType: a.checksum.type } : {}),
        };
      }),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
    };
  },
};
