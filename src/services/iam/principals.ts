import type { Caller } from '../../gateway/authenticate.js';
import type { PolicySet, RequestPrincipal } from '../../iam/evaluate.js';
import type { ContextValue } from '../../iam/match.js';
import { parsePolicy, type Policy, type PolicyKind } from '../../iam/policy.js';
import type { RequestContext, ResourceFacts, ServiceEnv } from '../service.js';
import { findPolicy, policyDocument } from './policies.js';

/**
 * Everything IAM knows about a principal that policy evaluation needs: its identity-based
 * policies (its own, its groups', attached and inline), its permissions boundary and its tags.
 * Compiled policies are kept per instance until the next IAM write.
 */

export interface PrincipalPolicies {
  identity: Policy[];
  boundary?: Policy;
  tags: Record<string, string>;
}

type Env = Pick<ServiceEnv, 'db' | 'memory'>;

/** Compiled documents and principal lookups; any IAM write clears it (see index.ts). */
export class PolicyCache {
  readonly compiled = new Map<string, Policy>();
  readonly principals = new Map<string, PrincipalPolicies | null>();

  clear(): void {
    this.compiled.clear();
    this.principals.clear();
  }
}

export function policyCache(env: Pick<ServiceEnv, 'memory'>): PolicyCache {
  return env.memory('iam.policy-cache', () => new PolicyCache());
}

/** Parses a stored (already validated) document once per instance. */
export function compiled(env: Pick<ServiceEnv, 'memory'>, text: string, kind: PolicyKind, source?: string): Policy {
  const cache = policyCache(env).compiled;
  const key = `${kind}\n${source ?? ''}\n${text}`;
  let p = cache.get(key);
  if (!p) {
    p = parsePolicy(text, kind, source);
    if (cache.size > 5000) cache.clear();
    cache.set(key, p);
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
  context: Record<string, ContextValue>;
}

/** The caller as policy evaluation sees it: what it is, its policies, and the global condition keys it brings. */
export function callerPrincipal(ctx: RequestContext, caller: Caller): Principal {
  const now = ctx.clock.now();
  const base: Record<string, ContextValue> = {
    'aws:SourceIp': ctx.request.remoteAddress.replace(/^::ffff:/, ''),
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    // Nimbus listens on plain HTTP.
    'aws:SecureTransport': 'false',
    'aws:RequestedRegion': ctx.region,
    'aws:userid': caller.userId,
    ...(caller.kind !== 'anonymous' ? { 'aws:PrincipalAccount': caller.accountId } : {}),
  };
  if (caller.kind === 'anonymous') return { principal: { kind: 'anonymous', arn: '*', account: '' }, policies: { identity: [] }, context: { ...base, 'aws:PrincipalType': 'Anonymous' } };
  if (caller.kind === 'root') {
    return { principal: { kind: 'root', arn: caller.arn, account: caller.accountId }, policies: { identity: [] }, context: { ...base, 'aws:PrincipalArn': caller.arn, 'aws:PrincipalType': 'Account' } };
  }
  const session = caller.session;
  const entityArn = caller.kind === 'assumed-role' ? session?.roleArn ?? roleArnOf(caller.arn)
    : caller.kind === 'federated-user' ? session?.userArn ?? caller.arn : caller.arn;
  const found = principalPolicies(ctx, entityArn);
  const tags = { ...found?.tags, ...session?.tags };
  const sessionPolicies: Policy[] = (session?.policies ?? []).map((d) => compiled(ctx, d, 'identity', 'session policy'));
  // A federated user without a session policy has no permissions at all.
  const identity = caller.kind === 'federated-user' && sessionPolicies.length === 0 ? [] : found?.identity ?? [];
  return {
    principal: { kind: caller.kind, arn: caller.arn, account: caller.accountId, ...(caller.kind === 'assumed-role' ? { roleArn: entityArn } : {}) },
    policies: { identity, boundary: found?.boundary, session: sessionPolicies },
    context: {
      ...base,
      'aws:PrincipalArn': entityArn,
      'aws:PrincipalType': caller.kind === 'user' ? 'User' : caller.kind === 'federated-user' ? 'FederatedUser' : 'AssumedRole',
      ...(caller.kind === 'user' ? { 'aws:username': caller.arn.slice(caller.arn.lastIndexOf('/') + 1) } : {}),
      ...(session ? { 'aws:TokenIssueTime': new Date(session.issuedAt).toISOString(), 'aws:MultiFactorAuthPresent': String(session.mfaAt !== undefined) } : {}),
      ...(session?.mfaAt !== undefined ? { 'aws:MultiFactorAuthAge': String(Math.floor((now - session.mfaAt) / 1000)) } : {}),
      ...(session?.sourceIdentity ? { 'aws:SourceIdentity': session.sourceIdentity } : {}),
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
    },
  };
}

/** `arn:aws:sts::1:assumed-role/name/session` -> `arn:aws:iam::1:role/name` (path unknown: `/`). */
function roleArnOf(sessionArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(sessionArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : sessionArn;
}
