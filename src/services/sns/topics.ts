import type { Operations, Tag } from '../../generated/types/sns.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { asTopic, checkDataProtectionPolicy, checkTopicAttributes, defaultPolicy, DEFAULT_HTTP_POLICY, findTopic, invalidParameter, topicArn } from './topic.js';
import { store } from './store.js';
import { pageToken, readPageToken, PAGE_SIZE } from './paging.js';

const MAX_TAGS = 50;

function resourceTopic(env: Parameters<typeof findTopic>[0], arn: string) {
  try {
    return findTopic(env, arn);
  } catch {
    throw new AwsError('ResourceNotFound', 'Resource does not exist');
  }
}

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

const tagMap = (tags: Tag[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

/**
 * Topics: create (idempotent by name), attributes with their computed counts, tags, permissions.
 * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 */
export const topicHandlers: Handlers<Operations> = {
  CreateTopic(input, ctx) {
    const fifo = input.Name.endsWith('.fifo');
    const base = fifo ? input.Name.slice(0, -5) : input.Name;
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || input.Name.length > 256) throw invalidParameter('Topic Name');
    if (fifo && input.Attributes?.['FifoTopic'] !== 'true') throw invalidParameter('Topic Name');
    const attrs = checkTopicAttributes(input.Attributes ?? {}, fifo, true);
    const arn = topicArn(ctx, input.Name);
    const s = store(ctx);
    const existing = s.topic(arn);
    if (existing) {
      const current = asTopic(existing).attrs;
      if (Object.entries(attrs).some(([k, v]) => (current[k] ?? '') !== v)) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      return { TopicArn: arn };
    }
    const tags = tagMap(input.Tags);
    checkTags(tags);
    s.insertTopic({
      arn, account_id: ctx.accountId, region: ctx.region, name: input.Name, tags: JSON.stringify(tags), created_at: ctx.clock.now(),
      data_protection_policy: input.DataProtectionPolicy === undefined ? null : checkDataProtectionPolicy(input.DataProtectionPolicy),
      attributes: JSON.stringify({
        Policy: defaultPolicy(arn, ctx.accountId), DisplayName: '',
        ...(fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {}), ...attrs,
      }),
    });
    return { TopicArn: arn };
  },

  DeleteTopic(input, ctx) {
    // Deleting a topic that does not exist succeeds: the call is idempotent.
    store(ctx).deleteTopic(input.TopicArn);
  },

  ListTopics(input, ctx) {
    const rows = store(ctx).listTopics(ctx.accountId, ctx.region, readPageToken(input.NextToken), PAGE_SIZE + 1);
    const page = rows.slice(0, PAGE_SIZE);
    return { Topics: page.map((r) => ({ TopicArn: r.arn })), ...(rows.length > PAGE_SIZE ? { NextToken: pageToken(page[page.length - 1]!.arn) } : {}) };
  },

  GetTopicAttributes(input, ctx) {
    const t = findTopic(ctx, input.TopicArn);
    const subs = store(ctx).subscriptionsOf(t.arn);
    return {
      Attributes: {
        TopicArn: t.arn,
        Owner: t.account_id,
        SubscriptionsConfirmed: String(subs.filter((x) => x.confirmed).length),
        SubscriptionsPending: String(subs.filter((x) => !x.confirmed).length),
        SubscriptionsDeleted: '0',
        EffectiveDeliveryPolicy: t.attrs['DeliveryPolicy'] ?? JSON.stringify({ http: { defaultHealthyRetryPolicy: DEFAULT_HTTP_POLICY, disableSubscriptionOverrides: false } }),
        ...t.attrs,
      },
    };
  },

  SetTopicAttributes(input, ctx) {
    const t = findTopic(ctx, input.TopicArn);
    const change = checkTopicAttributes({ [input.AttributeName]: input.AttributeValue ?? '' }, t.fifo, false);
    store(ctx).setTopicAttributes(t.arn, { ...t.attrs, ...change });
  },

  TagResource(input, ctx) {
    const t = resourceTopic(ctx, input.ResourceArn);
    const tags = { ...(JSON.parse(t.tags) as Record<string, string>), ...tagMap(input.Tags) };
    checkTags(tags);
    store(ctx).setTopicTags(t.arn, tags);
    return {};
  },

  UntagResource(input, ctx) {
    const t = resourceTopic(ctx, input.ResourceArn);
    const tags = JSON.parse(t.tags) as Record<string, string>;
    for (const k of input.TagKeys) delete tags[k];
    store(ctx).setTopicTags(t.arn, tags);
    return {};
  },

  ListTagsForResource(input, ctx) {
    const tags = JSON.parse(resourceTopic(ctx, input.ResourceArn).tags) as Record<string, string>;
    return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  },

  PutDataProtectionPolicy(input, ctx) {
    const t = resourceTopic(ctx, input.ResourceArn);
    store(ctx).setDataProtectionPolicy(t.arn, checkDataProtectionPolicy(input.DataProtectionPolicy));
  },

  GetDataProtectionPolicy(input, ctx) {
    const policy = resourceTopic(ctx, input.ResourceArn).data_protection_policy;
    return policy === null ? {} : { DataProtectionPolicy: policy };
  },

  AddPermission(input, ctx) {
    const t = findTopic(ctx, input.TopicArn);
    const policy = JSON.parse(t.attrs['Policy'] || defaultPolicy(t.arn, t.account_id)) as { Statement: Record<string, unknown>[] };
    if (policy.Statement.some((st) => st['Sid'] === input.Label)) throw invalidParameter('Statement already exists');
    policy.Statement.push({
      Sid: input.Label, Effect: 'Allow', Principal: { AWS: input.AWSAccountId.map((a) => `arn:aws:iam::${a}:root`) },
      Action: input.ActionName.map((a) => `SNS:${a}`), Resource: t.arn,
    });
    store(ctx).setTopicAttributes(t.arn, { ...t.attrs, Policy: JSON.stringify(policy) });
  },

  RemovePermission(input, ctx) {
    const t = findTopic(ctx, input.TopicArn);
    const policy = JSON.parse(t.attrs['Policy'] || defaultPolicy(t.arn, t.account_id)) as { Statement: Record<string, unknown>[] };
    policy.Statement = policy.Statement.filter((st) => st['Sid'] !== input.Label);
    store(ctx).setTopicAttributes(t.arn, { ...t.attrs, Policy: JSON.stringify(policy) });
  },
};
