import { AwsError } from '../protocols/errors.js';

/**
 * EC2's encoded authorization failure messages, which `sts decode-authorization-message`
 * turns back into the decision's details. AWS encrypts them; Nimbus has nothing to hide from
 * its only user, so the encoding is a tagged base64url of the JSON.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html
 */

const TAG = 'nimbus1.';

export function encodeAuthorizationMessage(details: unknown): string {
  return TAG + Buffer.from(JSON.stringify(details)).toString('base64url');
}

export function decodeAuthorizationMessage(encoded: string): unknown {
  if (!encoded.startsWith(TAG)) throw invalid();
  try {
    return JSON.parse(Buffer.from(encoded.slice(TAG.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
}

function invalid(): AwsError {
  return new AwsError('InvalidAuthorizationMessageException', 'The error message you provided is not valid. Check the message and try again.', { status: 400 });
}
