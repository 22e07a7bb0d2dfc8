import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/sts.js';
import type { Handlers } from '../service.js';
import { packedSize, sessionPolicies } from './assume.js';
import { checkMfa, issueTemporaryCredentials } from './credentials.js';

/**
 * Session credentials for the caller itself (GetSessionToken) and for federated users
 * (GetFederationToken), whose permissions are the caller's narrowed by the session policies.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
 */
export const sessions: Handlers<Operations> = {
  GetSessionToken(input, ctx) {
    if (ctx.caller.kind === 'assumed-role' || ctx.caller.kind === 'federated-user') {
      throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', { status: 403 });
    }
    // The root user's session tokens last at most an hour, and default to it.
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
    const max = ctx.caller.kind === 'root' ? 3600 : 129600;
    const duration = input.DurationSeconds ?? (ctx.caller.kind === 'root' ? 3600 : 43200);
    if (duration > max) {
      throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the ${max} seconds allowed for this principal.`, { status: 400 });
    }
    const mfaAt = checkMfa(ctx, input);
    return { Credentials: issueTemporaryCredentials(ctx, ctx.caller, duration, mfaAt !== undefined ? { mfaAt } : {}) };
  },

  GetFederationToken(input, ctx) {
    if (ctx.caller.kind !== 'user' && ctx.caller.kind !== 'root') {
      throw new AwsError('AccessDenied', 'Cannot call GetFederationToken with session credentials', { status: 403 });
    }
    if (!/^[\w+=,.@-]+$/.test(input.Name)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${input.Name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`, { status: 400 });
    }
    const max = ctx.caller.kind === 'root' ? 3600 : 129600;
    const duration = input.DurationSeconds ?? 43200;
    if (duration > max) throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the ${max} seconds allowed for this principal.`, { status: 400 });
    const policies = sessionPolicies(ctx, ctx.caller.accountId, input);
    const arn = `arn:aws:sts::${ctx.caller.accountId}:federated-user/${input.Name}`;
    const id = `${ctx.caller.accountId}:${input.Name}`;
    const credentials = issueTemporaryCredentials(ctx, { accountId: ctx.caller.accountId, arn, userId: id }, Math.min(duration, max), {
      userArn: ctx.caller.arn,
      ...(policies.length ? { policies } : {}),
      ...(input.Tags?.length ? { tags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) } : {}),
    });
    const packed = packedSize(policies, input.Tags?.length ?? 0);
    return { Credentials: credentials, FederatedUser: { FederatedUserId: id, Arn: arn }, ...(packed !== undefined ? { PackedPolicySize: packed } : {}) };
  },
};
