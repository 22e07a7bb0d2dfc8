import { formatArn, parseArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { ServiceEnv } from '../service.js';
import { store, type TopicRow } from './store.js';

export interface Topic extends TopicRow {
  fifo: boolean;
  attrs: Record<string, string>;
}

export const invalidParameter = (what: string) => new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
const topicNotFound = () => new AwsError('NotFound', 'Topic does not exist');

/** HTTP deliveries follow AWS's default retry policy unless the topic or subscription sets one. https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html */
export const DEFAULT_HTTP_POLICY = {
  minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear',
};

const FEEDBACK = ['Application', 'HTTP', 'Lambda', 'SQS', 'Firehose'].flatMap((p) =>
  [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);
const SETTABLE = new Set(['DisplayName', 'Policy', 'DeliveryPolicy', 'KmsMasterKeyId', 'TracingConfig', 'SignatureVersion', ...FEEDBACK]);
const FIFO_SETTABLE = new Set(['ContentBasedDeduplication', 'FifoThroughputScope', 'ArchivePolicy']);

export function asTopic(row: TopicRow): Topic {
  const attrs = JSON.parse(row.attributes) as Record<string, string>;
  return { ...row, attrs, fifo: attrs['FifoTopic'] === 'true' };
}

export function topicArn(ctx: { accountId: string; region: string }, name: string): string {
  return formatArn({ service: 'sns', region: ctx.region, account: ctx.accountId, resource: name });
}

export function findTopic(env: ServiceEnv, arn: string): Topic {
  const row = parseArn(arn) ? store(env).topic(arn) : undefined;
  if (!row) throw topicNotFound();
  return asTopic(row);
}

export function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17', Id: '__default_policy_ID',
    Statement: [{
      Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' },
      Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic',
        'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
      Resource: arn, Condition: { StringEquals: { 'AWS:SourceOwner': account } },
    }],
  });
}

/**
 * Data protection policies are kept and returned as given; Nimbus does not audit or mask
 * message contents with them. https://docs.aws.amazon.com/sns/latest/dg/sns-message-data-protection.html
 */
export function checkDataProtectionPolicy(text: string): string {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalidParameter('DataProtectionPolicy: failed to parse JSON.');
  }
  if (typeof policy !== 'object' || policy === null || !Array.isArray((policy as { Statement?: unknown }).Statement)) {
    throw invalidParameter('DataProtectionPolicy Reason: Policy must contain a Statement array.');
  }
  return text;
}

/** Checks attributes given to CreateTopic (`creating`) or SetTopicAttributes; returns them as stored. */
export function checkTopicAttributes(given: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (name === 'FifoTopic' && creating) {
      if (value !== String(fifo)) throw invalidParameter('Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.');
    } else if (!SETTABLE.has(name) && !(fifo && FIFO_SETTABLE.has(name))) {
      throw invalidParameter(creating ? `Attributes Reason: Unknown attribute ${name}` : 'AttributeName');
    }
    if ((name === 'Policy' || name === 'DeliveryPolicy' || name === 'ArchivePolicy') && value !== '') {
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter(`${name}: failed to parse JSON.`);
      }
    }
    if (name === 'ContentBasedDeduplication' && value !== 'true' && value !== 'false') throw invalidParameter('ContentBasedDeduplication');
    if (name === 'TracingConfig' && value !== 'PassThrough' && value !== 'Active') throw invalidParameter('TracingConfig');
    if (name === 'SignatureVersion' && value !== '1' && value !== '2') throw invalidParameter('SignatureVersion');
    if (name === 'FifoThroughputScope' && value !== 'Topic' && value !== 'MessageGroup') throw invalidParameter('FifoThroughputScope');
    out[name] = value;
  }
  return out;
}
