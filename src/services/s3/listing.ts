import type { Operations, _Object } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { type ObjectRow, type ObjectVersion, getBucket, ownerOf, toVersion, sql } from './store.js';

/**
 * Listings in S3's order: keys by their UTF-8 bytes (SQLite's BINARY collation on UTF-8 text is
 * exactly that), versions of a key newest first. With a delimiter, keys that share the part up to
 * the delimiter after the prefix roll up into one CommonPrefix, which counts once toward max-keys.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-prefixes.html
 */
interface Page {
  entries: ObjectVersion[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix on the page: where the next page starts after. */
  last?: { key: string; versionId?: string };
}

function walk(rows: Iterable<unknown>, prefix: string, delimiter: string | undefined, after: string, maxKeys: number): Page {
  const page: Page = { entries: [], prefixes: [], truncated: false };
  if (maxKeys <= 0) return page;
  // better-sqlite3 iterates lazily, so a page reads only as many rows as it needs.
  for (const row of rows) {
    const v = toVersion(row as ObjectRow);
    if (!v.key.startsWith(prefix)) break;
    let common: string | undefined;
    if (delimiter) {
      const i = v.key.indexOf(delimiter, prefix.length);
      if (i >= 0) common = v.key.slice(0, i + delimiter.length);
    }
    // A prefix already listed (on this page or, through the marker, on an earlier one).
    if (common !== undefined && (page.prefixes[page.prefixes.length - 1] === common || (after !== '' && after.startsWith(common)))) continue;
    if (page.entries.length + page.prefixes.length === maxKeys) {
      page.truncated = true;
      break;
    }
    if (common !== undefined) {
      page.prefixes.push(common);
      page.last = { key: common };
    } else {
      page.entries.push(v);
      page.last = { key: v.key, versionId: v.versionId };
    }
  }
  return page;
}

function latest(ctx: RequestContext, bucket: string, prefix: string, after: string): Iterable<unknown> {
  return sql(ctx, `SELECT * FROM s3_objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND key > ? AND key >= ? ORDER BY key`)
    .iterate(bucket, after, prefix);
}

/** `encoding-type=url`: keys may hold characters XML cannot carry. */
function encoder(encodingType: string | undefined): (s: string) => string {
  return encodingType === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

function maxKeysOf(n: number | undefined): number {
  if (n !== undefined && n < 0) throw new AwsError('InvalidArgument', 'max-keys cannot be negative', { status: 400, fields: { ArgumentName: 'max-keys' } });
  return Math.min(n ?? 1000, 1000);
}

function objectEntry(v: ObjectVersion, enc: (s: string) => string, withOwner: boolean): _Object {
  return {
    Key: enc(v.key), LastModified: new Date(v.lastModified), ETag: v.etag, Size: v.size, StorageClass: v.storageClass as _Object['StorageClass'],
    ...(v.checksum ? { ChecksumAlgorithm: [v.checksum.algorithm], ChecksumType: v.checksum.type } : {}),
    ...(withOwner ? { Owner: ownerOf(v.owner) } : {}),
  };
}

export const listingHandlers: Handlers<Operations> = {
  ListObjects(input, ctx) {
    getBucket(ctx, input.Bucket);
    const prefix = input.Prefix ?? '';
    const maxKeys = maxKeysOf(input.MaxKeys);
    const page = walk(latest(ctx, input.Bucket, prefix, input.Marker ?? ''), prefix, input.Delimiter, input.Marker ?? '', maxKeys);
    const enc = encoder(input.EncodingType);
    return {
      Name: input.Bucket, Prefix: enc(prefix), Marker: enc(input.Marker ?? ''), MaxKeys: maxKeys, IsTruncated: page.truncated,
      ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
      // S3 gives NextMarker only with a delimiter; without one the last key is the marker.
      ...(page.truncated && input.Delimiter && page.last ? { NextMarker: enc(page.last.key) } : {}),
      Contents: page.entries.map((v) => objectEntry(v, enc, true)),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
      ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
    };
  },

  ListObjectsV2(input, ctx) {
    getBucket(ctx, input.Bucket);
    const prefix = input.Prefix ?? '';
    const maxKeys = maxKeysOf(input.MaxKeys);
    let after = input.StartAfter ?? '';
    if (input.ContinuationToken !== undefined) {
      const decoded = Buffer.from(input.ContinuationToken, 'base64url').toString('utf8');
      if (!input.ContinuationToken || !decoded.startsWith('k:')) {
        throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', { status: 400, fields: { ArgumentName: 'continuation-token' } });
      }
      after = decoded.slice(2);
    }
    const page = walk(latest(ctx, input.Bucket, prefix, after), prefix, input.Delimiter, after, maxKeys);
    const enc = encoder(input.EncodingType);
    return {
      Name: input.Bucket, Prefix: enc(prefix), MaxKeys: maxKeys, IsTruncated: page.truncated, KeyCount: page.entries.length + page.prefixes.length,
      ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
      ...(input.StartAfter !== undefined ? { StartAfter: enc(input.StartAfter) } : {}),
      ...(input.ContinuationToken !== undefined ? { ContinuationToken: input.ContinuationToken } : {}),
      ...(page.truncated && page.last ? { NextContinuationToken: Buffer.from(`k:${page.last.key}`).toString('base64url') } : {}),
      Contents: page.entries.map((v) => objectEntry(v, enc, input.FetchOwner === true)),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
      ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
    };
  },

  ListObjectVersions(input, ctx) {
    getBucket(ctx, input.Bucket);
    const prefix = input.Prefix ?? '';
    const maxKeys = maxKeysOf(input.MaxKeys);
    const keyMarker = input.KeyMarker ?? '';
    const markerRow = input.VersionIdMarker && keyMarker
      ? sql(ctx, 'SELECT id FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?').get(input.Bucket, keyMarker, input.VersionIdMarker) as { id: number } | undefined
      : undefined;
    if (input.VersionIdMarker && keyMarker && !markerRow) {
      throw new AwsError('InvalidArgument', 'Invalid version id specified', { status: 400, fields: { ArgumentName: 'version-id-marker', ArgumentValue: input.VersionIdMarker } });
    }
    const rows = sql(ctx, `SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? AND (key > ? OR (key = ? AND id < ?)) ORDER BY key, id DESC`)
      .iterate(input.Bucket, prefix, keyMarker, keyMarker, markerRow?.id ?? -1);
    // Within a key marker's own versions, the key itself is not yet "past": only later prefixes are.
    const page = walk(rows, prefix, input.Delimiter, markerRow ? '' : keyMarker, maxKeys);
    const enc = encoder(input.EncodingType);
    const owner = (v: ObjectVersion) => ownerOf(v.owner);
    return {
      Name: input.Bucket, Prefix: enc(prefix), KeyMarker: enc(keyMarker), VersionIdMarker: input.VersionIdMarker ?? '', MaxKeys: maxKeys, IsTruncated: page.truncated,
      ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
      ...(page.truncated && page.last ? { NextKeyMarker: enc(page.last.key), ...(page.last.versionId ? { NextVersionIdMarker: page.last.versionId } : {}) } : {}),
      Versions: page.entries.filter((v) => !v.deleteMarker).map((v) => ({
        Key: enc(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: new Date(v.lastModified), ETag: v.etag, Size: v.size,
        StorageClass: 'STANDARD' as const, Owner: owner(v), ...(v.checksum ? { ChecksumAlgorithm: [v.checksum.algorithm], ChecksumType: v.checksum.type } : {}),
      })),
      DeleteMarkers: page.entries.filter((v) => v.deleteMarker).map((v) => ({
        Key: enc(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: new Date(v.lastModified), Owner: owner(v),
      })),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
      ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
    };
  },
};
