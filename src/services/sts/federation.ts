import { createHash } from 'node:crypto';
import type { AuthorizationRequest } from '../../iam/evaluate.js';
import { contextOf } from '../../iam/match.js';
import { parseSamlResponse } from '../../iam/saml.js';
import { AwsError } from '../../protocols/errors.js';
import type { AssumeRoleWithSAMLRequest, AssumeRoleWithWebIdentityRequest, Operations } from '../../generated/types/sts.js';
import type { Handlers } from '../service.js';
import { providerAudiences } from '../iam/oidc-providers.js';
import { samlProviderExists } from '../iam/saml-providers.js';
import { checkDuration, packedSize, roleOf, sessionPolicies, touchRole, trustAdmits } from './assume.js';
import { checkSessionName, issueTemporaryCredentials } from './credentials.js';

/**
 * Federation: roles assumed with an identity provider's token instead of AWS credentials. The
 * provider is the federated principal the role's trust policy must name, and the token's claims
 * are the condition keys it may test. Neither call needs a signature.
 */
export const federation: Handlers<Operations> = {
  /**
   * Web identity federation: the token's issuer is the federated principal the trust policy
   * must name, and its claims are the `<issuer>:sub`/`:aud` condition keys. Nimbus cannot fetch
   * an identity provider's keys, so it reads the token's claims without checking its signature.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
   */
  AssumeRoleWithWebIdentity(input: AssumeRoleWithWebIdentityRequest, ctx) {
    checkSessionName(input.RoleSessionName);
    const claims = jwtClaims(input.WebIdentityToken);
    if (typeof claims['exp'] === 'number' && claims['exp'] * 1000 <= ctx.clock.now()) {
      throw new AwsError('ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time.', { status: 400 });
    }
    const issuer = String(claims['iss'] ?? '').replace(/^https:\/\//, '');
    const role = roleOf(ctx, input.RoleArn);
    const federated = WELL_KNOWN_PROVIDERS.has(issuer) ? issuer : `arn:${role.partition}:iam::${role.account}:oidc-provider/${issuer}`;
    const aud = Array.isArray(claims['aud']) ? (claims['aud'] as string[]) : [String(claims['aud'] ?? '')];
    if (!WELL_KNOWN_PROVIDERS.has(issuer)) {
      // An OIDC issuer must be registered in the role's account, and the token meant for one of its client ids.
      const audiences = providerAudiences(ctx, federated);
      if (!audiences) throw new AwsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for https://${issuer}`, { status: 400 });
      if (!aud.some((a) => audiences.includes(a))) throw new AwsError('InvalidIdentityToken', 'Incorrect token audience', { status: 400 });
    }
    const context = contextOf({ [`${issuer}:sub`]: String(claims['sub'] ?? ''), [`${issuer}:aud`]: aud, [`${issuer}:oaud`]: aud, 'sts:RoleSessionName': input.RoleSessionName });
    const req: AuthorizationRequest = { principal: { kind: 'identity-provider', arn: federated, account: '' }, action: 'sts:AssumeRoleWithWebIdentity', resource: input.RoleArn, resourceAccount: role.account, context };
    if (!role.known || !trustAdmits(role.known.trust, req)) throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', { status: 403 });
    const duration = checkDuration(input.DurationSeconds, role.known, false);
    const policies = sessionPolicies(ctx, role.account, input);
    const assumedRoleId = `${role.known.id}:${input.RoleSessionName}`;
    const assumedArn = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${input.RoleSessionName}`;
    const credentials = issueTemporaryCredentials(ctx, { accountId: role.account, arn: assumedArn, userId: assumedRoleId }, duration, { roleArn: input.RoleArn, ...(policies.length ? { policies } : {}) });
    touchRole(ctx, role.known);
    const packed = packedSize(policies, 0);
    return {
      Credentials: credentials,
      SubjectFromWebIdentityToken: String(claims['sub'] ?? ''),
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: assumedArn },
      Provider: input.ProviderId ?? issuer,
      Audience: aud[0] ?? '',
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    };
  },

  /**
   * SAML federation: the assertion names the role and the provider it may be assumed through
   * (AWS's Role attribute), and `saml:aud`, `saml:sub`, `saml:iss` are its condition keys.
   * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
   */
  async AssumeRoleWithSAML(input: AssumeRoleWithSAMLRequest, ctx) {
    const saml = await parseSamlResponse(input.SAMLAssertion);
    if (saml.notOnOrAfter !== undefined && saml.notOnOrAfter <= ctx.clock.now()) {
      throw new AwsError('ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time.', { status: 400 });
    }
    const role = roleOf(ctx, input.RoleArn);
    const named = saml.roles.some(([r, p]) => r === input.RoleArn && p === input.PrincipalArn);
    if (!samlProviderExists(ctx, input.PrincipalArn)) throw new AwsError('InvalidIdentityToken', `SAML provider ${input.PrincipalArn} does not exist in the account.`, { status: 400 });
    const sessionName = saml.sessionName ?? saml.subject;
    checkSessionName(sessionName);
    const nameQualifier = createHash('sha1').update(`${saml.issuer}${role.account}/${input.PrincipalArn.slice(input.PrincipalArn.lastIndexOf('/') + 1)}`).digest('base64');
    const context = contextOf({ 'saml:aud': saml.audience, 'saml:sub': saml.subject, 'saml:sub_type': saml.subjectType, 'saml:iss': saml.issuer, 'saml:namequalifier': nameQualifier });
    const req: AuthorizationRequest = { principal: { kind: 'identity-provider', arn: input.PrincipalArn, account: '' }, action: 'sts:AssumeRoleWithSAML', resource: input.RoleArn, resourceAccount: role.account, context };
    if (!named || !role.known || !trustAdmits(role.known.trust, req)) throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', { status: 403 });
    const duration = checkDuration(input.DurationSeconds ?? saml.sessionDuration, role.known, false);
    const policies = sessionPolicies(ctx, role.account, input);
    const assumedRoleId = `${role.known.id}:${sessionName}`;
    const assumedArn = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
    const credentials = issueTemporaryCredentials(ctx, { accountId: role.account, arn: assumedArn, userId: assumedRoleId }, duration, { roleArn: input.RoleArn, ...(policies.length ? { policies } : {}) });
    touchRole(ctx, role.known);
    const packed = packedSize(policies, 0);
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: assumedArn },
      Subject: saml.subject, SubjectType: saml.subjectType, Issuer: saml.issuer, Audience: saml.audience, NameQualifier: nameQualifier,
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    };
  },
};

/** Identity providers that trust policies name without an OIDC provider ARN. */
const WELL_KNOWN_PROVIDERS = new Set(['accounts.google.com', 'cognito-identity.amazonaws.com', 'graph.facebook.com', 'www.amazon.com']);

function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  try {
    if (parts.length !== 3) throw new Error('not a JWT');
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('claims are not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new AwsError('InvalidIdentityToken', "Couldn't parse the web identity token.", { status: 400 });
  }
}
