import { parseArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import { parseFilterPolicy, type FilterPolicy, type Scope } from './filter-policy.js';
import type { SubscriptionRow } from './store.js';
import { invalidParameter, type Topic } from './topic.js';

export interface Subscription extends SubscriptionRow {
  attrs: Record<string, string>;
}

/** Protocols Nimbus delivers to, and whether a subscriber must confirm first. */
export const PROTOCOLS: Record<string, { confirm: boolean }> = {
  http: { confirm: true }, https: { confirm: true }, email: { confirm: true }, 'email-json': { confirm: true },
  sms: { confirm: false }, sqs: { confirm: false }, lambda: { confirm: false }, application: { confirm: false },
};

const SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);
const RAW_PROTOCOLS = new Set(['http', 'https', 'sqs', 'firehose']);

export const subscriptionNotFound = () => new AwsError('NotFound', 'Subscription does not exist');

export function asSubscription(row: SubscriptionRow): Subscription {
  return { ...row, attrs: JSON.parse(row.attributes) as Record<string, string> };
}

/** The endpoint must suit the protocol. https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html */
export function checkEndpoint(topic: Topic, protocol: string, endpoint: string | undefined): string {
  if (!PROTOCOLS[protocol]) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  if (!endpoint) throw invalidParameter('Endpoint');
  // FIFO topics deliver only to SQS queues. https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html
  if (topic.fifo && protocol !== 'sqs') throw invalidParameter(`Invalid protocol type: ${protocol}`);
  if ((protocol === 'http' || protocol === 'https') && !endpoint.toLowerCase().startsWith(`${protocol}://`)) {
    throw invalidParameter('Endpoint must match the specified protocol');
  }
  if (protocol === 'sqs') {
    const arn = parseArn(endpoint);
    if (arn?.service !== 'sqs' || !arn.resource) throw invalidParameter('SQS endpoint ARN');
    if (arn.resource.endsWith('.fifo') && !topic.fifo) {
      throw invalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
    }
  }
  if (protocol === 'lambda' && parseArn(endpoint)?.service !== 'lambda') throw invalidParameter('Lambda endpoint ARN');
  if (protocol === 'application' && !(parseArn(endpoint)?.service === 'sns' && parseArn(endpoint)!.resource.startsWith('endpoint/'))) {
    throw invalidParameter('Endpoint Reason: An application endpoint ARN is required');
  }
  if ((protocol === 'email' || protocol === 'email-json') && !/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter('Email address');
  if (protocol === 'sms' && !/^\+?[0-9]{5,15}$/.test(endpoint.replace(/[\s()-]/g, ''))) throw invalidParameter(`Invalid SMS endpoint: ${endpoint}`);
  return endpoint;
}

/** Checks subscription attributes; returns the subscription's attributes after the change. */
export function applySubscriptionAttributes(protocol: string, current: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const next = { ...current };
  for (const [name, value] of Object.entries(given)) {
    if (!SETTABLE.has(name)) throw invalidParameter('AttributeName');
    if (name === 'RawMessageDelivery') {
      if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
      if (value === 'true' && !RAW_PROTOCOLS.has(protocol)) throw invalidParameter(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
    }
    if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') {
      throw invalidParameter('Attributes Reason: FilterPolicyScope: Invalid value [' + value + ']. Please use either MessageBody or MessageAttributes');
    }
    if (name === 'RedrivePolicy' && value !== '') {
      let target: unknown;
      try {
        target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      } catch {
        throw invalidParameter('RedrivePolicy: failed to parse JSON.');
      }
      if (typeof target !== 'string' || parseArn(target)?.service !== 'sqs') throw invalidParameter('RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN');
    }
    if (value === '') delete next[name];
    else next[name] = value;
  }
  if (next['FilterPolicy'] !== undefined) {
    parseFilterPolicy(next['FilterPolicy'], scopeOf(next));
    next['FilterPolicyScope'] ??= 'MessageAttributes';
  }
  return next;
}

export function scopeOf(attrs: Record<string, string>): Scope {
  return attrs['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
}

export function filterPolicy(sub: Subscription): FilterPolicy | undefined {
  const text = sub.attrs['FilterPolicy'];
  return text ? (JSON.parse(text) as FilterPolicy) : undefined;
}

/** What GetSubscriptionAttributes answers: the stored attributes and those that follow from the subscription. */
export function describeSubscription(sub: Subscription): Record<string, string> {
  return {
    SubscriptionArn: sub.arn,
    TopicArn: sub.topic_arn,
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    PendingConfirmation: String(!sub.confirmed),
    ConfirmationWasAuthenticated: String(Boolean(sub.confirmed)),
    RawMessageDelivery: 'false',
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
    ...sub.attrs,
  };
}
