import { randomBytes, randomUUID } from 'node:crypto';
import type { Operations, Subscription as ListedSubscription } from '../../generated/types/sns.js';
import type { Handlers, ServiceEnv } from '../service.js';
import type { HttpDelivery } from './delivery.js';
import { pageToken, readPageToken, PAGE_SIZE } from './paging.js';
import { signed } from './signing.js';
import { store, type SubscriptionRow } from './store.js';
import { applySubscriptionAttributes, asSubscription, checkEndpoint, describeSubscription, PROTOCOLS, subscriptionNotFound } from './subscription.js';
import { findTopic, invalidParameter } from './topic.js';

/** Confirmation tokens last three days. https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html */
const TOKEN_TTL_MS = 3 * 24 * 3600_000;

function subscribeUrl(env: ServiceEnv, topicArn: string, token: string): string {
  return `${env.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}&Version=2010-03-31`;
}

/** Asks a new http/https/email subscriber to confirm, as AWS does: a POST, or a message in the outbox. */
function requestConfirmation(env: ServiceEnv, sub: SubscriptionRow, token: string): void {
  const url = subscribeUrl(env, sub.topic_arn, token);
  const messageId = randomUUID();
  const text = `You have chosen to subscribe to the topic ${sub.topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  const body = { Type: 'SubscriptionConfirmation', MessageId: messageId, Token: token, TopicArn: sub.topic_arn, Message: text, SubscribeURL: url, Timestamp: new Date(env.clock.now()).toISOString() };
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    const version = (JSON.parse(store(env).topic(sub.topic_arn)?.attributes ?? '{}') as Record<string, string>)['SignatureVersion'] ?? '1';
    env.bus.publish('sns:http', {
      subscriptionArn: sub.arn, topicArn: sub.topic_arn, endpoint: sub.endpoint, messageType: 'SubscriptionConfirmation',
      messageId, body: JSON.stringify(signed(env, body, version)), raw: false, attempt: 0,
    } satisfies HttpDelivery);
    return;
  }
  store(env).insertOutbox({
    account_id: sub.account_id, region: sub.region, protocol: sub.protocol, endpoint: sub.endpoint, topic_arn: sub.topic_arn, subscription_arn: sub.arn,
    message_id: messageId, subject: 'AWS Notification - Subscription Confirmation',
    message: sub.protocol === 'email-json' ? JSON.stringify(body) : `${text}\n${url}`, sent_at: env.clock.now(),
  });
}

const listed = (r: SubscriptionRow): ListedSubscription => ({
  SubscriptionArn: r.confirmed ? r.arn : 'PendingConfirmation', Owner: r.owner, Protocol: r.protocol, Endpoint: r.endpoint, TopicArn: r.topic_arn,
});

function page(rows: SubscriptionRow[]) {
  const items = rows.slice(0, PAGE_SIZE);
  return { Subscriptions: items.map(listed), ...(rows.length > PAGE_SIZE ? { NextToken: pageToken(items[items.length - 1]!.arn) } : {}) };
}

/**
 * Subscriptions: subscribe (idempotent per topic, protocol and endpoint), confirm with the token
 * sent to the endpoint, attributes (filter policies, raw delivery, redrive), unsubscribe.
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export const subscriptionHandlers: Handlers<Operations> = {
  Subscribe(input, ctx) {
    const topic = findTopic(ctx, input.TopicArn);
    const protocol = input.Protocol.toLowerCase();
    const endpoint = checkEndpoint(topic, protocol, input.Endpoint);
    const attrs = applySubscriptionAttributes(protocol, {}, input.Attributes ?? {});
    const s = store(ctx);
    const existing = s.subscriptionByEndpoint(topic.arn, protocol, endpoint);
    if (existing) {
      const current = asSubscription(existing).attrs;
      if (Object.entries(attrs).some(([k, v]) => current[k] !== v)) throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
      // Subscribing again while confirmation is pending sends the confirmation request again.
      if (!existing.confirmed && existing.token) requestConfirmation(ctx, existing, existing.token);
      return { SubscriptionArn: existing.confirmed || input.ReturnSubscriptionArn ? existing.arn : 'pending confirmation' };
    }
    const confirm = PROTOCOLS[protocol]!.confirm;
    const token = confirm ? randomBytes(64).toString('hex') : null;
    const now = ctx.clock.now();
    const row: SubscriptionRow = {
      arn: `${topic.arn}:${randomUUID()}`, topic_arn: topic.arn, account_id: topic.account_id, region: topic.region, protocol, endpoint,
      owner: ctx.accountId, attributes: JSON.stringify(attrs), confirmed: confirm ? 0 : 1, token, token_expires_at: token ? now + TOKEN_TTL_MS : null, created_at: now,
    };
    s.insertSubscription(row);
    if (token) requestConfirmation(ctx, row, token);
    return { SubscriptionArn: !confirm || input.ReturnSubscriptionArn ? row.arn : 'pending confirmation' };
  },

  ConfirmSubscription(input, ctx) {
    findTopic(ctx, input.TopicArn);
    const row = store(ctx).subscriptionByToken(input.TopicArn, input.Token);
    if (!row || (row.token_expires_at ?? 0) <= ctx.clock.now()) throw invalidParameter('Token');
    store(ctx).confirm(row.arn);
    return { SubscriptionArn: row.arn };
  },

  Unsubscribe(input, ctx) {
    const s = store(ctx);
    if (!s.subscription(input.SubscriptionArn)) throw subscriptionNotFound();
    s.deleteSubscription(input.SubscriptionArn);
  },

  ListSubscriptions(input, ctx) {
    return page(store(ctx).listSubscriptions(ctx.accountId, ctx.region, readPageToken(input.NextToken), PAGE_SIZE + 1));
  },

  ListSubscriptionsByTopic(input, ctx) {
    findTopic(ctx, input.TopicArn);
    return page(store(ctx).listSubscriptionsByTopic(input.TopicArn, readPageToken(input.NextToken), PAGE_SIZE + 1));
  },

  GetSubscriptionAttributes(input, ctx) {
    const row = store(ctx).subscription(input.SubscriptionArn);
    if (!row) throw subscriptionNotFound();
    return { Attributes: describeSubscription(asSubscription(row)) };
  },

  SetSubscriptionAttributes(input, ctx) {
    const row = store(ctx).subscription(input.SubscriptionArn);
    if (!row) throw subscriptionNotFound();
    const sub = asSubscription(row);
    store(ctx).setSubscriptionAttributes(sub.arn, applySubscriptionAttributes(sub.protocol, sub.attrs, { [input.AttributeName]: input.AttributeValue ?? '' }));
  },
};
