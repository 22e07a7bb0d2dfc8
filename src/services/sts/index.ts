import { parseArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import { stableIamId } from '../../ids.js';
import type { Operations } from '../../generated/types/sts.js';
import type { ServiceDefinition } from '../service.js';
import { checkSessionName, issueTemporaryCredentials } from './credentials.js';

/**
 * STS: who am I, session tokens, and roles to assume. Trust policies are checked once IAM
 * exists; until then any caller may assume any well-formed role ARN.
 */
export const service: ServiceDefinition<Operations> = {
  handlers: {
    GetCallerIdentity: (_input, ctx) => ({ UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn }),

    GetSessionToken(input, ctx) {
      if (ctx.caller.kind === 'assumed-role') {
        throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', { status: 403 });
      }
      // The root user's session tokens last at most an hour, and default to it.
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
      const max = ctx.caller.kind === 'root' ? 3600 : 129600;
      const duration = input.DurationSeconds ?? (ctx.caller.kind === 'root' ? 3600 : 43200);
      if (duration > max) {
        throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the ${max} seconds allowed for this principal.`, { status: 400 });
      }
      return { Credentials: issueTemporaryCredentials(ctx, ctx.caller, duration) };
    },

    AssumeRole(input, ctx) {
      const arn = parseArn(input.RoleArn);
      const role = arn?.service === 'iam' && /^\d{12}$/.test(arn.account) && arn.resource.startsWith('role/') ? arn.resource.slice(5) : undefined;
      if (!arn || !role) throw new AwsError('ValidationError', `${input.RoleArn} is invalid`, { status: 400 });
      checkSessionName(input.RoleSessionName);
      const roleName = role.slice(role.lastIndexOf('/') + 1);
      const assumedRoleId = `${stableIamId('AROA', input.RoleArn)}:${input.RoleSessionName}`;
      const assumedArn = `arn:${arn.partition}:sts::${arn.account}:assumed-role/${roleName}/${input.RoleSessionName}`;
      const credentials = issueTemporaryCredentials(ctx, { accountId: arn.account, arn: assumedArn, userId: assumedRoleId }, input.DurationSeconds ?? 3600);
      return {
        Credentials: credentials,
        AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: assumedArn },
        ...(input.Policy ? { PackedPolicySize: Math.min(100, Math.ceil((input.Policy.length / 2048) * 100)) } : {}),
        ...(input.SourceIdentity ? { SourceIdentity: input.SourceIdentity } : {}),
      };
    },
  },
};
