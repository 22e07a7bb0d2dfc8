import type { LifecycleRule } from '../../generated/types/s3.js';
import type { ServiceEnv } from '../service.js';
import { getConfig } from './configs.js';
import { publishObjectEvent } from './notifications.js';
import { type Bucket, type ObjectRow, type ObjectVersion, dropBlobs, findBucket, removeVersion, toVersion, updateVersion, writeVersion, sql } from './store.js';

/**
 * Lifecycle rules, run on Nimbus's clock. S3 evaluates rules once a day and an action falls due
 * at the midnight (UTC) after the object's age reaches the rule's days, so the sweep runs at each
 * clock midnight: advancing the clock 31 days runs it and expires or transitions what is due.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 */
const DAY = 86_400_000;

function dueAt(from: number, days: number): number {
  return Math.ceil((from + days * DAY) / DAY) * DAY;
}

function dateDue(date: unknown, now: number): boolean {
  return date !== undefined && new Date(date as string).getTime() <= now;
}

/** A rule's filter: prefix, tags and size bounds, alone or under And. */
function selects(rule: LifecycleRule, v: { key: string; size: number; tags: { Key: string; Value: string }[] }): boolean {
  const f = rule.Filter ?? {};
  const and = f.And ?? {};
  const prefix = f.Prefix ?? and.Prefix ?? rule.Prefix ?? '';
  const tags = [...(f.Tag ? [f.Tag] : []), ...(and.Tags ?? [])];
  const greater = f.ObjectSizeGreaterThan ?? and.ObjectSizeGreaterThan;
  const less = f.ObjectSizeLessThan ?? and.ObjectSizeLessThan;
  return v.key.startsWith(prefix)
    && tags.every((t) => v.tags.some((o) => o.Key === t.Key && o.Value === t.Value))
    && (greater === undefined || v.size > greater)
    && (less === undefined || v.size < less);
}

/**
 * The `x-amz-expiration` header of a current object that an enabled rule will expire:
 * `expiry-date="<midnight GMT>", rule-id="<id>"`.
 */
export function expirationOf(env: ServiceEnv, bucket: string, v: { key: string; size: number; tags: { Key: string; Value: string }[]; lastModified: number }): string | undefined {
  const doc = getConfig<{ Rules: LifecycleRule[] }>(env, bucket, 'lifecycle');
  for (const rule of doc?.Rules ?? []) {
    const e = rule.Expiration;
    if (rule.Status !== 'Enabled' || !e || (e.Days === undefined && e.Date === undefined) || !selects(rule, v)) continue;
    const at = e.Days !== undefined ? dueAt(v.lastModified, e.Days) : new Date(e.Date as unknown as string).getTime();
    return `expiry-date="${new Date(at).toUTCString()}", rule-id="${rule.ID ?? ''}"`;
  }
  return undefined;
}

/** The current version of each key, expired or moved as the rule says. */
function applyToCurrent(env: ServiceEnv, bucket: Bucket, rule: LifecycleRule, now: number, orphans: (string | null)[]): void {
  const rows = sql(env, 'SELECT * FROM s3_objects WHERE bucket = ? AND is_latest = 1').all(bucket.name) as ObjectRow[];
  for (const v of rows.map(toVersion)) {
    if (!selects(rule, v)) continue;
    const e = rule.Expiration;
    if (v.deleteMarker) {
      const alone = !sql(env, 'SELECT 1 FROM s3_objects WHERE bucket = ? AND key = ? AND id <> ?').get(bucket.name, v.key, v.id);
      if (e?.ExpiredObjectDeleteMarker && alone) removeVersion(env, v);
      continue;
    }
    if (e && ((e.Days !== undefined && now >= dueAt(v.lastModified, e.Days)) || dateDue(e.Date, now))) {
      expire(env, bucket, v, now, orphans);
      continue;
    }
    const transition = (rule.Transitions ?? []).filter((t) => (t.Days !== undefined && now >= dueAt(v.lastModified, t.Days)) || dateDue(t.Date, now)).pop();
    if (transition?.StorageClass && transition.StorageClass !== v.storageClass) {
      updateVersion(env, v, { storageClass: transition.StorageClass });
      publishObjectEvent(env, bucket, 'LifecycleTransition', v.key, { size: v.size, versionId: v.versionId });
    }
  }
}

/** Expiring a current version deletes it, or in a versioned bucket puts a delete marker over it. */
function expire(env: ServiceEnv, bucket: Bucket, v: ObjectVersion, now: number, orphans: (string | null)[]): void {
  if (bucket.versioning === null) {
    removeVersion(env, v);
    orphans.push(v.blobId);
    publishObjectEvent(env, bucket, 'LifecycleExpiration:Delete', v.key, {});
    return;
  }
  const marker = writeVersion(env, bucket, v.key, {
    deleteMarker: true, blobId: null, size: 0, etag: '', lastModified: now, storageClass: 'STANDARD', owner: bucket.accountId,
    headers: {}, metadata: {}, checksum: null, tags: [], parts: null, extra: {},
  });
  orphans.push(...marker.orphans);
  publishObjectEvent(env, bucket, 'LifecycleExpiration:DeleteMarkerCreated', v.key, { versionId: marker.versionId });
}

/** Noncurrent versions age from when a newer version replaced them. */
function applyToNoncurrent(env: ServiceEnv, bucket: Bucket, rule: LifecycleRule, now: number, orphans: (string | null)[]): void {
  if (!rule.NoncurrentVersionExpiration && !rule.NoncurrentVersionTransitions?.length) return;
  const rows = (sql(env, 'SELECT * FROM s3_objects WHERE bucket = ? ORDER BY key, id DESC').all(bucket.name) as ObjectRow[]).map(toVersion);
  let newer: ObjectVersion | undefined;
  let rank = 0;
  for (const v of rows) {
    if (!newer || newer.key !== v.key) {
      newer = v;
      rank = 0;
      continue;
    }
    const since = newer.lastModified;
    newer = v;
    if (v.deleteMarker || !selects(rule, v)) continue;
    rank++;
    const x = rule.NoncurrentVersionExpiration;
    if (x?.NoncurrentDays !== undefined && now >= dueAt(since, x.NoncurrentDays) && rank > (x.NewerNoncurrentVersions ?? 0)) {
      removeVersion(env, v);
      orphans.push(v.blobId);
      publishObjectEvent(env, bucket, 'LifecycleExpiration:Delete', v.key, { versionId: v.versionId });
      continue;
    }
    const t = (rule.NoncurrentVersionTransitions ?? []).filter((nt) => nt.NoncurrentDays !== undefined && now >= dueAt(since, nt.NoncurrentDays)).pop();
    if (t?.StorageClass && t.StorageClass !== v.storageClass) updateVersion(env, v, { storageClass: t.StorageClass });
  }
}

function abortIncompleteUploads(env: ServiceEnv, bucket: Bucket, rule: LifecycleRule, now: number, orphans: (string | null)[]): void {
  const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
  if (days === undefined) return;
  const uploads = sql(env, 'SELECT upload_id, key, initiated FROM s3_uploads WHERE bucket = ?').all(bucket.name) as { upload_id: string; key: string; initiated: number }[];
  for (const u of uploads) {
    if (!selects(rule, { key: u.key, size: 0, tags: [] }) || now < dueAt(u.initiated, days)) continue;
    const parts = sql(env, 'SELECT blob_id FROM s3_parts WHERE upload_id = ?').all(u.upload_id) as { blob_id: string }[];
    sql(env, 'DELETE FROM s3_uploads WHERE upload_id = ?').run(u.upload_id);
    orphans.push(...parts.map((p) => p.blob_id));
  }
}

/**
 * One sweep over every bucket with rules. Rows change synchronously, so the sweep is complete
 * when the clock advance that fired it returns; blob files are removed afterwards.
 */
export function runLifecycle(env: ServiceEnv): void {
  const now = env.clock.now();
  const orphans: (string | null)[] = [];
  const configs = sql(env, `SELECT bucket, document FROM s3_bucket_configs WHERE kind = 'lifecycle'`).all() as { bucket: string; document: string }[];
  for (const c of configs) {
    const bucket = findBucket(env, c.bucket);
    if (!bucket) continue;
    for (const rule of (JSON.parse(c.document) as { Rules: LifecycleRule[] }).Rules) {
      if (rule.Status !== 'Enabled') continue;
      applyToCurrent(env, bucket, rule, now, orphans);
      applyToNoncurrent(env, bucket, rule, now, orphans);
      abortIncompleteUploads(env, bucket, rule, now, orphans);
    }
  }
  void dropBlobs(env, orphans);
}

/**
 * Arms this instance's daily sweep once. The timer is runtime state (`env.memory`), so a
 * restarted Nimbus arms it again on its first S3 request.
 */
export function armLifecycle(ctx: ServiceEnv): void {
  // The instance's environment, not the request that happened to arm the timer.
  ctx.memory('s3.lifecycle', (env) => {
    const schedule = (): void => {
      env.clock.at(Math.floor(env.clock.now() / DAY) * DAY + DAY, () => {
        try {
          runLifecycle(env);
        } finally {
          schedule();
        }
      });
    };
    schedule();
    return true;
  });
}
