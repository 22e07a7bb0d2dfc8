import { decodeAuthorizationMessage } from '../../iam/messages.js';
import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/sts.js';
import { migrations as iamMigrations } from '../iam/schema.js';
import type { ServiceDefinition } from '../service.js';
import { assume } from './assume.js';
import { issueTemporaryCredentials } from './credentials.js';

/**
 * STS: who am I, session tokens, and roles to assume. Roles, trust policies and session
 * policies are IAM's: STS reads IAM's tables, and brings IAM's schema with it (migrations run
 * once, whichever of the two services loads first).
 */
export const service: ServiceDefinition<Operations> = {
  migrations: iamMigrations,
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

    ...assume,

    DecodeAuthorizationMessage: (input) => ({ DecodedMessage: JSON.stringify(decodeAuthorizationMessage(input.EncodedMessage)) }),
  },
};
