import { AwsError } from '../../protocols/errors.js';
import { evaluate, type Decision, type RequestPrincipal } from '../../iam/evaluate.js';
import { contextOf, type ContextValue } from '../../iam/match.js';
import { parsePolicy, type Policy } from '../../iam/policy.js';
import type { ContextEntry, EvaluationResult, Operations, SimulateCustomPolicyRequest, SimulatePrincipalPolicyRequest } from '../../generated/types/iam.js';
import type { Handlers, RequestContext } from '../service.js';
import { iamArn, need, page } from './model.js';
import { compiled, principalPolicies } from './principals.js';
import { findPolicy, policyDocument } from './policies.js';

/**
 * The policy simulator, answered by the same engine that enforces requests, so
 * `aws iam simulate-principal-policy` explains what Nimbus will decide.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
 */

interface Simulation {
  principal: RequestPrincipal;
  identity: Policy[];
  boundary?: Policy | undefined;
  context: Record<string, ContextValue>;
}

function simulate(sim: Simulation, input: SimulateCustomPolicyRequest | SimulatePrincipalPolicyRequest) {
  const resourcePolicy = input.ResourcePolicy ? parsePolicy(input.ResourcePolicy, 'resource', 'ResourcePolicy') : undefined;
  const boundaries = input.PermissionsBoundaryPolicyInputList?.map((d, i) => parsePolicy(d, 'identity', `PermissionsBoundaryPolicyInputList.${i + 1}`));
  const entries = Object.fromEntries((input.ContextEntries ?? []).map((e: ContextEntry) => [e.ContextKeyName!, (e.ContextKeyType ?? 'string').endsWith('List') ? e.ContextKeyValues ?? [] : e.ContextKeyValues?.[0] ?? '']));
  const context = contextOf({ ...sim.context, ...entries });
  const results: EvaluationResult[] = [];
  for (const action of input.ActionNames) {
    for (const resource of input.ResourceArns ?? ['*']) {
      const decision = evaluate({ principal: sim.principal, action, resource, context, ...(input.ResourceOwner ? { resourceAccount: input.ResourceOwner.replace(/^arn:[^:]+:iam::(\d{12}):root$/, '$1') } : {}) },
        { identity: sim.identity, boundary: boundaries?.[0] ?? sim.boundary, resource: resourcePolicy });
      results.push(toResult(action, resource, decision, sim.boundary !== undefined || boundaries !== undefined));
    }
  }
  const { items, ...more } = page(results, input);
  return { EvaluationResults: items, ...more };
}

function toResult(action: string, resource: string, d: Decision, hasBoundary: boolean): EvaluationResult {
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: d.allowed ? 'allowed' : d.reason === 'explicit-deny' ? 'explicitDeny' : 'implicitDeny',
    MatchedStatements: d.matched.filter((m) => (d.allowed ? m.effect === 'Allow' : m.effect === 'Deny')).map((m) => ({
      SourcePolicyId: m.source ?? '',
      SourcePolicyType: sourceType(m.type, m.source ?? ''),
    })),
    MissingContextValues: [],
    ...(hasBoundary ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: !(!d.allowed && d.reason === 'implicit-deny' && d.missing === 'boundary') } } : {}),
  };
}

function sourceType(type: string, source: string): NonNullable<EvaluationResult['MatchedStatements']>[number]['SourcePolicyType'] {
  if (type === 'resource') return 'resource';
  if (source.startsWith('arn:aws:iam::aws:')) return 'aws-managed';
  if (source.startsWith('arn:')) return 'user-managed';
  const entity = source.split('/')[0];
  return entity === 'user' || entity === 'group' || entity === 'role' ? entity : 'none';
}

function inputPolicies(list: readonly string[] | undefined): Policy[] {
  return (list ?? []).map((d, i) => parsePolicy(d, 'identity', `PolicyInputList.${i + 1}`));
}

/** The principal named by PolicySourceArn: a user, a group (its policies only) or a role. */
function source(ctx: RequestContext, arn: string): Simulation {
  const m = /^arn:[^:]+:iam::(\d{12}):(user|group|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m || m[1] !== ctx.accountId) throw new AwsError('InvalidInput', `Invalid ARN: ${arn}`);
  const type = m[2] as 'user' | 'group' | 'role';
  const row = need(ctx, type, m[3]!);
  const entityArn = iamArn(ctx.accountId, type, row.path, row.name);
  if (type === 'group') {
    const identity: Policy[] = [];
    for (const p of ctx.db.prepare("SELECT policy_name, document FROM iam_inline_policies WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?").all(ctx.accountId, row.name) as { policy_name: string; document: string }[]) {
      identity.push(compiled(ctx, p.document, 'identity', `group/${row.name}/${p.policy_name}`));
    }
    for (const a of ctx.db.prepare("SELECT policy_arn FROM iam_attachments WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?").all(ctx.accountId, row.name) as { policy_arn: string }[]) {
      const managed = findPolicy(ctx, a.policy_arn);
      if (managed) identity.push(compiled(ctx, policyDocument(ctx, managed)!, 'identity', a.policy_arn));
    }
    return { principal: { kind: 'user', arn: entityArn, account: ctx.accountId }, identity, context: {} };
  }
  const found = principalPolicies(ctx, entityArn)!;
  const principal: RequestPrincipal = type === 'user'
    ? { kind: 'user', arn: entityArn, account: ctx.accountId }
    : { kind: 'assumed-role', arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${row.name}/simulation`, account: ctx.accountId, roleArn: entityArn };
  const tags = Object.fromEntries(Object.entries(found.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
  return {
    principal, identity: found.identity, boundary: found.boundary,
    context: { 'aws:PrincipalArn': entityArn, 'aws:PrincipalAccount': ctx.accountId, 'aws:userid': row.id, ...(type === 'user' ? { 'aws:username': row.name } : {}), ...tags },
  };
}

export const simulator: Handlers<Operations> = {
  SimulatePrincipalPolicy(input, ctx) {
    const sim = source(ctx, input.PolicySourceArn);
    return simulate({ ...sim, identity: [...sim.identity, ...inputPolicies(input.PolicyInputList)] }, input);
  },

  SimulateCustomPolicy(input, ctx) {
    const caller = input.CallerArn ?? `arn:aws:iam::${ctx.accountId}:user/simulated`;
    const name = caller.slice(caller.lastIndexOf('/') + 1);
    return simulate({
      principal: { kind: 'user', arn: caller, account: ctx.accountId },
      identity: inputPolicies(input.PolicyInputList),
      context: { 'aws:PrincipalArn': caller, 'aws:username': name },
    }, input);
  },

  GetContextKeysForCustomPolicy: (input) => ({ ContextKeyNames: contextKeys(inputPolicies(input.PolicyInputList)) }),

  GetContextKeysForPrincipalPolicy(input, ctx) {
    const sim = source(ctx, input.PolicySourceArn);
    return { ContextKeyNames: contextKeys([...sim.identity, ...inputPolicies(input.PolicyInputList)]) };
  },
};

/** The condition keys and policy variables a set of policies reads. */
function contextKeys(policies: readonly Policy[]): string[] {
  const keys = new Set<string>();
  for (const p of policies) {
    for (const s of p.statements) {
      for (const c of s.condition) keys.add(c.key);
      for (const r of [...(s.resource ?? []), ...(s.notResource ?? [])]) for (const m of r.matchAll(/\$\{([^},]+)/g)) keys.add(m[1]!.trim());
    }
  }
  return [...keys];
}
