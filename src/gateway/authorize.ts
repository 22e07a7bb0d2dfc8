import { authorizationsFor, type Authorization } from '../iam/actions.js';
import { evaluate, type AuthorizationRequest, type Decision } from '../iam/evaluate.js';
import { contextOf, LayeredContext, type Context, type ContextValue } from '../iam/match.js';
import type { Policy } from '../iam/policy.js';
import { AwsError } from '../protocols/errors.js';
import type { Operation, ServiceModel } from '../protocols/model.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { RequestContext, ResourceFacts, ResourcePolicyHook, ServiceEnv, ServiceRequest } from '../services/service.js';
import { callerPrincipal, compiled } from '../services/iam/principals.js';
import { encodeAuthorizationMessage } from '../iam/messages.js';
import type { Caller } from './authenticate.js';

/**
 * The point where IAM enforcement plugs in (DESIGN.md §1, the IAM issue). It runs after
 * validation and before the handler, with the caller, the operation and its input; it throws
 * the protocol's AccessDenied to refuse.
 */
export type Authorizer = (ctx: RequestContext, model: ServiceModel, op: Operation, input: Record<string, unknown>) => void | Promise<void>;

/**
 * IAM enforcement: every action an operation needs is evaluated for the signed principal against
 * its identity-based policies, its permissions boundary, its session policies and the resource's
 * own policy, with AWS's evaluation logic (src/iam/evaluate.ts).
 */
export function enforceIam(services: ServiceRegistry): Authorizer {
  // IAM's tables answer the questions below (paths, policies), whichever service is called; the
  // hooks of the services owning resources are looked up once each. Both are this instance's.
  let iamLoaded = false;
  const hooks = new Map<string, ResourcePolicyHook | undefined>();
  return async (ctx, model, op, input) => {
    if (!iamLoaded) {
      await services.load('iam');
      iamLoaded = true;
    }
    const authorizations = authorizationsFor({
      service: model.id, operation: op.name, input, accountId: ctx.accountId, region: ctx.region, headers: ctx.request.headers,
      iamPath: (type, name) => iamPath(ctx, type, name),
      instanceProfileRole: (nameOrArn) => instanceProfileRole(ctx, nameOrArn),
      callerUserName: ctx.caller.kind === 'user' ? ctx.caller.arn.slice(ctx.caller.arn.lastIndexOf('/') + 1) : undefined,
    });
    if (authorizations.length === 0) return;
    const who = callerPrincipal(ctx, ctx.caller);
    for (const a of authorizations) {
      const owner = serviceOf(a.resource);
      const hook = owner === undefined ? undefined : hooks.has(owner) ? hooks.get(owner) : await resourceHook(services, hooks, owner);
      const found = hook?.(ctx, a.resource, a.action, input);
      const facts = found instanceof Promise ? await found : found;
      const resourceAccount = facts?.account ?? accountOf(a.resource);
      const context = new LayeredContext([resourceKeys(a, facts, resourceAccount), who.context]);
      const request: AuthorizationRequest = { principal: who.principal, action: a.action, resource: a.resource, context, resourceAccount: resourceAccount || undefined, resourceRequired: a.resourceRequired };
      const resource = facts?.policy ? resourcePolicy(ctx, facts.policy, a.resourceRequired ? 'trust' : 'resource', a.resource) : undefined;
      const decision = evaluate(request, { identity: who.policies.identity, boundary: who.policies.boundary, session: who.policies.session, resource });
      if (!decision.allowed) throw accessDenied(model, ctx.caller, a, decision, request.context);
    }
  };
}

/** The condition keys of one authorization and its resource, over the caller's: later spread, earlier looked up. */
function resourceKeys(a: Authorization, facts: ResourceFacts | undefined, resourceAccount: string | undefined): Map<string, ContextValue> {
  const keys = new Map<string, ContextValue>();
  if (a.context) for (const k in a.context) keys.set(k.toLowerCase(), a.context[k]!);
  if (facts?.tags) for (const k in facts.tags) keys.set(`aws:resourcetag/${k.toLowerCase()}`, facts.tags[k]!);
  if (facts?.context) for (const k in facts.context) keys.set(k.toLowerCase(), facts.context[k]!);
  if (resourceAccount) keys.set('aws:resourceaccount', resourceAccount);
  return keys;
}

/**
 * An AWS service principal acting for one of its resources: it has no identity-based policies, so
 * the target's resource policy must allow it, conditions on aws:SourceArn and aws:SourceAccount
 * included. https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
 */
export function serviceAllowed(env: Pick<ServiceEnv, 'memory'>, r: ServiceRequest): boolean {
  const policy = r.policy ? resourcePolicy(env, r.policy, 'resource', r.resource) : undefined;
  const context = contextOf({ 'aws:SourceArn': r.sourceArn, 'aws:SourceAccount': r.sourceAccount, 'aws:ResourceAccount': r.resourceAccount });
  return evaluate({ principal: { kind: 'service', arn: r.service, account: '' }, action: r.action, resource: r.resource, resourceAccount: r.resourceAccount, context },
    { identity: [], resource: policy }).allowed;
}

/**
 * A resource's policy as its service stored it. Services check their policies on write with
 * their own rules; one IAM's parser cannot read grants nothing here rather than failing every
 * request to the resource.
 */
function resourcePolicy(env: Pick<ServiceEnv, 'memory'>, document: string, kind: 'trust' | 'resource', resource: string): Policy | undefined {
  try {
    return compiled(env, document, kind, resource);
  } catch {
    return undefined;
  }
}

function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function iamPath(ctx: RequestContext, type: string, name: string): string {
  const table = { user: 'iam_users', role: 'iam_roles', group: 'iam_groups', 'instance-profile': 'iam_instance_profiles' }[type];
  const row = ctx.db.prepare(`SELECT path FROM ${table} WHERE account_id = ? AND lower(name) = lower(?)`).get(ctx.accountId, name) as { path: string } | undefined;
  return row?.path ?? '/';
}

/** The ARN of the role an instance profile holds, for the iam:PassRole that launching with it needs. */
function instanceProfileRole(ctx: RequestContext, nameOrArn: string): string | undefined {
  const name = nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
  const row = ctx.db.prepare(`SELECT r.path, r.name FROM iam_roles r JOIN iam_instance_profile_roles x ON x.account_id = r.account_id AND x.role_name = r.name
    WHERE x.account_id = ? AND lower(x.profile_name) = lower(?)`).get(ctx.accountId, name) as { path: string; name: string } | undefined;
  return row && `arn:aws:iam::${ctx.accountId}:role${row.path}${row.name}`;
}

/** The service of an ARN, whose resource-policy hook says the resource's owner, policy and tags; none for `*`. */
function serviceOf(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const from = resource.indexOf(':', resource.indexOf(':') + 1) + 1;
  if (from === 0) return undefined;
  const to = resource.indexOf(':', from);
  return resource.slice(from, to < 0 ? undefined : to) || undefined;
}

async function resourceHook(services: ServiceRegistry, hooks: Map<string, ResourcePolicyHook | undefined>, owner: string): Promise<ResourcePolicyHook | undefined> {
  const hook = await services.resourcePolicy(owner);
  // ARNs in requests may name any service: only the known ones are remembered.
  if (services.available.has(owner)) hooks.set(owner, hook);
  return hook;
}

const POLICY_NAMES = { identity: 'identity-based policy', resource: 'resource-based policy', boundary: 'permissions boundary', session: 'session policy' } as const;

/** AWS's denial message. https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html */
export function denialMessage(caller: Caller, a: Authorization, d: Decision): string {
  // Unsigned requests (public S3 reads) learn nothing about the policies, as in S3.
  if (caller.kind === 'anonymous') return 'Access Denied';
  const who = caller.arn;
  const on = a.resource === '*' ? '' : ` on resource: ${a.resource}`;
  const why = d.allowed ? '' : d.reason === 'explicit-deny'
    ? `with an explicit deny in a${d.deniedBy === 'identity' ? 'n' : ''} ${POLICY_NAMES[d.deniedBy]}`
    : `because no ${POLICY_NAMES[d.missing]} allows the ${a.action} action`;
  return `User: ${who} is not authorized to perform: ${a.action}${on} ${why}`;
}

/** The access-denied error in the shape of the service's protocol. */
function accessDenied(model: ServiceModel, caller: Caller, a: Authorization, d: Decision, context: Context): AwsError {
  const message = denialMessage(caller, a, d);
  const protocol = model.protocol;
  if (protocol === 'ec2') {
    // EC2 hides the details in an encoded message that sts:DecodeAuthorizationMessage reveals.
    const encoded = encodeAuthorizationMessage({
      allowed: false,
      explicitDeny: d.reason === 'explicit-deny',
      matchedStatements: { items: d.matched.filter((m) => m.effect === 'Deny').map((m) => ({ statementId: m.sid ?? '', effect: 'DENY', source: m.source ?? m.type })) },
      failures: { items: [] },
      context: {
        principal: { id: caller.userId, arn: caller.arn },
        action: a.action,
        resource: a.resource,
        conditions: { items: [...context.entries()].map(([key, v]) => ({ key, values: { items: (typeof v === 'string' ? [v] : [...v]).map((value) => ({ value })) } })) },
      },
    });
    return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${encoded}`, { status: 403 });
  }
  for (const name of ['AuthorizationErrorException', 'AccessDeniedException', 'AccessDenied']) {
    const shape = model.errorShape(name);
    if (shape) return new AwsError(shape.error?.code ?? name, message, { status: 403 });
  }
  if (protocol === 'query' || protocol === 'rest-xml' || model.metadata.awsQueryCompatible) return new AwsError('AccessDenied', message, { status: 403 });
  return new AwsError('AccessDeniedException', message, { status: protocol === 'json' ? 400 : 403 });
}
