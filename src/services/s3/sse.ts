import { createHash } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { ObjectExtra } from './store.js';

/**
 * Server-side encryption with customer-provided keys (SSE-C). S3 keeps only the key's MD5 to
 * check later requests against; every read of such an object must bring the same key.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html
 */
export interface CustomerKeyHeaders {
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
}

/** The algorithm and key MD5 of a request's customer key, checked as S3 checks them. */
export function customerKey(h: CustomerKeyHeaders, prefix = 'x-amz-server-side-encryption-customer'): { SSECustomerAlgorithm: string; SSECustomerKeyMD5: string } | undefined {
  if (h.SSECustomerAlgorithm === undefined && h.SSECustomerKey === undefined) return undefined;
  if (h.SSECustomerAlgorithm !== 'AES256') {
    throw new AwsError('InvalidArgument', 'The encryption algorithm specified is not supported.', { status: 400, fields: { ArgumentName: `${prefix}-algorithm`, ArgumentValue: h.SSECustomerAlgorithm ?? '' } });
  }
  const key = Buffer.from(h.SSECustomerKey ?? '', 'base64');
  if (key.length !== 32) throw new AwsError('InvalidArgument', 'The secret key was invalid for the specified algorithm.', { status: 400, fields: { ArgumentName: `${prefix}-key` } });
  const md5 = createHash('md5').update(key).digest('base64');
  if (h.SSECustomerKeyMD5 !== undefined && h.SSECustomerKeyMD5 !== md5) {
    throw new AwsError('InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.', { status: 400, fields: { ArgumentName: `${prefix}-key-MD5` } });
  }
  return { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5 };
}

/** A read of an object must bring the key it was written with, and none for other objects. */
export function checkCustomerKey(extra: ObjectExtra, h: CustomerKeyHeaders): void {
  const given = customerKey(h);
  if (!extra.SSECustomerKeyMD5) {
    if (given) throw new AwsError('InvalidRequest', 'The encryption parameters are not applicable to this object.', { status: 400 });
    return;
  }
  if (!given) {
    throw new AwsError('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.', { status: 400 });
  }
  if (given.SSECustomerKeyMD5 !== extra.SSECustomerKeyMD5) throw new AwsError('AccessDenied', 'Access Denied', { status: 403 });
}

export function customerKeyFields(extra: ObjectExtra): { SSECustomerAlgorithm?: string; SSECustomerKeyMD5?: string } {
  return extra.SSECustomerKeyMD5 ? { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: extra.SSECustomerKeyMD5 } : {};
}
