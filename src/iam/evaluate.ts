import { conditionMatches } from './conditions.js';
import { arnMatcher, substitute, type Context } from './match.js';
import { coversAction, type Policy, type Principals, type Statement } from './policy.js';

/**
 * IAM's policy evaluation logic, in the order the IAM User Guide gives it: an explicit deny in
 * any policy wins; then the limits (permissions boundary, session policies) must allow; then an
 * identity-based or resource-based policy must allow; otherwise the request is implicitly denied.
 * Across accounts both the principal's account (identity) and the resource's account
 * (resource-based policy) must allow.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */

/** `identity-provider` is the OIDC or SAML provider that vouches for a federated sign-in (trust policies' `Federated`). */
export type PrincipalKind = 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous' | 'service' | 'identity-provider';

export interface RequestPrincipal {
  kind: PrincipalKind;
  /** `arn:aws:iam::1:user/bob`, `arn:aws:sts::1:assumed-role/r/s`, `lambda.amazonaws.com`, `*` for anonymous. */
  arn: string;
  account: string;
  /** For role sessions: the role's ARN (with its path), which resource policies may name. */
  roleArn?: string;
}

export interface AuthorizationRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** The account owning the resource; the principal's when undefined. */
  resourceAccount?: string;
  /**
   * The resource policy must match the principal even within one account: role trust policies
   * are the only way into a role.
   */
  resourceRequired?: boolean;
  context: Context;
}

export interface PolicySet {
  identity: readonly Policy[];
  /** The permissions boundary of the user or role, if it has one. */
  boundary?: Policy | undefined;
  /** Session policies passed to AssumeRole/GetFederationToken. */
  session?: readonly Policy[] | undefined;
  /** The resource's own policy (bucket policy, queue policy, trust policy). */
  resource?: Policy | undefined;
}

export type PolicyType = 'identity' | 'boundary' | 'session' | 'resource';

export interface MatchedStatement {
  type: PolicyType;
  source?: string;
  sid?: string;
  effect: 'Allow' | 'Deny';
  index: number;
}

export type Decision =
  | { allowed: true; reason: 'allowed'; matched: MatchedStatement[] }
  | { allowed: false; reason: 'explicit-deny'; deniedBy: PolicyType; matched: MatchedStatement[] }
  | { allowed: false; reason: 'implicit-deny'; missing: PolicyType; matched: MatchedStatement[] };

/** How a statement's Principal matched: the principal itself, or its whole account. */
type PrincipalMatch = 'direct' | 'role' | 'account' | undefined;

export function evaluate(req: AuthorizationRequest, policies: PolicySet): Decision {
  const matched: MatchedStatement[] = [];
  const identity = scanAll('identity', policies.identity, req, matched);
  const boundary = policies.boundary ? scan('boundary', policies.boundary, req, matched, new ScanResult()) : undefined;
  const session = policies.session?.length ? scanAll('session', policies.session, req, matched) : undefined;
  const resource = policies.resource ? scan('resource', policies.resource, req, matched, new ScanResult()) : undefined;

  if (identity.deny && req.principal.kind !== 'root') return explicit('identity', matched);
  if (resource?.deny) return explicit('resource', matched);
  if (boundary?.deny) return explicit('boundary', matched);
  if (session?.deny) return explicit('session', matched);

  const root = req.principal.kind === 'root';
  // Anonymous callers, AWS services and identity providers have no identity-based policies: only the resource's policy speaks for them.
  const outsider = req.principal.kind === 'anonymous' || req.principal.kind === 'service' || req.principal.kind === 'identity-provider';
  const identityAllows = root || outsider || identity.allow !== undefined;
  const boundaryAllows = root || !boundary || boundary.allow !== undefined;
  const sessionAllows = !session || session.allow !== undefined;
  const sameAccount = (req.resourceAccount ?? req.principal.account) === req.principal.account;
  const grant = resource?.allow;

  if (!sameAccount || (req.resourceRequired && !grant)) {
    // Each side decides for its own account: the principal's policies, then the resource's.
    if (!identityAllows) return implicit('identity', matched);
    if (!boundaryAllows) return implicit('boundary', matched);
    if (!sessionAllows) return implicit('session', matched);
    if (!grant) return implicit('resource', matched);
    return { allowed: true, reason: 'allowed', matched };
  }
  // A resource-based policy naming the user or the session itself is enough on its own; one
  // naming the role is still limited by the boundary and the session policy; one naming the
  // account delegates to the account's identity-based policies.
  if (grant === 'direct' && req.principal.kind !== 'assumed-role') return { allowed: true, reason: 'allowed', matched };
  if (grant === 'direct' || grant === 'role') {
    if (!boundaryAllows && req.principal.kind === 'assumed-role' && grant === 'role') return implicit('boundary', matched);
    if (!sessionAllows && grant === 'role') return implicit('session', matched);
    return { allowed: true, reason: 'allowed', matched };
  }
  if (!identityAllows) return implicit('identity', matched);
  if (!boundaryAllows) return implicit('boundary', matched);
  if (!sessionAllows) return implicit('session', matched);
  return { allowed: true, reason: 'allowed', matched };
}

function implicit(missing: PolicyType, matched: MatchedStatement[]): Decision {
  return { allowed: false, reason: 'implicit-deny', missing, matched };
}

function explicit(deniedBy: PolicyType, matched: MatchedStatement[]): Decision {
  return { allowed: false, reason: 'explicit-deny', deniedBy, matched };
}

class ScanResult {
  deny = false;
  /** For identity policies any allow is 'direct'; for resource policies, how the principal matched. */
  allow: PrincipalMatch = undefined;
}

function scanAll(type: PolicyType, policies: readonly Policy[], req: AuthorizationRequest, matched: MatchedStatement[]): ScanResult {
  const out = new ScanResult();
  for (const policy of policies) scan(type, policy, req, matched, out);
  return out;
}

/** Only the statements naming the action are read: the policy knows them (Policy.statementsFor). */
function scan(type: PolicyType, policy: Policy, req: AuthorizationRequest, matched: MatchedStatement[], out: ScanResult): ScanResult {
  for (const index of policy.statementsFor(req.action)) {
    const s = policy.statements[index]!;
    const how = appliesToRequest(s, policy, req, type === 'resource');
    if (!how) continue;
    matched.push({ type, effect: s.effect, index, source: policy.source, sid: s.sid });
    if (s.effect === 'Deny') out.deny = true;
    else if (rank(how) > rank(out.allow)) out.allow = how;
  }
  return out;
}

const rank = (m: PrincipalMatch) => (m === 'direct' ? 3 : m === 'role' ? 2 : m === 'account' ? 1 : 0);

/** Whether a statement applies to the request; for resource policies, how its principal matched. */
export function statementApplies(s: Statement, policy: Policy, req: AuthorizationRequest, resourcePolicy: boolean): PrincipalMatch {
  return coversAction(s, req.action) ? appliesToRequest(s, policy, req, resourcePolicy) : undefined;
}

/** statementApplies for a statement already known to cover the action. */
function appliesToRequest(s: Statement, policy: Policy, req: AuthorizationRequest, resourcePolicy: boolean): PrincipalMatch {
  const variables = policy.version === '2012-10-17';
  const patterns = s.resource ?? s.notResource;
  if (patterns) {
    let resourceHit = false;
    for (let i = 0; i < patterns.length && !resourceHit; i++) {
      const m = s.resourceMatchers[i];
      if (m) resourceHit = m(req.resource);
      else {
        const text = substitute(patterns[i]!, req.context);
        resourceHit = text !== undefined && arnMatcher(text)(req.resource);
      }
    }
    if (s.resource ? !resourceHit : resourceHit) return undefined;
  }
  let how: PrincipalMatch = 'direct';
  if (resourcePolicy) {
    if (s.principal) how = principalMatch(s.principal, req.principal);
    else if (s.notPrincipal) how = principalMatch(s.notPrincipal, req.principal) ? undefined : 'direct';
    if (!how) return undefined;
  }
  for (const c of s.condition) if (!conditionMatches(c, req.context, variables)) return undefined;
  return how;
}

/**
 * Principal element matching. `"*"` is everyone, anonymous included; an account id or its root
 * ARN stands for every principal of the account (which then needs its own identity-based allow);
 * a role ARN covers the role's sessions.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export function principalMatch(principals: Principals, p: RequestPrincipal): PrincipalMatch {
  if (principals === '*') return 'direct';
  let best: PrincipalMatch;
  const consider = (m: PrincipalMatch) => {
    if (rank(m) > rank(best)) best = m;
  };
  for (const value of principals['AWS'] ?? []) {
    if (value === '*') consider('direct');
    else if (p.kind === 'anonymous' || p.kind === 'service' || p.kind === 'identity-provider') continue;
    else if (/^\d{12}$/.test(value) || /^arn:[^:]+:iam::\d{12}:root$/.test(value)) {
      if (value.replace(/^arn:[^:]+:iam::(\d{12}):root$/, '$1') === p.account) consider(p.kind === 'root' ? 'direct' : 'account');
    } else if (value === p.arn) consider('direct');
    else if (p.roleArn && value === p.roleArn) consider('role');
  }
  if (p.kind === 'service' && (principals['Service'] ?? []).includes(p.arn)) consider('direct');
  if (p.kind === 'identity-provider' && (principals['Federated'] ?? []).includes(p.arn)) consider('direct');
  return best;
}
