import { createHash, randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { AwsError } from '../../protocols/errors.js';
import type { RequestContext, ServiceEnv } from '../service.js';
import type { StoredChecksum } from './checksums.js';

/**
 * S3's resources as rows: buckets (one global namespace across accounts), object versions
 * (every object is a version; an unversioned bucket holds only `null` versions) and the
 * bucket's configuration documents. Bodies are blobs; a row is committed only after its blob
 * is on disk, so an acknowledged write survives a crash and a failed one leaves no row.
 */
export const migrations = [
  {
    id: 's3/001-buckets-objects',
    sql: `
      CREATE TABLE s3_buckets (
        name TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        versioning TEXT,
        object_lock INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX s3_buckets_account ON s3_buckets (account_id, name);
      CREATE TABLE s3_bucket_configs (
        bucket TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (bucket, kind)
      );
      CREATE TABLE s3_objects (
        id INTEGER PRIMARY KEY,
        bucket TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        version_id TEXT NOT NULL,
        is_latest INTEGER NOT NULL,
        delete_marker INTEGER NOT NULL,
        blob_id TEXT,
        size BIGINT NOT NULL,
        etag TEXT NOT NULL,
        last_modified BIGINT NOT NULL,
        storage_class TEXT NOT NULL,
        owner TEXT NOT NULL,
        headers TEXT NOT NULL,
        metadata TEXT NOT NULL,
        checksum TEXT,
        tags TEXT NOT NULL,
        parts TEXT,
        extra TEXT NOT NULL,
        UNIQUE (bucket, key, version_id)
      );
      CREATE INDEX s3_objects_latest ON s3_objects (bucket, is_latest, key);
      CREATE INDEX s3_objects_versions ON s3_objects (bucket, key, id);
      CREATE TABLE s3_uploads (
        upload_id TEXT PRIMARY KEY,
        bucket TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        initiated BIGINT NOT NULL,
        owner TEXT NOT NULL,
        attributes TEXT NOT NULL
      );
      CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, initiated);
      CREATE TABLE s3_parts (
        upload_id TEXT NOT NULL REFERENCES s3_uploads (upload_id) ON DELETE CASCADE,
        part_number INTEGER NOT NULL,
        blob_id TEXT NOT NULL,
        size BIGINT NOT NULL,
        etag TEXT NOT NULL,
        md5 TEXT NOT NULL,
        last_modified BIGINT NOT NULL,
        checksum TEXT,
        PRIMARY KEY (upload_id, part_number)
      );`,
  },
];

/**
 * `fn` as a transaction, wrapped once per instance: better-sqlite3 builds four wrapper functions
 * and defines their properties on every `db.transaction` call, which cost more than the small
 * writes of a PutObject. `fn` takes what it needs as arguments, so one wrapper serves all calls.
 */
export function transaction<A extends unknown[], R>(env: ServiceEnv, fn: (...args: A) => R): (...args: A) => R {
  const cache = env.memory('s3.transactions', () => new Map<(...args: never[]) => unknown, unknown>());
  let wrapped = cache.get(fn) as ((...args: A) => R) | undefined;
  if (!wrapped) {
    wrapped = env.db.transaction(fn);
    cache.set(fn, wrapped);
  }
  return wrapped;
}

/**
 * A prepared statement, prepared once per instance: preparing costs more than running the small
 * queries S3 makes on every request.
 */
export function sql(env: ServiceEnv, text: string): Statement {
  const cache = env.memory('s3.statements', () => new Map<string, Statement>());
  let statement = cache.get(text);
  if (!statement) {
    statement = env.db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

export interface Bucket {
  name: string;
  accountId: string;
  region: string;
  createdAt: number;
  versioning: 'Enabled' | 'Suspended' | null;
  objectLock: boolean;
}

/** Content headers S3 stores with an object and answers on GET/HEAD. */
export interface ContentHeaders {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** Per-object settings that only some objects carry (encryption, object lock, ACL, restore). */
export interface ObjectExtra {
  ServerSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse' | 'aws:fsx';
  SSEKMSKeyId?: string;
  /** SSE-C: the MD5 of the customer's key, which every read must match. */
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
  ObjectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  ObjectLockRetainUntilDate?: number;
  ObjectLockLegalHoldStatus?: 'ON' | 'OFF';
  /** Canned ACL or grants, as PutObjectAcl stored them. */
  acl?: unknown;
  /** Clock time until which a restored archive copy is readable. */
  restoredUntil?: number;
}

export interface ObjectVersion {
  id: number;
  bucket: string;
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  blobId: string | null;
  size: number;
  /** Quoted, as S3 writes it: `"<md5 hex>"` or `"<hex>-<parts>"`. */
  etag: string;
  lastModified: number;
  storageClass: string;
  owner: string;
  headers: ContentHeaders;
  metadata: Record<string, string>;
  checksum: StoredChecksum | null;
  tags: Tag[];
  /** Sizes of the parts of a multipart object, in order. */
  parts: number[] | null;
  extra: ObjectExtra;
}

export interface ObjectRow {
  id: number; bucket: string; key: string; version_id: string; is_latest: number; delete_marker: number;
  blob_id: string | null; size: number; etag: string; last_modified: number; storage_class: string; owner: string;
  headers: string; metadata: string; checksum: string | null; tags: string; parts: string | null; extra: string;
}

export function toVersion(r: ObjectRow): ObjectVersion {
  return {
    id: r.id, bucket: r.bucket, key: r.key, versionId: r.version_id, isLatest: r.is_latest === 1, deleteMarker: r.delete_marker === 1,
    blobId: r.blob_id, size: r.size, etag: r.etag, lastModified: r.last_modified, storageClass: r.storage_class, owner: r.owner,
    headers: JSON.parse(r.headers), metadata: JSON.parse(r.metadata), checksum: r.checksum ? JSON.parse(r.checksum) : null,
    tags: JSON.parse(r.tags), parts: r.parts ? JSON.parse(r.parts) : null, extra: JSON.parse(r.extra),
  };
}


/** The canonical user id S3 shows as an account's Owner ID: 64 hex characters. */
export function canonicalId(accountId: string): string {
  return createHash('sha256').update(`nimbus-canonical-user:${accountId}`).digest('hex');
}

export function ownerOf(accountId: string): { ID: string; DisplayName: string } {
  return { ID: canonicalId(accountId), DisplayName: accountId };
}

/** Version ids are opaque, URL-safe and 32 characters long, like S3's. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

export function noSuchBucket(name: string): AwsError {
  return new AwsError('NoSuchBucket', 'The specified bucket does not exist', { status: 404, fields: { BucketName: name } });
}

export function findBucket(env: ServiceEnv, name: string): Bucket | undefined {
  const r = sql(env, 'SELECT name, account_id, region, created_at, versioning, object_lock FROM s3_buckets WHERE name = ?').get(name) as
    | { name: string; account_id: string; region: string; created_at: number; versioning: Bucket['versioning']; object_lock: number }
    | undefined;
  return r && { name: r.name, accountId: r.account_id, region: r.region, createdAt: r.created_at, versioning: r.versioning, objectLock: r.object_lock === 1 };
}

/** Marks a request whose caller is not the bucket's owner as let in by the bucket's policy or ACL. */
export function grant(ctx: RequestContext): void {
  ctx.memory('s3.granted', () => new WeakSet<object>()).add(ctx);
}

/**
 * The bucket a request names. Buckets of another account, or anonymous requests, need a grant
 * (access.ts checks the bucket policy and ACLs before the handler runs); else AccessDenied.
 */
export function getBucket(ctx: RequestContext, name: string): Bucket {
  const b = findBucket(ctx, name);
  if (!b) throw noSuchBucket(name);
  const owner = b.accountId === ctx.accountId && ctx.caller.kind !== 'anonymous';
  if (!owner && !ctx.memory('s3.granted', () => new WeakSet<object>()).has(ctx)) throw new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  return b;
}

const SELECT = 'SELECT * FROM s3_objects';

/** The current version of a key (possibly a delete marker), or the version asked for. */
export function findVersion(env: ServiceEnv, bucket: string, key: string, versionId?: string): ObjectVersion | undefined {
  const r = versionId === undefined
    ? sql(env, `${SELECT} WHERE bucket = ? AND key = ? AND is_latest = 1`).get(bucket, key)
    : sql(env, `${SELECT} WHERE bucket = ? AND key = ? AND version_id = ?`).get(bucket, key, versionId);
  return r ? toVersion(r as ObjectRow) : undefined;
}

/**
 * The object a GET/HEAD/COPY reads: NoSuchKey when absent or deleted (with the delete
 * marker's headers, as S3 sends them), NoSuchVersion for an unknown version id, and
 * MethodNotAllowed for a delete marker asked for by version id.
 */
export function readableVersion(env: ServiceEnv, bucket: string, key: string, versionId?: string): ObjectVersion {
  const v = findVersion(env, bucket, key, versionId);
  if (!v) {
    if (versionId !== undefined) {
      throw new AwsError('NoSuchVersion', 'The specified version does not exist.', { status: 404, fields: { Key: key, VersionId: versionId } });
    }
    throw noSuchKey(key);
  }
  if (v.deleteMarker) {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId };
    if (versionId !== undefined) {
      throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { status: 405, headers, fields: { Method: 'GET', ResourceType: 'DeleteMarker' } });
    }
    throw new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, headers, fields: { Key: key } });
  }
  return v;
}

function noSuchKey(key: string): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: key } });
}

export type NewVersion = Omit<ObjectVersion, 'id' | 'bucket' | 'key' | 'versionId' | 'isLatest'>;

/**
 * Makes `v` the current version of `key` as the bucket's versioning state says: a new version
 * id when Enabled; otherwise it replaces the `null` version. Returns the version id and the
 * blobs no row refers to any more, for the caller to delete after the commit.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
export function writeVersion(env: ServiceEnv, bucket: Bucket, key: string, v: NewVersion): { versionId: string; orphans: string[] } {
  const versionId = bucket.versioning === 'Enabled' ? newVersionId() : 'null';
  return { versionId, orphans: transaction(env, replaceVersion)(env, bucket, key, versionId, v) };
}

function replaceVersion(env: ServiceEnv, bucket: Bucket, key: string, versionId: string, v: NewVersion): string[] {
  const orphans: string[] = [];
  if (versionId === 'null') {
    const old = sql(env, `DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null' RETURNING blob_id`).get(bucket.name, key) as { blob_id: string | null } | undefined;
    if (old?.blob_id) orphans.push(old.blob_id);
  }
  // A bucket that never had versioning holds only null versions, and the one there was is gone.
  if (bucket.versioning !== null) sql(env, 'UPDATE s3_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1').run(bucket.name, key);
  sql(env, `INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, blob_id, size, etag, last_modified,
      storage_class, owner, headers, metadata, checksum, tags, parts, extra) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    bucket.name, key, versionId, v.deleteMarker ? 1 : 0, v.blobId, v.size, v.etag, v.lastModified, v.storageClass, v.owner,
    JSON.stringify(v.headers), JSON.stringify(v.metadata), v.checksum ? JSON.stringify(v.checksum) : null, JSON.stringify(v.tags),
    v.parts ? JSON.stringify(v.parts) : null, JSON.stringify(v.extra),
  );
  return orphans;
}

/** Deletes one version for good; the next newest becomes current if it was. */
export function removeVersion(env: ServiceEnv, v: ObjectVersion): void {
  transaction(env, deleteVersion)(env, v);
}

function deleteVersion(env: ServiceEnv, v: ObjectVersion): void {
  sql(env, 'DELETE FROM s3_objects WHERE id = ?').run(v.id);
  if (v.isLatest) {
    sql(env, `UPDATE s3_objects SET is_latest = 1 WHERE id = (SELECT MAX(id) FROM s3_objects WHERE bucket = ? AND key = ?)`).run(v.bucket, v.key);
  }
}

export function updateVersion(env: ServiceEnv, v: ObjectVersion, change: { tags?: Tag[]; extra?: ObjectExtra; storageClass?: string }): void {
  sql(env, 'UPDATE s3_objects SET tags = ?, extra = ?, storage_class = ? WHERE id = ?').run(
    JSON.stringify(change.tags ?? v.tags), JSON.stringify(change.extra ?? v.extra), change.storageClass ?? v.storageClass, v.id,
  );
}

/** Deletes blobs that no committed row refers to any more. Failures only leak disk space. */
export async function dropBlobs(env: ServiceEnv, ids: (string | null | undefined)[]): Promise<void> {
  await Promise.all(ids.filter((id): id is string => !!id).map((id) => env.blobs.delete(id).catch(() => undefined)));
}

export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** ETags as clients send them in If-Match and CompleteMultipartUpload: quotes are optional. */
export function sameEtag(a: string, b: string): boolean {
  const strip = (s: string) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return strip(a) === strip(b);
}
