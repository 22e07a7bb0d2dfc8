import { AwsError } from '../protocols/errors.js';
import type { Protocol } from '../protocols/model.js';
import type { Clock } from '../state/clock.js';
import type { CredentialStore, SessionContext } from '../state/credentials.js';
import type { HttpRequest } from './request.js';
import { type ParseResult, amzDateMs, verifySignature } from './sigv4.js';

/**
 * Who is calling. Keys Nimbus knows (STS temporary credentials, IAM users' keys) must sign
 * correctly; any other key acts as the root user of the default account, or of the account a
 * 12-digit access key id names, so `test`/`test` works as it does in other emulators.
 */
export interface Caller {
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous';
  accountId: string;
  arn: string;
  userId: string;
  accessKeyId?: string;
  /** For temporary credentials: the role, session policies and tags STS recorded. */
  session?: SessionContext;
}

type Failure = 'signature' | 'expired-token' | 'invalid-token' | 'presign-expired' | 'malformed' | 'missing';

const MESSAGES: Record<Failure, string> = {
  signature: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  'expired-token': 'The security token included in the request is expired',
  'invalid-token': 'The security token included in the request is invalid.',
  'presign-expired': 'Request has expired',
  malformed: 'Authorization header is malformed.',
  missing: 'Request is missing Authentication Token',
};

const CODES: Record<Failure, Record<Protocol, [string, number]>> = {
  signature: { query: ['SignatureDoesNotMatch', 403], ec2: ['AuthFailure', 401], json: ['InvalidSignatureException', 400], 'rest-json': ['InvalidSignatureException', 403], 'rest-xml': ['SignatureDoesNotMatch', 403] },
  'expired-token': { query: ['ExpiredToken', 400], ec2: ['RequestExpired', 400], json: ['ExpiredTokenException', 400], 'rest-json': ['ExpiredTokenException', 403], 'rest-xml': ['ExpiredToken', 400] },
  'invalid-token': { query: ['InvalidClientTokenId', 403], ec2: ['AuthFailure', 401], json: ['UnrecognizedClientException', 400], 'rest-json': ['UnrecognizedClientException', 403], 'rest-xml': ['InvalidToken', 400] },
  'presign-expired': { query: ['SignatureDoesNotMatch', 403], ec2: ['RequestExpired', 400], json: ['InvalidSignatureException', 400], 'rest-json': ['InvalidSignatureException', 403], 'rest-xml': ['AccessDenied', 403] },
  malformed: { query: ['IncompleteSignature', 400], ec2: ['AuthFailure', 401], json: ['IncompleteSignatureException', 400], 'rest-json': ['IncompleteSignatureException', 400], 'rest-xml': ['AuthorizationHeaderMalformed', 400] },
  missing: { query: ['MissingAuthenticationToken', 403], ec2: ['MissingAuthenticationToken', 401], json: ['MissingAuthenticationTokenException', 400], 'rest-json': ['MissingAuthenticationTokenException', 403], 'rest-xml': ['AccessDenied', 403] },
};

export function authError(failure: Failure, protocol: Protocol, detail?: string): AwsError {
  const [code, status] = CODES[failure][protocol];
  return new AwsError(code, detail ?? MESSAGES[failure], { status });
}

export function rootCaller(accountId: string, accessKeyId?: string): Caller {
  return { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId, ...(accessKeyId ? { accessKeyId } : {}) };
}

export interface AuthDeps {
  credentials: CredentialStore;
  clock: Clock;
  defaultAccountId: string;
}

export async function authenticate(req: HttpRequest, parsed: ParseResult, protocol: Protocol, deps: AuthDeps): Promise<Caller> {
  if (parsed === undefined) return { kind: 'anonymous', accountId: deps.defaultAccountId, arn: '*', userId: 'anonymous' };
  if (!parsed.ok) throw authError('malformed', protocol, parsed.reason);
  const sig = parsed.sig;
  if (sig.presigned) {
    const signedAt = amzDateMs(sig.amzDate);
    if (Number.isNaN(signedAt)) throw authError('malformed', protocol, `X-Amz-Date must be in ISO 8601 basic format (${sig.amzDate}).`);
    if (!(sig.expires! >= 1 && sig.expires! <= 604800)) {
      throw authError('malformed', protocol, 'X-Amz-Expires must be between 1 and 604800 seconds.');
    }
    if (deps.clock.now() > signedAt + sig.expires! * 1000) throw authError('presign-expired', protocol);
  }
  const known = deps.credentials.get(sig.accessKeyId);
  if (!known) {
    const account = /^\d{12}$/.test(sig.accessKeyId) ? sig.accessKeyId : deps.defaultAccountId;
    return rootCaller(account, sig.accessKeyId);
  }
  if (!known.active) throw authError('invalid-token', protocol, 'The AWS Access Key Id you provided is not active.');
  if (known.sessionToken !== undefined && sig.securityToken !== known.sessionToken) throw authError('invalid-token', protocol);
  if (!(await verifySignature(req, sig, known.secretAccessKey))) throw authError('signature', protocol);
  if (known.expiresAt !== undefined && deps.clock.now() >= known.expiresAt) throw authError('expired-token', protocol);
  if (known.sessionToken === undefined) deps.credentials.touch(known.accessKeyId, deps.clock.now(), sig.service, sig.region);
  const kind = known.principalArn.endsWith(':root') ? 'root'
    : known.principalArn.includes(':assumed-role/') ? 'assumed-role'
    : known.principalArn.includes(':federated-user/') ? 'federated-user' : 'user';
  return { kind, accountId: known.accountId, arn: known.principalArn, userId: known.userId, accessKeyId: known.accessKeyId, ...(known.session ? { session: known.session } : {}) };
}
