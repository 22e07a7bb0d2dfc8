import type { Caller } from '../../gateway/authenticate.js';
import type { PolicySet, RequestPrincipal } from '../../iam/evaluate.js';
import { LayeredContext, type Context, type ContextValue } from '../../iam/match.js';
import { parsePolicy, type Policy, type PolicyKind } from '../../iam/policy.js';
import type { RequestContext, ResourceFacts, ServiceEnv } from '../service.js';
import { otherCommits } from '../../state/database.js';
import { findPolicy, policyDocument } from './policies.js';

/**
 * Everything IAM knows about a principal that policy evaluation needs: its identity-based
 * policies (its own, its groups', attached and inline), its permissions boundary and its tags.
 * What it reads is kept per instance until the next IAM write.
 */

export interface PrincipalPolicies {
  identity: Policy[];
  boundary?: Policy;
  tags: Record<string, string>;
}

type Env = Pick<ServiceEnv, 'db' | 'memory'>;

/**
 * Principal lookups and callers as policy evaluation sees them. Any IAM write clears it (see
 * index.ts), so a changed policy decides the very next request; so does a commit by another
 * connection to the database (another Nimbus on the same data directory), which SQLite's
 * data_version reveals.
 */
export class PolicyCache {
  readonly principals = new Map<string, PrincipalPolicies | null>();
  /** By access key id (the ARN for anonymous callers): what a key's holder is never changes outside IAM writes. */
  readonly callers = new Map<string, CallerFacts>();
  private readonly committedElsewhere: () => boolean;

  constructor(db: ServiceEnv['db']) {
    this.committedElsewhere = otherCommits(db);
  }

  /** This cache, emptied first if another connection has committed since it was last read. */
  current(): this {
    if (this.committedElsewhere()) this.clear();
    return this;
  }

  clear(): void {
    this.principals.clear();
    this.callers.clear();
  }
}

/** Entries a cache map holds before it starts over: a bound against unbounded keys (session keys, documents), not a working set. */
const MAX_ENTRIES = 5000;

export function policyCache(env: Env): PolicyCache {
  return env.memory('iam.policy-cache', () => new PolicyCache(env.db)).current();
}

/**
 * Parses a stored (already validated) document once per instance. Parsing depends on the text
 * alone, so nothing here goes stale. By text first: a resource's cached facts hand over the same
 * string each time, whose hash V8 keeps.
 */
export function compiled(env: Pick<ServiceEnv, 'memory'>, text: string, kind: PolicyKind, source?: string): Policy {
  const cache = env.memory('iam.compiled-policies', () => new Map<string, Map<string, Policy>>());
  let forText = cache.get(text);
  if (!forText) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    forText = new Map();
    cache.set(text, forText);
  }
  const key = `${kind} ${source ?? ''}`;
  let p = forText.get(key);
  if (!p) {
    p = parsePolicy(text, kind, source);
    forText.set(key, p);
  }
  return p;
}

/**
 * The policies of an IAM user (`arn:aws:iam::1:user/path/name`) or role
 * (`arn:aws:iam::1:role/path/name`); undefined when IAM has no such entity.
 */
export function principalPolicies(env: Env, arn: string): PrincipalPolicies | undefined {
  const cache = policyCache(env).principals;
  const hit = cache.get(arn);
  if (hit !== undefined) return hit ?? undefined;
  const found = load(env, arn);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(arn, found ?? null);
  return found;
}

function load(env: Env, arn: string): PrincipalPolicies | undefined {
  const m = /^arn:[^:]+:iam::(\d{12}):(user|role)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const [, account, type, path, name] = m as unknown as [string, string, 'user' | 'role', string, string];
  const table = type === 'user' ? 'iam_users' : 'iam_roles';
  const row = env.db.prepare(`SELECT name, boundary_arn FROM ${table} WHERE account_id = ? AND name = ? AND path = ?`).get(account, name, path) as { name: string; boundary_arn: string | null } | undefined;
  if (!row) return undefined;
  const ctx = { db: env.db, accountId: account };
  const entities: [string, string][] = [[type, name]];
  if (type === 'user') {
    for (const g of env.db.prepare('SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_name = ?').all(account, name) as { group_name: string }[]) entities.push(['group', g.group_name]);
  }
  const identity: Policy[] = [];
  for (const [entityType, entityName] of entities) {
    const inline = env.db.prepare('SELECT policy_name, document FROM iam_inline_policies WHERE account_id = ? AND entity_type = ? AND entity_name = ?').all(account, entityType, entityName) as { policy_name: string; document: string }[];
    for (const p of inline) identity.push(compiled(env, p.document, 'identity', `${entityType}/${entityName}/${p.policy_name}`));
    const attached = env.db.prepare('SELECT policy_arn FROM iam_attachments WHERE account_id = ? AND entity_type = ? AND entity_name = ?').all(account, entityType, entityName) as { policy_arn: string }[];
    for (const a of attached) {
      const managed = findPolicy(ctx, a.policy_arn);
      const doc = managed && policyDocument(ctx, managed);
      if (doc) identity.push(compiled(env, doc, 'identity', a.policy_arn));
    }
  }
  let boundary: Policy | undefined;
  if (row.boundary_arn) {
    const managed = findPolicy(ctx, row.boundary_arn);
    const doc = managed && policyDocument(ctx, managed);
    if (doc) boundary = compiled(env, doc, 'identity', row.boundary_arn);
  }
  const tagRows = env.db.prepare('SELECT tag_key, tag_value FROM iam_tags WHERE account_id = ? AND resource_type = ? AND resource_name = ?').all(account, type, name) as { tag_key: string; tag_value: string }[];
  return { identity, ...(boundary ? { boundary } : {}), tags: Object.fromEntries(tagRows.map((t) => [t.tag_key, t.tag_value])) };
}

/**
 * Users and roles as resources: their account and tags, and for the STS actions on a role its
 * trust policy, which is the role's resource-based policy.
 */
export function resourceFacts(env: Env, arn: string, action: string): ResourceFacts | undefined {
  const m = /^arn:[^:]+:iam::(\d{12}):(user|role)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const [, account, type, path, name] = m as unknown as [string, string, 'user' | 'role', string, string];
  const row = env.db.prepare(`SELECT ${type === 'role' ? 'trust_policy' : 'name'} AS doc FROM ${type === 'role' ? 'iam_roles' : 'iam_users'} WHERE account_id = ? AND name = ? AND path = ?`).get(account, name, path) as { doc: string } | undefined;
  if (!row) return undefined;
  const tags = env.db.prepare('SELECT tag_key, tag_value FROM iam_tags WHERE account_id = ? AND resource_type = ? AND resource_name = ?').all(account, type, name) as { tag_key: string; tag_value: string }[];
  return { account, ...(type === 'role' && action.startsWith('sts:') ? { policy: row.doc } : {}), tags: Object.fromEntries(tags.map((t) => [t.tag_key, t.tag_value])) };
}

/** A role's trust policy, compiled; undefined when the role does not exist. */
export function trustPolicy(env: Env, roleArn: string): Policy | undefined {
  const m = /^arn:[^:]+:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(roleArn);
  if (!m) return undefined;
  const row = env.db.prepare('SELECT trust_policy FROM iam_roles WHERE account_id = ? AND name = ? AND path = ?').get(m[1], m[3], m[2]) as { trust_policy: string } | undefined;
  return row ? compiled(env, row.trust_policy, 'trust', roleArn) : undefined;
}

export interface Principal {
  principal: RequestPrincipal;
  policies: PolicySet;
  /** The global condition keys the caller brings (aws:PrincipalArn, aws:CurrentTime, ...). */
  context: Context;
}

/** What stays true of a caller from one request to the next, until an IAM write. */
interface CallerFacts {
  caller: Caller;
  principal: RequestPrincipal;
  policies: PolicySet;
  /** Condition keys that do not change per request, lower-cased. */
  keys: Map<string, ContextValue>;
}

/** The caller as policy evaluation sees it: what it is, its policies, and the global condition keys it brings. */
export function callerPrincipal(ctx: RequestContext, caller: Caller): Principal {
  const cache = policyCache(ctx).callers;
  const key = caller.accessKeyId ?? caller.arn;
  let facts = cache.get(key);
  if (!facts || !sameCaller(facts.caller, caller)) {
    facts = callerFacts(ctx, caller);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, facts);
  }
  return { principal: facts.principal, policies: facts.policies, context: new LayeredContext([new RequestKeys(ctx, caller), facts.keys]) };
}

/** A key's row names its holder; IAM writes (which clear the cache) are what change it, checked here all the same. */
function sameCaller(a: Caller, b: Caller): boolean {
  return a.arn === b.arn && a.kind === b.kind && a.accountId === b.accountId && a.userId === b.userId;
}

function callerFacts(ctx: RequestContext, caller: Caller): CallerFacts {
  const keys = new Map<string, ContextValue>([
    // Nimbus listens on plain HTTP.
    ['aws:securetransport', 'false'],
    ['aws:userid', caller.userId],
  ]);
  if (caller.kind === 'anonymous') {
    keys.set('aws:principaltype', 'Anonymous');
    return { caller, principal: { kind: 'anonymous', arn: '*', account: '' }, policies: { identity: [] }, keys };
  }
  keys.set('aws:principalaccount', caller.accountId);
  if (caller.kind === 'root') {
    keys.set('aws:principalarn', caller.arn).set('aws:principaltype', 'Account');
    return { caller, principal: { kind: 'root', arn: caller.arn, account: caller.accountId }, policies: { identity: [] }, keys };
  }
  const session = caller.session;
  const entityArn = caller.kind === 'assumed-role' ? session?.roleArn ?? roleArnOf(caller.arn)
    : caller.kind === 'federated-user' ? session?.userArn ?? caller.arn : caller.arn;
  const found = principalPolicies(ctx, entityArn);
  const tags = { ...found?.tags, ...session?.tags };
  const sessionPolicies: Policy[] = (session?.policies ?? []).map((d) => compiled(ctx, d, 'identity', 'session policy'));
  // A federated user without a session policy has no permissions at all.
  const identity = caller.kind === 'federated-user' && sessionPolicies.length === 0 ? [] : found?.identity ?? [];
  keys.set('aws:principalarn', entityArn);
  keys.set('aws:principaltype', caller.kind === 'user' ? 'User' : caller.kind === 'federated-user' ? 'FederatedUser' : 'AssumedRole');
  if (caller.kind === 'user') keys.set('aws:username', caller.arn.slice(caller.arn.lastIndexOf('/') + 1));
  if (session) {
    keys.set('aws:tokenissuetime', new Date(session.issuedAt).toISOString());
    keys.set('aws:multifactorauthpresent', String(session.mfaAt !== undefined));
  }
  if (session?.sourceIdentity) keys.set('aws:sourceidentity', session.sourceIdentity);
  for (const [k, v] of Object.entries(tags)) keys.set(`aws:principaltag/${k}`.toLowerCase(), v);
  return {
    caller,
    principal: { kind: caller.kind, arn: caller.arn, account: caller.accountId, ...(caller.kind === 'assumed-role' ? { roleArn: entityArn } : {}) },
    policies: { identity, boundary: found?.boundary, session: sessionPolicies },
    keys,
  };
}

/** The condition keys of this request: the time, where it comes from, the region it asks; worked out when a condition reads them. */
class RequestKeys implements Context {
  private readonly now: number;

  constructor(private readonly ctx: RequestContext, private readonly caller: Caller) {
    this.now = ctx.clock.now();
  }

  get(key: string): ContextValue | undefined {
    switch (key) {
      case 'aws:sourceip': return this.ctx.request.remoteAddress.replace(/^::ffff:/, '');
      case 'aws:currenttime': return new Date(this.now).toISOString();
      case 'aws:epochtime': return String(Math.floor(this.now / 1000));
      case 'aws:requestedregion': return this.ctx.region;
      case 'aws:multifactorauthage': {
        const mfaAt = this.caller.session?.mfaAt;
        return mfaAt === undefined ? undefined : String(Math.floor((this.now - mfaAt) / 1000));
      }
      default: return undefined;
    }
  }

  entries(): Iterable<[string, ContextValue]> {
    const all = new Map<string, ContextValue>();
    for (const key of ['aws:sourceip', 'aws:currenttime', 'aws:epochtime', 'aws:requestedregion', 'aws:multifactorauthage']) {
      const v = this.get(key);
      if (v !== undefined) all.set(key, v);
    }
    return all.entries();
  }
}

/** `arn:aws:sts::1:assumed-role/name/session` -> `arn:aws:iam::1:role/name` (path unknown: `/`). */
function roleArnOf(sessionArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(sessionArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : sessionArn;
}
