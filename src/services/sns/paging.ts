import { AwsError } from '../../protocols/errors.js';

/** SNS list operations answer 100 items a page; the token names the last ARN answered. */
export const PAGE_SIZE = 100;

export const pageToken = (lastArn: string) => Buffer.from(lastArn).toString('base64');

export function readPageToken(token: string | undefined): string {
  if (token === undefined) return '';
  const arn = Buffer.from(token, 'base64').toString('utf8');
  if (!arn.startsWith('arn:')) throw new AwsError('InvalidParameter', 'Invalid parameter: NextToken');
  return arn;
}
