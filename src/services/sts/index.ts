import { decodeAuthorizationMessage } from '../../iam/messages.js';
import type { Operations } from '../../generated/types/sts.js';
import { migrations as iamMigrations } from '../iam/schema.js';
import { lazyHandlers, type Handlers, type ServiceDefinition } from '../service.js';

/** The operations of ./assume.js, ./federation.js and ./sessions.js, which need IAM's policy engine. */
export const ROLE_AND_SESSION_OPERATIONS = ['AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML', 'GetSessionToken', 'GetFederationToken'] as const;

/** Those handlers, with the modules that implement them, as one table. */
export async function roleAndSessionHandlers(): Promise<Handlers<Operations>> {
  const [{ assume }, { federation }, { sessions }] = await Promise.all([import('./assume.js'), import('./federation.js'), import('./sessions.js')]);
  return { ...assume, ...federation, ...sessions };
}

/**
 * STS: who am I, session tokens, and roles to assume. Roles, trust policies and session
 * policies are IAM's: STS reads IAM's tables, and brings IAM's schema with it (migrations run
 * once, whichever of the two services loads first).
 */
export const service: ServiceDefinition<Operations> = {
  migrations: iamMigrations,
  handlers: {
    GetCallerIdentity: (_input, ctx) => ({ UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn }),

    // Imported on first use: GetCallerIdentity, the first call of most sessions, needs none of it.
    ...lazyHandlers(ROLE_AND_SESSION_OPERATIONS, roleAndSessionHandlers),

    // Keys Nimbus issued belong to their account; any other key acts as the default account's root.
    GetAccessKeyInfo: (input, ctx) => ({ Account: ctx.credentials.get(input.AccessKeyId)?.accountId ?? ctx.defaultAccountId }),

    DecodeAuthorizationMessage: (input) => ({ DecodedMessage: JSON.stringify(decodeAuthorizationMessage(input.EncodedMessage)) }),
  },
};
