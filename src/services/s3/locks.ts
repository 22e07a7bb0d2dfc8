import type { Operations } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { getConfig } from './configs.js';
import { type Bucket, type ObjectExtra, type ObjectVersion, getBucket, readableVersion, updateVersion } from './store.js';

/**
 * Object Lock: retention periods and legal holds that keep a version from being deleted.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
interface LockConfiguration {
  ObjectLockEnabled?: string;
  Rule?: { DefaultRetention?: { Mode?: 'GOVERNANCE' | 'COMPLIANCE'; Days?: number; Years?: number } };
}

function missingLockConfiguration(): AwsError {
  return new AwsError('InvalidRequest', 'Bucket is missing Object Lock Configuration', { status: 400 });
}

/** The lock a new version starts with: what the request sets, else the bucket's default retention. */
export function newObjectLock(ctx: RequestContext, bucket: Bucket, input: { ObjectLockMode?: string; ObjectLockRetainUntilDate?: Date; ObjectLockLegalHoldStatus?: string }): ObjectExtra {
  const asked = input.ObjectLockMode !== undefined || input.ObjectLockRetainUntilDate !== undefined || input.ObjectLockLegalHoldStatus !== undefined;
  if (!bucket.objectLock) {
    if (asked) throw missingLockConfiguration();
    return {};
  }
  if ((input.ObjectLockMode === undefined) !== (input.ObjectLockRetainUntilDate === undefined)) {
    throw new AwsError('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied', { status: 400 });
  }
  const lock: ObjectExtra = {};
  if (input.ObjectLockMode && input.ObjectLockRetainUntilDate) {
    lock.ObjectLockMode = input.ObjectLockMode as 'GOVERNANCE' | 'COMPLIANCE';
    lock.ObjectLockRetainUntilDate = input.ObjectLockRetainUntilDate.getTime();
  } else {
    const d = getConfig<LockConfiguration>(ctx, bucket.name, 'object-lock')?.Rule?.DefaultRetention;
    if (d?.Mode) {
      lock.ObjectLockMode = d.Mode;
      lock.ObjectLockRetainUntilDate = ctx.clock.now() + ((d.Days ?? 0) + (d.Years ?? 0) * 365) * 86_400_000;
    }
  }
  if (input.ObjectLockLegalHoldStatus) lock.ObjectLockLegalHoldStatus = input.ObjectLockLegalHoldStatus as 'ON' | 'OFF';
  return lock;
}

export function lockFields(v: ObjectVersion) {
  const e = v.extra;
  return {
    ...(e.ObjectLockMode ? { ObjectLockMode: e.ObjectLockMode } : {}),
    ...(e.ObjectLockRetainUntilDate !== undefined ? { ObjectLockRetainUntilDate: new Date(e.ObjectLockRetainUntilDate) } : {}),
    ...(e.ObjectLockLegalHoldStatus ? { ObjectLockLegalHoldStatus: e.ObjectLockLegalHoldStatus } : {}),
  };
}

/** A legal hold, a compliance retention, or a governance retention without bypass keeps a version. */
export function checkDeletable(ctx: RequestContext, v: ObjectVersion, bypassGovernance: boolean): void {
  const e = v.extra;
  const retained = e.ObjectLockRetainUntilDate !== undefined && e.ObjectLockRetainUntilDate > ctx.clock.now();
  if (e.ObjectLockLegalHoldStatus === 'ON' || (retained && (e.ObjectLockMode === 'COMPLIANCE' || !bypassGovernance))) {
    throw new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', { status: 403 });
  }
}

function lockedVersion(ctx: RequestContext, bucketName: string, key: string, versionId: string | undefined): ObjectVersion {
  const bucket = getBucket(ctx, bucketName);
  if (!bucket.objectLock) throw missingLockConfiguration();
  return readableVersion(ctx, bucket.name, key, versionId);
}

export const lockHandlers: Handlers<Operations> = {
  GetObjectRetention(input, ctx) {
    const v = lockedVersion(ctx, input.Bucket, input.Key, input.VersionId);
    if (!v.extra.ObjectLockMode) throw new AwsError('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', { status: 404 });
    return { Retention: { Mode: v.extra.ObjectLockMode, RetainUntilDate: new Date(v.extra.ObjectLockRetainUntilDate!) } };
  },

  PutObjectRetention(input, ctx) {
    const v = lockedVersion(ctx, input.Bucket, input.Key, input.VersionId);
    const next = input.Retention ?? {};
    const e = v.extra;
    const active = e.ObjectLockRetainUntilDate !== undefined && e.ObjectLockRetainUntilDate > ctx.clock.now();
    const shortens = (next.RetainUntilDate?.getTime() ?? 0) < (e.ObjectLockRetainUntilDate ?? 0) || (e.ObjectLockMode === 'COMPLIANCE' && next.Mode !== 'COMPLIANCE');
    // Compliance retention can only grow; governance changes need the bypass permission.
    if (active && shortens && (e.ObjectLockMode === 'COMPLIANCE' || !input.BypassGovernanceRetention)) {
      throw new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', { status: 403 });
    }
    const extra: ObjectExtra = { ...e };
    delete extra.ObjectLockMode;
    delete extra.ObjectLockRetainUntilDate;
    if (next.Mode && next.RetainUntilDate) Object.assign(extra, { ObjectLockMode: next.Mode, ObjectLockRetainUntilDate: next.RetainUntilDate.getTime() });
    updateVersion(ctx, v, { extra });
    return {};
  },

  GetObjectLegalHold(input, ctx) {
    const v = lockedVersion(ctx, input.Bucket, input.Key, input.VersionId);
    if (!v.extra.ObjectLockLegalHoldStatus) throw new AwsError('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', { status: 404 });
    return { LegalHold: { Status: v.extra.ObjectLockLegalHoldStatus } };
  },

  PutObjectLegalHold(input, ctx) {
    const v = lockedVersion(ctx, input.Bucket, input.Key, input.VersionId);
    const status = input.LegalHold?.Status;
    if (!status) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { status: 400 });
    updateVersion(ctx, v, { extra: { ...v.extra, ObjectLockLegalHoldStatus: status } });
    return {};
  },
};
