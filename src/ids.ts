import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** AWS-style identifiers. Each family keeps AWS's alphabet and length. */

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function fromAlphabet(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export function requestId(): string {
  return randomUUID();
}

/** IAM unique ids and access keys: a 4-letter kind prefix then 16 base32 characters. */
export function iamId(prefix: 'AKIA' | 'ASIA' | 'AIDA' | 'AROA' | 'AGPA' | 'ANPA' | 'AIPA'): string {
  return prefix + fromAlphabet(UPPER_ALNUM, 16);
}

/** A 40-character secret access key. */
export function secretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** An opaque session token, long like AWS's. */
export function sessionToken(): string {
  return 'FQoGZXIvYXdzE' + randomBytes(180).toString('base64');
}

/** EC2-style resource id: `vpc-` + 17 hex characters. */
export function resourceId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** A unique id that stays the same for the same seed: a role's id before IAM knows the role. */
export function stableIamId(prefix: 'AROA' | 'AIDA', seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = prefix;
  for (let i = 0; i < 16; i++) out += UPPER_ALNUM[digest[i]! % UPPER_ALNUM.length];
  return out;
}
