import { parseArn } from '../../arn.js';
import { statementApplies, type AuthorizationRequest } from '../../iam/evaluate.js';
import { contextOf, LayeredContext, type ContextValue } from '../../iam/match.js';
import { parsePolicy, type Policy } from '../../iam/policy.js';
import { AwsError } from '../../protocols/errors.js';
import { stableIamId } from '../../ids.js';
import type { AssumeRoleRequest, Operations, PolicyDescriptorType } from '../../generated/types/sts.js';
import type { Handlers, RequestContext } from '../service.js';
import { findPolicy, policyDocument } from '../iam/policies.js';
import { callerPrincipal, trustPolicy } from '../iam/principals.js';
import { checkMfa, checkSessionName, issueTemporaryCredentials } from './credentials.js';

/**
 * Assuming roles. A role IAM knows admits only the principals its trust policy names, for at
 * most its MaxSessionDuration; session policies and tags travel with the credentials. A role
 * IAM does not know can still be assumed while enforcement is off (the gateway refuses it when
 * on), so code that only needs some role credentials works without creating the role first.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */

export interface KnownRole { arn: string; account: string; name: string; id: string; maxSession: number; trust: Policy }

/** The role an ARN names, with its account, if IAM has it. */
export function roleOf(ctx: RequestContext, roleArn: string): { account: string; name: string; partition: string; known?: KnownRole } {
  const arn = parseArn(roleArn);
  const resource = arn?.service === 'iam' && /^\d{12}$/.test(arn.account) && arn.resource.startsWith('role/') ? arn.resource.slice(5) : undefined;
  if (!arn || !resource) throw new AwsError('ValidationError', `${roleArn} is invalid`, { status: 400 });
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  const trust = trustPolicy(ctx, roleArn);
  if (!trust) return { account: arn.account, name, partition: arn.partition };
  const path = `/${resource.slice(0, resource.lastIndexOf('/') + 1)}`;
  const row = ctx.db.prepare('SELECT id, max_session FROM iam_roles WHERE account_id = ? AND name = ? AND path = ?').get(arn.account, name, path) as { id: string; max_session: number };
  return { account: arn.account, name, partition: arn.partition, known: { arn: roleArn, account: arn.account, name, id: row.id, maxSession: row.max_session, trust } };
}

/** Does the trust policy admit this request: an Allow applies and no Deny does? */
export function trustAdmits(trust: Policy, req: AuthorizationRequest): boolean {
  let allowed = false;
  for (const s of trust.statements) {
    if (!statementApplies(s, trust, req, true)) continue;
    if (s.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

/** Session policies: the inline document and the managed policies named by ARN, in the role's account. */
export function sessionPolicies(ctx: RequestContext, account: string, input: { Policy?: string; PolicyArns?: PolicyDescriptorType[] }): string[] {
  const docs: string[] = [];
  if (input.Policy !== undefined) {
    parsePolicy(input.Policy, 'identity');
    docs.push(input.Policy);
  }
  for (const d of input.PolicyArns ?? []) {
    const p = d.arn ? findPolicy({ db: ctx.db, accountId: account }, d.arn) : undefined;
    const doc = p && policyDocument({ db: ctx.db, accountId: account }, p);
    if (!doc) throw new AwsError('InvalidParameterValue', `The policy ${d.arn} does not exist or is not attachable.`, { status: 400 });
    docs.push(doc);
  }
  return docs;
}

/**
 * How much of the packed allowance for session policies and tags the request uses, as a
 * percentage; over 100 is refused. AWS does not publish its packing, so this is an estimate.
 */
export function packedSize(docs: readonly string[], tags: number): number | undefined {
  if (docs.length === 0 && tags === 0) return undefined;
  const percent = Math.ceil(((docs.join('').replace(/\s+/g, '').length + tags * 64) / 2048) * 100);
  if (percent > 100) throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy for session.`, { status: 400 });
  return percent;
}

export function checkDuration(requested: number | undefined, role: KnownRole | undefined, chained: boolean): number {
  const duration = requested ?? 3600;
  if (role && duration > role.maxSession) throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`, { status: 400 });
  if (chained && duration > 3600) throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', { status: 400 });
  return duration;
}

/**
 * The session's tags: those given, plus the transitive tags of the session assuming the role,
 * which a chained session may not override.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining
 */
function sessionTags(ctx: RequestContext, input: AssumeRoleRequest): { tags?: Record<string, string>; transitiveTagKeys?: string[] } {
  const given = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value]));
  for (const k of input.TransitiveTagKeys ?? []) {
    if (!(k in given)) throw new AwsError('InvalidParameterValue', `The transitive tag key ${k} is not one of the session tags.`, { status: 400 });
  }
  const parent = ctx.caller.session;
  const inherited = Object.fromEntries((parent?.transitiveTagKeys ?? []).filter((k) => parent?.tags?.[k] !== undefined).map((k) => [k, parent!.tags![k]!]));
  const clash = Object.keys(given).filter((k) => k in inherited);
  if (clash.length) throw new AwsError('InvalidParameterValue', `Cannot override transitive session tags: ${clash.join(', ')}`, { status: 400 });
  const tags = { ...inherited, ...given };
  const transitive = [...Object.keys(inherited), ...(input.TransitiveTagKeys ?? [])];
  return { ...(Object.keys(tags).length ? { tags } : {}), ...(transitive.length ? { transitiveTagKeys: transitive } : {}) };
}

export function touchRole(ctx: RequestContext, role: KnownRole): void {
  ctx.db.prepare('UPDATE iam_roles SET last_used_at = ?, last_used_region = ? WHERE account_id = ? AND name = ?').run(ctx.clock.now(), ctx.region, role.account, role.name);
}

export const assume: Handlers<Operations> = {
  AssumeRole(input: AssumeRoleRequest, ctx) {
    checkSessionName(input.RoleSessionName);
    if (ctx.caller.kind === 'federated-user') throw new AwsError('AccessDenied', 'Cannot call AssumeRole with federated user credentials', { status: 403 });
    const role = roleOf(ctx, input.RoleArn);
    if (role.known) {
      const who = callerPrincipal(ctx, ctx.caller);
      const context: Record<string, ContextValue> = {
        'sts:RoleSessionName': input.RoleSessionName,
        ...(input.ExternalId !== undefined ? { 'sts:ExternalId': input.ExternalId } : {}),
        ...(input.SourceIdentity !== undefined ? { 'sts:SourceIdentity': input.SourceIdentity } : {}),
        ...Object.fromEntries((input.Tags ?? []).map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
        ...(input.Tags?.length ? { 'aws:TagKeys': input.Tags.map((t) => t.Key) } : {}),
        ...(input.SerialNumber && input.TokenCode ? { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' } : {}),
      };
      const req: AuthorizationRequest = { principal: who.principal, action: 'sts:AssumeRole', resource: role.known.arn, resourceAccount: role.account, context: new LayeredContext([contextOf(context), who.context]) };
      if (!trustAdmits(role.known.trust, req)) {
        throw new AwsError('AccessDenied', `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, { status: 403 });
      }
    }
    const duration = checkDuration(input.DurationSeconds, role.known, ctx.caller.kind === 'assumed-role');
    const policies = sessionPolicies(ctx, role.account, input);
    const mfaAt = checkMfa(ctx, input) ?? ctx.caller.session?.mfaAt;
    const assumedRoleId = `${role.known?.id ?? stableIamId('AROA', input.RoleArn)}:${input.RoleSessionName}`;
    const assumedArn = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${input.RoleSessionName}`;
    const credentials = issueTemporaryCredentials(ctx, { accountId: role.account, arn: assumedArn, userId: assumedRoleId }, duration, {
      roleArn: input.RoleArn,
      ...(policies.length ? { policies } : {}),
      ...sessionTags(ctx, input),
      ...(input.SourceIdentity ? { sourceIdentity: input.SourceIdentity } : {}),
      ...(mfaAt !== undefined ? { mfaAt } : {}),
    });
    if (role.known) touchRole(ctx, role.known);
    const packed = packedSize(policies, input.Tags?.length ?? 0);
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: assumedArn },
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
      ...(input.SourceIdentity ? { SourceIdentity: input.SourceIdentity } : {}),
    };
  },
};
