import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '../../generated/types/sns.js';
import { AwsError } from '../../protocols/errors.js';
import type { ServiceEnv } from '../service.js';
import { pushToEndpoint } from './platform.js';
import { signed } from './signing.js';
import { optedOut } from './sms.js';
import { matches, type Subject } from './filter-policy.js';
import { asSubscription, filterPolicy, scopeOf, type Subscription } from './subscription.js';
import { store } from './store.js';
import { DEFAULT_HTTP_POLICY, type Topic } from './topic.js';

/** One published message on its way to the topic's subscribers. */
export interface Notification {
  topic: Topic;
  messageId: string;
  /** The message, or with MessageStructure "json" one message per protocol and a "default". */
  message: string | Record<string, string>;
  subject?: string;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  timestamp: Date;
}

/** An HTTP(S) POST to a subscriber, retried on Nimbus's clock as the delivery policy says. */
export interface HttpDelivery {
  subscriptionArn: string;
  topicArn: string;
  endpoint: string;
  messageType: 'Notification' | 'SubscriptionConfirmation';
  messageId: string;
  body: string;
  raw: boolean;
  attempt: number;
}

/** The principal AWS names as the sender of messages SNS delivers into SQS. */
const SNS_SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';

/** SNS sends into a queue as its service principal, for a topic: the queue policy must allow that under IAM enforcement. */
const sentBy = (topicArn: string) => ({ service: 'sns.amazonaws.com', sourceArn: topicArn, sourceAccount: topicArn.split(':')[4]! });
const HTTP_TIMEOUT_MS = 15_000;

const messageFor = (n: Notification, protocol: string) => typeof n.message === 'string' ? n.message : n.message[protocol] ?? n.message['default']!;

function unsubscribeUrl(env: ServiceEnv, subscriptionArn: string): string {
  return `${env.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}&Version=2010-03-31`;
}

/** The JSON envelope SQS, HTTP and email-json subscribers receive. https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html */
export function envelope(env: ServiceEnv, n: Notification, sub: Subscription): Record<string, unknown> {
  const attrs = Object.entries(n.attributes ?? {});
  return {
    Type: 'Notification',
    MessageId: n.messageId,
    ...(n.sequenceNumber ? { SequenceNumber: n.sequenceNumber } : {}),
    TopicArn: n.topic.arn,
    ...(n.subject !== undefined ? { Subject: n.subject } : {}),
    Message: messageFor(n, sub.protocol),
    Timestamp: n.timestamp.toISOString(),
    UnsubscribeURL: unsubscribeUrl(env, sub.arn),
    ...(attrs.length > 0 ? {
      MessageAttributes: Object.fromEntries(attrs.map(([k, v]) => [k, {
        Type: v.DataType, Value: v.BinaryValue !== undefined ? Buffer.from(v.BinaryValue).toString('base64') : v.StringValue,
      }])),
    } : {}),
  };
}

/** Lambda's SNS event spells the URL keys `...Url` and always carries a Subject, null when none was given. https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html */
function lambdaRecord(env: ServiceEnv, n: Notification, sub: Subscription): Record<string, unknown> {
  const { UnsubscribeURL, ...rest } = envelope(env, n, sub);
  return { ...rest, Subject: n.subject ?? null, UnsubscribeUrl: UnsubscribeURL, MessageAttributes: rest['MessageAttributes'] ?? {} };
}

function subjectOf(n: Notification, sub: Subscription): Subject | undefined {
  if (scopeOf(sub.attrs) === 'MessageAttributes') {
    return {
      kind: 'attributes',
      values: Object.fromEntries(Object.entries(n.attributes ?? {}).map(([k, v]) => [k, { type: v.DataType, value: v.StringValue ?? '' }])),
    };
  }
  try {
    return { kind: 'body', value: JSON.parse(messageFor(n, sub.protocol)) };
  } catch {
    // A body filter policy never matches a message that is not JSON.
    return undefined;
  }
}

function accepts(sub: Subscription, n: Notification): boolean {
  const policy = filterPolicy(sub);
  if (!policy) return true;
  const subject = subjectOf(n, sub);
  return subject !== undefined && matches(policy, subject);
}

/** Sends a notification to every confirmed subscriber whose filter policy accepts it. */
export function fanOut(env: ServiceEnv, n: Notification): void {
  for (const row of store(env).subscriptionsOf(n.topic.arn)) {
    if (!row.confirmed) continue;
    const sub = asSubscription(row);
    if (accepts(sub, n)) deliver(env, sub, n);
  }
}

function deliver(env: ServiceEnv, sub: Subscription, n: Notification): void {
  const raw = sub.attrs['RawMessageDelivery'] === 'true';
  // HTTP/S subscribers are the ones that check signatures; an RSA signature per message is not spent on the others.
  const http = sub.protocol === 'http' || sub.protocol === 'https';
  const body = raw ? messageFor(n, sub.protocol)
    : JSON.stringify(http ? signed(env, envelope(env, n, sub), n.topic.attrs['SignatureVersion'] ?? '1') : envelope(env, n, sub));
  switch (sub.protocol) {
    case 'sqs': {
      const fifoQueue = sub.endpoint.endsWith('.fifo');
      env.bus.publish('sqs:send', {
        queueArn: sub.endpoint, senderId: SNS_SENDER_ID, body, sentBy: sentBy(n.topic.arn),
        ...(raw && n.attributes ? { attributes: sqsAttributes(n.attributes) } : {}),
        ...(fifoQueue && n.groupId ? { groupId: n.groupId, deduplicationId: n.deduplicationId ?? createHash('sha256').update(body).digest('hex') } : {}),
        onFailure: { event: 'sns:failed', payload: { subscriptionArn: sub.arn, body } satisfies FailedDelivery },
      });
      return;
    }
    case 'http': case 'https':
      env.bus.publish('sns:http', {
        subscriptionArn: sub.arn, topicArn: n.topic.arn, endpoint: sub.endpoint, messageType: 'Notification', messageId: n.messageId, body, raw, attempt: 0,
      } satisfies HttpDelivery);
      return;
    case 'lambda':
      // Lambda subscribes to the bus as `lambda:invoke`; until it exists the bus drops these.
      env.bus.publish('lambda:invoke', {
        functionArn: sub.endpoint, invocationType: 'Event',
        payload: { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: sub.arn, Sns: lambdaRecord(env, n, sub) }] },
      });
      return;
    case 'application':
      try {
        pushToEndpoint(env, sub.endpoint, n.message, n.messageId, { arn: sub.arn, topicArn: n.topic.arn });
      } catch (e) {
        // A deleted or disabled endpoint misses the message, as a device would on AWS.
        if (!(e instanceof AwsError)) throw e;
      }
      return;
    default:
      if (sub.protocol === 'sms' && optedOut(env, sub.account_id, sub.region, sub.endpoint)) return;
      store(env).insertOutbox({
        account_id: sub.account_id, region: sub.region, protocol: sub.protocol, endpoint: sub.endpoint, topic_arn: n.topic.arn,
        subscription_arn: sub.arn, message_id: n.messageId, subject: n.subject ?? null,
        message: sub.protocol === 'email-json' ? body : messageFor(n, sub.protocol), sent_at: env.clock.now(),
      });
  }
}

function sqsAttributes(attrs: Record<string, MessageAttributeValue>) {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.BinaryValue !== undefined
    ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue).toString('base64') } : { DataType: v.DataType, StringValue: v.StringValue }]));
}

/**
 * At most a few POSTs in flight per endpoint origin, like a real delivery fleet's connection pool;
 * a fan-out of thousands of messages would otherwise open thousands of sockets at once.
 */
class Limiter {
  private readonly origins = new Map<string, { active: number; waiting: (() => void)[] }>();

  async run<T>(origin: string, task: () => Promise<T>): Promise<T> {
    let o = this.origins.get(origin);
    if (!o) this.origins.set(origin, (o = { active: 0, waiting: [] }));
    if (o.active >= MAX_CONNECTIONS_PER_ORIGIN) await new Promise<void>((ok) => o!.waiting.push(ok));
    o.active++;
    try {
      return await task();
    } finally {
      o.active--;
      const next = o.waiting.shift();
      if (next) next();
      else if (o.active === 0) this.origins.delete(origin);
    }
  }
}

const MAX_CONNECTIONS_PER_ORIGIN = 8;
const limiter = (env: ServiceEnv) => env.memory('sns.http', () => new Limiter());

interface RetryPolicy {
  numRetries: number;
  minDelayTarget: number;
}

function retryPolicy(env: ServiceEnv, d: HttpDelivery): RetryPolicy {
  const row = store(env).subscription(d.subscriptionArn);
  const sub = row ? asSubscription(row) : undefined;
  const topic = store(env).topic(d.topicArn);
  const topicPolicy = topic ? (JSON.parse(topic.attributes) as Record<string, string>)['DeliveryPolicy'] : undefined;
  const fromJson = (text: string | undefined, path: (p: any) => unknown) => {
    try {
      return text ? path(JSON.parse(text)) as Partial<RetryPolicy> | undefined : undefined;
    } catch {
      return undefined;
    }
  };
  const policy = {
    ...DEFAULT_HTTP_POLICY,
    ...fromJson(topicPolicy, (p) => p?.http?.defaultHealthyRetryPolicy),
    ...fromJson(sub?.attrs['DeliveryPolicy'], (p) => p?.healthyRetryPolicy),
  };
  return policy;
}

/** A delivery that could not be made; it goes to the subscription's dead-letter queue if it has one. */
export interface FailedDelivery {
  subscriptionArn: string;
  body: string;
}

export function redrive(env: ServiceEnv, failed: FailedDelivery): void {
  const row = store(env).subscription(failed.subscriptionArn);
  const target = row ? deadLetterTarget(asSubscription(row)) : undefined;
  // The dead-letter queue's policy must let SNS in too. https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html
  if (target) env.bus.publish('sqs:send', { queueArn: target, senderId: SNS_SENDER_ID, body: failed.body, sentBy: sentBy(row!.topic_arn) });
}

function deadLetterTarget(sub: Subscription): string | undefined {
  try {
    return (JSON.parse(sub.attrs['RedrivePolicy'] ?? '{}') as { deadLetterTargetArn?: string }).deadLetterTargetArn;
  } catch {
    return undefined;
  }
}

/**
 * Posts to an HTTP(S) subscriber without holding up the bus: a failure is retried after the
 * policy's delay on Nimbus's clock, and once retries run out goes to the subscription's
 * dead-letter queue if it has one. https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */
export function postToEndpoint(env: ServiceEnv, d: HttpDelivery): void {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=UTF-8',
    'user-agent': 'Amazon Simple Notification Service Agent',
    'x-amz-sns-message-type': d.messageType,
    'x-amz-sns-message-id': d.messageId,
    'x-amz-sns-topic-arn': d.topicArn,
    ...(d.messageType === 'Notification' ? { 'x-amz-sns-subscription-arn': d.subscriptionArn, 'x-amz-sns-rawdelivery': String(d.raw) } : {}),
  };
  void limiter(env).run(new URL(d.endpoint).origin, () => fetch(d.endpoint, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) })
    .then(async (res) => {
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 300;
    }, () => false))
    .then((ok) => {
      if (ok || !env.db.open) return;
      const policy = retryPolicy(env, d);
      if (d.attempt < policy.numRetries) {
        env.clock.after(policy.minDelayTarget * 1000, () => env.bus.publish('sns:http', { ...d, attempt: d.attempt + 1 }));
      } else if (d.messageType === 'Notification') {
        redrive(env, { subscriptionArn: d.subscriptionArn, body: d.body });
      }
    });
}
