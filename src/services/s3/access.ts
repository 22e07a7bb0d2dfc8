import type { Grant } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handler, RequestContext, ResourceFacts, ServiceEnv } from '../service.js';
import { type StoredAcl, aclGrants, getConfig } from './configs.js';
import type { Tag } from './store.js';
import { type Bucket, canonicalId, findBucket, findVersion, grant } from './store.js';

/**
 * Who may use a bucket besides its owner: anonymous callers and other accounts, through the
 * bucket policy (Allow/Deny for a principal, action and resource; statements with conditions are
 * not evaluated) and, unless the owner enforces ownership, public or per-account ACL grants.
 * The public access block's IgnorePublicAcls and RestrictPublicBuckets take those away again.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
 */
interface Statement {
  Effect?: string;
  Principal?: string | { AWS?: string | string[] };
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

export interface Requester {
  anonymous: boolean;
  accountId: string;
  arn: string;
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** The IAM action of an operation, where its name is not already `s3:<operation>`. */
const ACTIONS: Record<string, string> = {
  HeadObject: 's3:GetObject', HeadBucket: 's3:ListBucket', ListObjects: 's3:ListBucket', ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions', DeleteObjects: 's3:DeleteObject', CopyObject: 's3:PutObject', PostObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject', UploadPart: 's3:PutObject', UploadPartCopy: 's3:PutObject', CompleteMultipartUpload: 's3:PutObject',
  ListParts: 's3:ListMultipartUploadParts', ListMultipartUploads: 's3:ListBucketMultipartUploads', GetObjectAttributes: 's3:GetObject',
};

export function actionOf(operation: string): string {
  return ACTIONS[operation] ?? `s3:${operation}`;
}

/** The ACL permission that stands for an action: READ/WRITE on the bucket, READ on an object, or the ACP ones. */
function aclPermission(action: string, objectLevel: boolean): { on: 'bucket' | 'object'; permission: Grant['Permission'] } | undefined {
  if (action === 's3:GetObject') return { on: 'object', permission: 'READ' };
  if (action === 's3:GetObjectAcl') return { on: 'object', permission: 'READ_ACP' };
  if (['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'].includes(action)) return { on: 'bucket', permission: 'READ' };
  if (['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'].includes(action) && objectLevel) return { on: 'bucket', permission: 'WRITE' };
  if (action === 's3:GetBucketAcl') return { on: 'bucket', permission: 'READ_ACP' };
  return undefined;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.split('?').map((q) => q.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.')).join('.*')}$`, 'i');
  return re.test(value);
}

function principalMatches(p: Statement['Principal'], who: Requester): 'public' | 'named' | undefined {
  if (p === '*') return 'public';
  const aws = typeof p === 'object' ? list(p.AWS) : [];
  if (aws.includes('*')) return 'public';
  if (who.anonymous) return undefined;
  return aws.some((a) => a === who.accountId || a === `arn:aws:iam::${who.accountId}:root` || a === who.arn) ? 'named' : undefined;
}

/** Allow, Deny or nothing from the bucket policy; `publicOnly` tells whether only a `*` principal allowed it. */
function policyDecision(env: ServiceEnv, bucket: string, who: Requester, action: string, resource: string): { effect?: 'Allow' | 'Deny'; publicOnly: boolean } {
  const text = getConfig<string>(env, bucket, 'policy');
  if (!text) return { publicOnly: false };
  const parsed = (JSON.parse(text) as { Statement?: Statement | Statement[] }).Statement ?? [];
  const statements = Array.isArray(parsed) ? parsed : [parsed];
  let allowed: 'public' | 'named' | undefined;
  for (const s of statements) {
    if (s.Condition !== undefined) continue;
    const principal = principalMatches(s.Principal, who);
    if (!principal || !list(s.Action).some((a) => wildcard(a, action)) || !list(s.Resource).some((r) => wildcard(r, resource))) continue;
    if (s.Effect === 'Deny') return { effect: 'Deny', publicOnly: false };
    if (s.Effect === 'Allow' && allowed !== 'named') allowed = principal;
  }
  return allowed ? { effect: 'Allow', publicOnly: allowed === 'public' } : { publicOnly: false };
}

function grantsAllow(grants: Grant[], who: Requester, permission: Grant['Permission']): 'public' | 'named' | undefined {
  for (const g of grants) {
    if (g.Permission !== permission && g.Permission !== 'FULL_CONTROL') continue;
    const e = g.Grantee;
    if (e?.URI === ALL_USERS) return 'public';
    if (e?.URI === AUTHENTICATED_USERS && !who.anonymous) return 'public';
    if (!who.anonymous && e?.Type === 'CanonicalUser' && e.ID === canonicalId(who.accountId)) return 'named';
  }
  return undefined;
}

/** True when `who` may do `action` on the bucket or on one of its objects (`key`). */
export function allowed(env: ServiceEnv, bucket: Bucket, who: Requester, action: string, key?: string): boolean {
  const resource = key === undefined ? `arn:aws:s3:::${bucket.name}` : `arn:aws:s3:::${bucket.name}/${key}`;
  const policy = policyDecision(env, bucket.name, who, action, resource);
  if (policy.effect === 'Deny') return false;
  const owner = !who.anonymous && who.accountId === bucket.accountId;
  if (owner) return true;
  const pab = getConfig<{ IgnorePublicAcls?: boolean; RestrictPublicBuckets?: boolean }>(env, bucket.name, 'public-access-block') ?? {};
  if (policy.effect === 'Allow' && !(policy.publicOnly && pab.RestrictPublicBuckets)) return true;
  const ownership = getConfig<{ Rules: { ObjectOwnership: string }[] }>(env, bucket.name, 'ownership')?.Rules[0]?.ObjectOwnership;
  const need = aclPermission(action, key !== undefined);
  if (ownership === 'BucketOwnerEnforced' || !need) return false;
  let grants: Grant[];
  if (need.on === 'bucket') grants = aclGrants(bucket.accountId, getConfig<StoredAcl>(env, bucket.name, 'acl'));
  else {
    const v = key === undefined ? undefined : findVersion(env, bucket.name, key);
    grants = v ? aclGrants(v.owner, v.extra.acl as StoredAcl | undefined) : [];
  }
  const byAcl = grantsAllow(grants, who, need.permission);
  return byAcl === 'named' || (byAcl === 'public' && !pab.IgnorePublicAcls);
}

export function requester(ctx: RequestContext): Requester {
  return { anonymous: ctx.caller.kind === 'anonymous', accountId: ctx.accountId, arn: ctx.caller.arn };
}

/**
 * Checks a request against its bucket before the handler runs. Callers who are not the owner
 * and are let in are remembered for this request, so `getBucket` lets them through.
 */
export function authorizeRequest(ctx: RequestContext, bucketName: string | undefined, key: string | undefined): void {
  const who = requester(ctx);
  if (bucketName === undefined) {
    if (who.anonymous) throw accessDenied();
    return;
  }
  const bucket = findBucket(ctx, bucketName);
  // Creating a bucket is about the name, not about access to a bucket that has it.
  if (!bucket || ctx.operation === 'CreateBucket') return;
  if (!allowed(ctx, bucket, who, actionOf(ctx.operation), key)) throw accessDenied();
  if (who.anonymous || who.accountId !== bucket.accountId) grant(ctx);
}

/** Wraps a handler so that the bucket's policy and ACLs are checked before it runs. */
export function withAccess(handler: Handler): Handler {
  return (input: { Bucket?: string; Key?: string; ExpectedBucketOwner?: string }, ctx) => {
    authorizeRequest(ctx, input.Bucket, input.Key);
    // `x-amz-expected-bucket-owner` guards against writing to a bucket that changed hands.
    const bucket = input.ExpectedBucketOwner !== undefined && input.Bucket !== undefined ? findBucket(ctx, input.Bucket) : undefined;
    if (bucket && bucket.accountId !== input.ExpectedBucketOwner) throw accessDenied();
    return handler(input, ctx);
  };
}

export function accessDenied(): AwsError {
  return new AwsError('AccessDenied', 'Access Denied', { status: 403 });
}

/** What IAM enforcement needs of a bucket or object ARN: its owner, bucket policy and tags. */
export function resourceFacts(ctx: RequestContext, arn: string): ResourceFacts | undefined {
  if (!arn.startsWith('arn:aws:s3:::')) return undefined;
  const name = arn.slice('arn:aws:s3:::'.length).split('/', 1)[0]!;
  const bucket = findBucket(ctx, name);
  if (!bucket) return undefined;
  const policy = getConfig<string>(ctx, name, 'policy');
  const tags = getConfig<Tag[]>(ctx, name, 'tagging') ?? [];
  return { account: bucket.accountId, ...(policy ? { policy } : {}), tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])) };
}
