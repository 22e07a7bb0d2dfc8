import { decodeAuthorizationMessage } from '../../iam/messages.js';
import type { Operations } from '../../generated/types/sts.js';
import { migrations as iamMigrations } from '../iam/schema.js';
import type { ServiceDefinition } from '../service.js';
import { assume } from './assume.js';
import { federation } from './federation.js';
import { sessions } from './sessions.js';

/**
 * STS: who am I, session tokens, and roles to assume. Roles, trust policies and session
 * policies are IAM's: STS reads IAM's tables, and brings IAM's schema with it (migrations run
 * once, whichever of the two services loads first).
 */
export const service: ServiceDefinition<Operations> = {
  migrations: iamMigrations,
  handlers: {
    GetCallerIdentity: (_input, ctx) => ({ UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn }),

    ...sessions,

    ...assume,

    ...federation,

    // Keys Nimbus issued belong to their account; any other key acts as the default account's root.
    GetAccessKeyInfo: (input, ctx) => ({ Account: ctx.credentials.get(input.AccessKeyId)?.accountId ?? ctx.defaultAccountId }),

    DecodeAuthorizationMessage: (input) => ({ DecodedMessage: JSON.stringify(decodeAuthorizationMessage(input.EncodedMessage)) }),
  },
};
