import { AwsError } from '../../protocols/errors.js';
import { iamId, secretAccessKey, sessionToken } from '../../ids.js';
import type { RequestContext } from '../service.js';
import type { Credentials } from '../../generated/types/sts.js';
import type { SessionContext } from '../../state/credentials.js';
import { verifyMfaCode } from '../iam/mfa.js';

/** Issues temporary credentials for a principal and records them so later requests can sign with them. */
export function issueTemporaryCredentials(ctx: RequestContext, principal: { accountId: string; arn: string; userId: string }, durationSeconds: number, session: Omit<SessionContext, 'issuedAt'> = {}): Credentials {
  const now = ctx.clock.now();
  const expiresAt = now + durationSeconds * 1000;
  const creds = {
    accessKeyId: iamId('ASIA'),
    secretAccessKey: secretAccessKey(),
    sessionToken: sessionToken(),
  };
  ctx.credentials.add({ ...creds, accountId: principal.accountId, principalArn: principal.arn, userId: principal.userId, expiresAt, active: true, session: { ...session, issuedAt: now } }, now);
  return { AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, SessionToken: creds.sessionToken, Expiration: new Date(expiresAt) };
}

/**
 * Checks the MFA code a request carries (SerialNumber and TokenCode together); returns when it
 * was checked, or undefined when the request has none.
 */
export function checkMfa(ctx: RequestContext, input: { SerialNumber?: string; TokenCode?: string }): number | undefined {
  if (input.SerialNumber === undefined && input.TokenCode === undefined) return undefined;
  if (input.SerialNumber === undefined || input.TokenCode === undefined) {
    throw new AwsError('ValidationError', 'SerialNumber and TokenCode must be given together.', { status: 400 });
  }
  // Codes are the IAM user's own: other callers have no device to prove.
  if (!verifyMfaCode(ctx, ctx.caller.arn, input.SerialNumber, input.TokenCode)) {
    throw new AwsError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', { status: 403 });
  }
  return ctx.clock.now();
}

/** RoleSessionName: 2-64 characters of `[\w+=,.@-]`. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html */
export function checkSessionName(name: string): void {
  if (!/^[\w+=,.@-]*$/.test(name)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`, { status: 400 });
  }
}
