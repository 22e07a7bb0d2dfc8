import { AwsError } from '../../protocols/errors.js';

/** SQS's errors, with AWS's messages. The query codes (AWS.SimpleQueueService.*) live in protocols/query-compat.ts. */
export const queueDoesNotExist = () => new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', message);

export const invalidAttributeName = (name: string) => new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string, reason?: string) =>
  new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);

/** "Value X for parameter Y is invalid. Reason: Z." — AWS's wording for out-of-range request parameters. */
export const invalidValue = (param: string, value: unknown, reason: string) =>
  invalidParameter(`Value ${String(value)} for parameter ${param} is invalid. Reason: ${reason}`);

export const receiptHandleIsInvalid = (handle: string) =>
  new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

export const missingParameter = (name: string) => new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidAddress = (url: string) => new AwsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, { status: 404 });
