import type { Grant } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Caller } from '../../gateway/authenticate.js';
import { type AuthorizationRequest, statementApplies } from '../../iam/evaluate.js';
import { type Context, contextOf } from '../../iam/match.js';
import { type Policy, type Statement, parsePolicy } from '../../iam/policy.js';
import type { Handler, RequestContext, ResourceFacts, ServiceEnv } from '../service.js';
import { type StoredAcl, aclGrants, getConfig } from './configs.js';
import type { Tag } from './store.js';
import { type Bucket, canonicalId, findBucket, findVersion, grant } from './store.js';

/**
 * Who may use a bucket besides its owner: anonymous callers and other accounts, through the
 * bucket policy (Allow/Deny for a principal, action and resource, under its conditions, read by
 * IAM's own policy grammar and evaluator) and, unless the owner enforces ownership, public or
 * per-account ACL grants. The public access block's IgnorePublicAcls and RestrictPublicBuckets
 * take those away again.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
 */
export interface Requester {
  kind: Caller['kind'];
  accountId: string;
  arn: string;
}

/** Whoever asks without signing: website endpoints serve only what anyone may read. */
export const ANYONE: Requester = { kind: 'anonymous', accountId: '', arn: '*' };

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

/** A bucket policy as IAM reads it, parsed once per text (PutBucketPolicy checked it). */
function bucketPolicy(env: ServiceEnv, text: string): Policy | undefined {
  const cache = env.memory('s3.policies', () => new Map<string, Policy | undefined>());
  if (!cache.has(text)) {
    let policy: Policy | undefined;
    try {
      policy = parsePolicy(text, 'resource');
    } catch {
      // Stored before policies were checked this strictly: it grants nothing rather than failing every request.
      policy = undefined;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(text, policy);
  }
  return cache.get(text);
}

/**
 * The condition keys a bucket policy can test: the global ones and S3's own, from the request.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 */
function conditionContext(ctx: RequestContext, who: Requester, bucket: Bucket): Context {
  const req = ctx.request;
  const now = ctx.clock.now();
  const authenticated = who.kind !== 'anonymous';
  return contextOf({
    'aws:SourceIp': req.remoteAddress.replace(/^::ffff:/, ''),
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    // Nimbus listens on plain HTTP.
    'aws:SecureTransport': 'false',
    'aws:Referer': req.header('referer'),
    'aws:UserAgent': req.header('user-agent'),
    'aws:ResourceAccount': bucket.accountId,
    'aws:PrincipalAccount': authenticated ? who.accountId : undefined,
    'aws:PrincipalArn': authenticated ? who.arn : undefined,
    'aws:PrincipalType': PRINCIPAL_TYPES[who.kind],
    's3:prefix': req.query.get('prefix') ?? undefined,
    's3:delimiter': req.query.get('delimiter') ?? undefined,
    's3:max-keys': req.query.get('max-keys') ?? undefined,
    's3:VersionId': req.query.get('versionId') ?? undefined,
    's3:x-amz-acl': req.header('x-amz-acl'),
    's3:x-amz-server-side-encryption': req.header('x-amz-server-side-encryption'),
    's3:x-amz-storage-class': req.header('x-amz-storage-class'),
    's3:x-amz-content-sha256': req.header('x-amz-content-sha256'),
    's3:authType': !authenticated ? undefined : req.query.has('X-Amz-Signature') ? 'REST-QUERY-STRING' : 'REST-HEADER',
    's3:signatureversion': authenticated ? 'AWS4-HMAC-SHA256' : undefined,
  });
}

const PRINCIPAL_TYPES: Record<Requester['kind'], string> = {
  anonymous: 'Anonymous', root: 'Account', user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser',
};

/** A principal of `"*"` (or `{"AWS": "*"}`) makes a statement public. */
function isPublic(s: Statement): boolean {
  return s.principal === '*' || (s.principal?.['AWS'] ?? []).includes('*');
}

/** Allow, Deny or nothing from the bucket policy; `publicOnly` tells whether only a `*` principal allowed it. */
function policyDecision(ctx: RequestContext, bucket: Bucket, who: Requester, action: string, resource: string): { effect?: 'Allow' | 'Deny'; publicOnly: boolean } {
  const text = getConfig<string>(ctx, bucket.name, 'policy');
  const policy = text === undefined ? undefined : bucketPolicy(ctx, text);
  if (!policy) return { publicOnly: false };
  const request: AuthorizationRequest = {
    principal: { kind: who.kind, arn: who.arn, account: who.accountId },
    action, resource, resourceAccount: bucket.accountId, context: conditionContext(ctx, who, bucket),
  };
  let allowed: 'public' | 'named' | undefined;
  for (const s of policy.statements) {
    if (!statementApplies(s, policy, request, true)) continue;
    if (s.effect === 'Deny') return { effect: 'Deny', publicOnly: false };
    if (allowed !== 'named') allowed = isPublic(s) ? 'public' : 'named';
  }
  return allowed ? { effect: 'Allow', publicOnly: allowed === 'public' } : { publicOnly: false };
}

function grantsAllow(grants: Grant[], who: Requester, permission: Grant['Permission']): 'public' | 'named' | undefined {
  for (const g of grants) {
    if (g.Permission !== permission && g.Permission !== 'FULL_CONTROL') continue;
    const e = g.Grantee;
    if (e?.URI === ALL_USERS) return 'public';
    if (e?.URI === AUTHENTICATED_USERS && who.kind !== 'anonymous') return 'public';
    if (who.kind !== 'anonymous' && e?.Type === 'CanonicalUser' && e.ID === canonicalId(who.accountId)) return 'named';
  }
  return undefined;
}

/** True when `who` may do `action` on the bucket or on one of its objects (`key`). */
export function allowed(ctx: RequestContext, bucket: Bucket, who: Requester, action: string, key?: string): boolean {
  const resource = key === undefined ? `arn:aws:s3:::${bucket.name}` : `arn:aws:s3:::${bucket.name}/${key}`;
  const policy = policyDecision(ctx, bucket, who, action, resource);
  if (policy.effect === 'Deny') return false;
  const owner = who.kind !== 'anonymous' && who.accountId === bucket.accountId;
  if (owner) return true;
  const pab = getConfig<{ IgnorePublicAcls?: boolean; RestrictPublicBuckets?: boolean }>(ctx, bucket.name, 'public-access-block') ?? {};
  if (policy.effect === 'Allow' && !(policy.publicOnly && pab.RestrictPublicBuckets)) return true;
  const ownership = getConfig<{ Rules: { ObjectOwnership: string }[] }>(ctx, bucket.name, 'ownership')?.Rules[0]?.ObjectOwnership;
  const need = aclPermission(action, key !== undefined);
  if (ownership === 'BucketOwnerEnforced' || !need) return false;
  let grants: Grant[];
  if (need.on === 'bucket') grants = aclGrants(bucket.accountId, getConfig<StoredAcl>(ctx, bucket.name, 'acl'));
  else {
    const v = key === undefined ? undefined : findVersion(ctx, bucket.name, key);
    grants = v ? aclGrants(v.owner, v.extra.acl as StoredAcl | undefined) : [];
  }
  const byAcl = grantsAllow(grants, who, need.permission);
  return byAcl === 'named' || (byAcl === 'public' && !pab.IgnorePublicAcls);
}

export function requester(ctx: RequestContext): Requester {
  return { kind: ctx.caller.kind, accountId: ctx.accountId, arn: ctx.caller.arn };
}

/**
 * Checks a request against its bucket before the handler runs. Callers who are not the owner
 * and are let in are remembered for this request, so `getBucket` lets them through.
 */
export function authorizeRequest(ctx: RequestContext, bucketName: string | undefined, key: string | undefined): void {
  const who = requester(ctx);
  if (bucketName === undefined) {
    if (who.kind === 'anonymous') throw accessDenied();
    return;
  }
  const bucket = findBucket(ctx, bucketName);
  // Creating a bucket is about the name, not about access to a bucket that has it.
  if (!bucket || ctx.operation === 'CreateBucket') return;
  if (!allowed(ctx, bucket, who, actionOf(ctx.operation), key)) throw accessDenied();
  if (who.kind === 'anonymous' || who.accountId !== bucket.accountId) grant(ctx);
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
