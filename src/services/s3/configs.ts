import type { Grant, Operations } from '../../generated/types/s3.js';
import { parsePolicy } from '../../iam/policy.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { publishTestEvents } from './notifications.js';
import { type Tag, getBucket, ownerOf, sql } from './store.js';

/**
 * A bucket's subresources that S3 stores as documents and answers back (CORS, policy, ACL,
 * ownership controls, public access block, lifecycle, encryption, website, object lock,
 * notifications, logging, tagging). Each kind has AWS's own "not found" error.
 */
export type ConfigKind =
  | 'acl' | 'cors' | 'encryption' | 'lifecycle' | 'logging' | 'notification' | 'object-lock' | 'ownership'
  | 'policy' | 'public-access-block' | 'request-payment' | 'accelerate' | 'tagging' | 'website' | 'replication';

/**
 * A request consults several of its bucket's documents (policy, encryption, lifecycle,
 * notifications...), mostly to find them absent: one query reads them all for the request.
 * Background work (lifecycle) has no request and reads each time. Named configurations
 * (metrics, inventory: `family:id`) are not among them.
 */
function documentsOf(env: ServiceEnv, bucket: string): Map<string, string> {
  const read = () => new Map((sql(env, `SELECT kind, document FROM s3_bucket_configs WHERE bucket = ? AND kind NOT LIKE '%:%'`).all(bucket) as { kind: string; document: string }[])
    .map((r) => [r.kind, r.document]));
  if (!('requestId' in env)) return read();
  const perRequest = env.memory('s3.request-configs', () => new WeakMap<object, Map<string, Map<string, string>>>());
  let buckets = perRequest.get(env);
  if (!buckets) perRequest.set(env, (buckets = new Map()));
  let docs = buckets.get(bucket);
  if (!docs) buckets.set(bucket, (docs = read()));
  return docs;
}

export function getConfig<T>(env: ServiceEnv, bucket: string, kind: ConfigKind): T | undefined {
  const document = documentsOf(env, bucket).get(kind);
  return document === undefined ? undefined : (JSON.parse(document) as T);
}

/** Forgets what this request read of a bucket's documents, after it changed one. */
function changed(env: ServiceEnv, bucket: string): void {
  env.memory('s3.request-configs', () => new WeakMap<object, Map<string, Map<string, string>>>()).get(env)?.delete(bucket);
}

export function setConfig(env: ServiceEnv, bucket: string, kind: ConfigKind, document: unknown): void {
  sql(env, 'INSERT INTO s3_bucket_configs (bucket, kind, document) VALUES (?, ?, ?) ON CONFLICT (bucket, kind) DO UPDATE SET document = excluded.document')
    .run(bucket, kind, JSON.stringify(document));
  changed(env, bucket);
}

function deleteConfig(env: ServiceEnv, bucket: string, kind: ConfigKind): void {
  sql(env, 'DELETE FROM s3_bucket_configs WHERE bucket = ? AND kind = ?').run(bucket, kind);
  changed(env, bucket);
}

const NOT_FOUND: Partial<Record<ConfigKind, [string, string]>> = {
  cors: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
  policy: ['NoSuchBucketPolicy', 'The bucket policy does not exist'],
  ownership: ['OwnershipControlsNotFoundError', 'The bucket ownership controls were not found'],
  'public-access-block': ['NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'],
  lifecycle: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
  website: ['NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'],
  'object-lock': ['ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'],
  tagging: ['NoSuchTagSet', 'The TagSet does not exist'],
  replication: ['ReplicationConfigurationNotFoundError', 'The replication configuration was not found'],
};

/** The stored document of `kind`, or AWS's not-found error for it. */
function required<T>(ctx: RequestContext, bucket: string, kind: ConfigKind): T {
  getBucket(ctx, bucket);
  const doc = getConfig<T>(ctx, bucket, kind);
  if (doc === undefined) {
    const [code, message] = NOT_FOUND[kind]!;
    throw new AwsError(code, message, { status: 404, fields: { BucketName: bucket } });
  }
  return doc;
}

function store(ctx: RequestContext, bucket: string, kind: ConfigKind, document: unknown): undefined {
  getBucket(ctx, bucket);
  setConfig(ctx, bucket, kind, document);
  return undefined;
}

function remove(ctx: RequestContext, bucket: string, kind: ConfigKind): undefined {
  getBucket(ctx, bucket);
  deleteConfig(ctx, bucket, kind);
  return undefined;
}

/** Tag sets of buckets and objects: unique keys, AWS's lengths, at most 50 (10 on objects). */
export function checkTags(tags: Tag[], max: number): Tag[] {
  if (tags.length > max) throw new AwsError('BadRequest', `Object tags cannot be greater than ${max}`, { status: 400 });
  const keys = new Set<string>();
  for (const t of tags) {
    if (keys.has(t.Key)) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key', { status: 400, fields: { TagKey: t.Key } });
    keys.add(t.Key);
    if (t.Key.length < 1 || t.Key.length > 128) throw new AwsError('InvalidTag', 'The TagKey you have provided is invalid', { status: 400, fields: { TagKey: t.Key } });
    if (t.Value.length > 256) throw new AwsError('InvalidTag', 'The TagValue you have provided is invalid', { status: 400, fields: { TagKey: t.Key, TagValue: t.Value } });
  }
  return tags;
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** The grants a canned ACL stands for. https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl */
export function cannedGrants(accountId: string, canned: string): Grant[] {
  const owner: Grant = { Grantee: { Type: 'CanonicalUser', ...ownerOf(accountId) }, Permission: 'FULL_CONTROL' };
  const group = (URI: string, Permission: Grant['Permission']): Grant => ({ Grantee: { Type: 'Group', URI }, Permission });
  switch (canned) {
    case 'public-read': return [owner, group(ALL_USERS, 'READ')];
    case 'public-read-write': return [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
    case 'authenticated-read': return [owner, group(AUTHENTICATED_USERS, 'READ')];
    default: return [owner];
  }
}

/** An ACL as stored: a canned name or explicit grants; answered as grants. */
export interface StoredAcl {
  canned?: string;
  grants?: Grant[];
}

export function aclGrants(accountId: string, acl: StoredAcl | undefined): Grant[] {
  return acl?.grants ?? cannedGrants(accountId, acl?.canned ?? 'private');
}

/** ACLs are refused once the bucket owner enforces ownership, except the owner-only ones. */
export function checkAclAllowed(ctx: RequestContext, bucket: string, canned: string | undefined): void {
  const ownership = getConfig<{ Rules: { ObjectOwnership: string }[] }>(ctx, bucket, 'ownership');
  const enforced = ownership?.Rules[0]?.ObjectOwnership === 'BucketOwnerEnforced';
  if (enforced && canned !== undefined && canned !== 'private' && canned !== 'bucket-owner-full-control') {
    throw new AwsError('AccessControlListNotSupported', 'The bucket does not allow ACLs', { status: 400 });
  }
}

/** S3's event types. https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html */
const EVENT = /^s3:(ObjectCreated|ObjectRemoved|ObjectRestore|ObjectTagging|ObjectAcl|LifecycleExpiration|LifecycleTransition|Replication|IntelligentTiering|ReducedRedundancyLostObject)(:[A-Za-z]+)*(:\*)?$/;

export const configHandlers: Handlers<Operations> = {
  GetBucketCors: (input, ctx) => ({ CORSRules: required<{ CORSRules: [] }>(ctx, input.Bucket, 'cors').CORSRules }),
  PutBucketCors(input, ctx) {
    const rules = input.CORSConfiguration.CORSRules;
    if (rules.length > 100) throw new AwsError('InvalidRequest', 'The number of CORS rules should not exceed allowed limit of 100 rules.', { status: 400 });
    for (const m of rules.flatMap((r) => r.AllowedMethods)) {
      if (!['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(m)) throw new AwsError('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`, { status: 400 });
    }
    return store(ctx, input.Bucket, 'cors', input.CORSConfiguration);
  },
  DeleteBucketCors: (input, ctx) => remove(ctx, input.Bucket, 'cors'),

  GetBucketPolicy: (input, ctx) => ({ Policy: required<string>(ctx, input.Bucket, 'policy') }),
  PutBucketPolicy(input, ctx) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.Policy);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
      throw new AwsError('MalformedPolicy', 'Policies must be valid JSON and the first byte must be \'{\'', { status: 400 });
    }
    // Access checks read the policy with IAM's grammar (conditions included), so it must parse as a resource policy.
    try {
      parsePolicy(input.Policy, 'resource');
    } catch (e) {
      throw new AwsError('MalformedPolicy', (e as Error).message, { status: 400 });
    }
    return store(ctx, input.Bucket, 'policy', input.Policy);
  },
  DeleteBucketPolicy: (input, ctx) => remove(ctx, input.Bucket, 'policy'),
  GetBucketPolicyStatus(input, ctx) {
    getBucket(ctx, input.Bucket);
    const policy = getConfig<string>(ctx, input.Bucket, 'policy');
    return { PolicyStatus: { IsPublic: policy !== undefined && /"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*"\*"\s*\})/.test(policy) } };
  },

  GetBucketOwnershipControls: (input, ctx) => ({ OwnershipControls: required(ctx, input.Bucket, 'ownership') }),
  PutBucketOwnershipControls: (input, ctx) => store(ctx, input.Bucket, 'ownership', input.OwnershipControls),
  DeleteBucketOwnershipControls: (input, ctx) => remove(ctx, input.Bucket, 'ownership'),

  GetPublicAccessBlock: (input, ctx) => ({ PublicAccessBlockConfiguration: required(ctx, input.Bucket, 'public-access-block') }),
  PutPublicAccessBlock: (input, ctx) => store(ctx, input.Bucket, 'public-access-block', input.PublicAccessBlockConfiguration),
  DeletePublicAccessBlock: (input, ctx) => remove(ctx, input.Bucket, 'public-access-block'),

  GetBucketLifecycleConfiguration: (input, ctx) => ({ Rules: required<{ Rules: [] }>(ctx, input.Bucket, 'lifecycle').Rules }),
  PutBucketLifecycleConfiguration(input, ctx) {
    const rules = input.LifecycleConfiguration?.Rules ?? [];
    const ids = new Set<string>();
    for (const r of rules) {
      if (r.ID !== undefined && ids.has(r.ID)) throw new AwsError('InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule', { status: 400 });
      if (r.ID !== undefined) ids.add(r.ID);
      const days = [r.Expiration?.Days, ...(r.Transitions ?? []).map((t) => t.Days), r.NoncurrentVersionExpiration?.NoncurrentDays, r.AbortIncompleteMultipartUpload?.DaysAfterInitiation];
      if (days.some((d) => d !== undefined && d <= 0)) throw new AwsError('InvalidArgument', "'Days' in a lifecycle action must be a positive integer", { status: 400 });
      if (!r.Expiration && !r.Transitions?.length && !r.NoncurrentVersionExpiration && !r.NoncurrentVersionTransitions?.length && !r.AbortIncompleteMultipartUpload) {
        throw new AwsError('InvalidRequest', 'At least one action needs to be specified in a rule', { status: 400 });
      }
    }
    store(ctx, input.Bucket, 'lifecycle', { Rules: rules });
    return { TransitionDefaultMinimumObjectSize: input.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K' };
  },
  DeleteBucketLifecycle: (input, ctx) => remove(ctx, input.Bucket, 'lifecycle'),

  GetBucketEncryption(input, ctx) {
    getBucket(ctx, input.Bucket);
    // Every bucket encrypts with SSE-S3 unless told otherwise (January 2023 onwards).
    return { ServerSideEncryptionConfiguration: getConfig(ctx, input.Bucket, 'encryption') ?? { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] } };
  },
  PutBucketEncryption: (input, ctx) => store(ctx, input.Bucket, 'encryption', input.ServerSideEncryptionConfiguration),
  DeleteBucketEncryption: (input, ctx) => remove(ctx, input.Bucket, 'encryption'),

  GetBucketWebsite: (input, ctx) => required(ctx, input.Bucket, 'website'),
  PutBucketWebsite: (input, ctx) => store(ctx, input.Bucket, 'website', input.WebsiteConfiguration),
  DeleteBucketWebsite: (input, ctx) => remove(ctx, input.Bucket, 'website'),

  GetBucketNotificationConfiguration(input, ctx) {
    getBucket(ctx, input.Bucket);
    return getConfig(ctx, input.Bucket, 'notification') ?? {};
  },
  PutBucketNotificationConfiguration(input, ctx) {
    const c = input.NotificationConfiguration;
    const targets = [...(c.QueueConfigurations ?? []), ...(c.TopicConfigurations ?? []), ...(c.LambdaFunctionConfigurations ?? [])];
    for (const e of targets.flatMap((t) => t.Events)) {
      if (!EVENT.test(e)) throw new AwsError('InvalidArgument', 'The event is not supported for notifications', { status: 400, fields: { ArgumentName: 'Event', ArgumentValue: e } });
    }
    store(ctx, input.Bucket, 'notification', c);
    publishTestEvents(ctx, input.Bucket, input.NotificationConfiguration);
    return undefined;
  },

  GetBucketLogging(input, ctx) {
    getBucket(ctx, input.Bucket);
    return getConfig(ctx, input.Bucket, 'logging') ?? {};
  },
  PutBucketLogging: (input, ctx) => store(ctx, input.Bucket, 'logging', input.BucketLoggingStatus),

  GetBucketRequestPayment(input, ctx) {
    getBucket(ctx, input.Bucket);
    return getConfig(ctx, input.Bucket, 'request-payment') ?? { Payer: 'BucketOwner' };
  },
  PutBucketRequestPayment: (input, ctx) => store(ctx, input.Bucket, 'request-payment', input.RequestPaymentConfiguration),

  GetBucketAccelerateConfiguration(input, ctx) {
    getBucket(ctx, input.Bucket);
    return getConfig(ctx, input.Bucket, 'accelerate') ?? {};
  },
  PutBucketAccelerateConfiguration: (input, ctx) => store(ctx, input.Bucket, 'accelerate', input.AccelerateConfiguration),

  GetBucketReplication: (input, ctx) => ({ ReplicationConfiguration: required(ctx, input.Bucket, 'replication') }),
  PutBucketReplication(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    if (b.versioning !== 'Enabled') throw new AwsError('InvalidRequest', 'Versioning must be \'Enabled\' on the bucket to apply a replication configuration', { status: 400 });
    return store(ctx, input.Bucket, 'replication', input.ReplicationConfiguration);
  },
  DeleteBucketReplication: (input, ctx) => remove(ctx, input.Bucket, 'replication'),

  GetBucketTagging: (input, ctx) => ({ TagSet: required<Tag[]>(ctx, input.Bucket, 'tagging') }),
  PutBucketTagging: (input, ctx) => store(ctx, input.Bucket, 'tagging', checkTags(input.Tagging.TagSet as Tag[], 50)),
  DeleteBucketTagging: (input, ctx) => remove(ctx, input.Bucket, 'tagging'),

  GetBucketAcl(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    return { Owner: ownerOf(b.accountId), Grants: aclGrants(b.accountId, getConfig<StoredAcl>(ctx, b.name, 'acl')) };
  },
  PutBucketAcl(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    checkAclAllowed(ctx, b.name, input.ACL ?? (input.AccessControlPolicy ? 'explicit' : undefined));
    const acl: StoredAcl = input.AccessControlPolicy?.Grants ? { grants: input.AccessControlPolicy.Grants } : { canned: input.ACL ?? 'private' };
    return store(ctx, b.name, 'acl', acl);
  },

  GetObjectLockConfiguration: (input, ctx) => ({ ObjectLockConfiguration: required(ctx, input.Bucket, 'object-lock') }),
  PutObjectLockConfiguration(input, ctx) {
    const b = getBucket(ctx, input.Bucket);
    if (!b.objectLock && b.versioning !== 'Enabled') {
      throw new AwsError('InvalidBucketState', 'Versioning must be \'Enabled\' on the bucket to apply a Object Lock configuration', { status: 409 });
    }
    sql(ctx, 'UPDATE s3_buckets SET object_lock = 1 WHERE name = ?').run(b.name);
    setConfig(ctx, b.name, 'object-lock', input.ObjectLockConfiguration ?? { ObjectLockEnabled: 'Enabled' });
    return {};
  },
};
