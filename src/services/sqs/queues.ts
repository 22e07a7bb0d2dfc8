import { AwsError } from '../../protocols/errors.js';
import type { Operations } from '../../generated/types/sqs.js';
import type { Handlers, RequestContext } from '../service.js';
import { invalidParameter, invalidValue, queueDoesNotExist } from './errors.js';
import {
  asQueue, checkQueueName, COMPUTED, defaults, normaliseAttributes, numberAttr, queueArn, queueFromUrl, queueUrl, redrivePolicy, type Queue,
} from './queue.js';
import { store, type QueueRow } from './store.js';

/** AWS waits 60 seconds before a deleted queue's name, or a purged queue, can be used again. */
const REUSE_AFTER_MS = 60_000;
const MAX_TAGS = 50;

function page<T>(items: T[], max: number | undefined): { items: T[]; more: boolean } {
  return max === undefined ? { items: items.slice(0, 1000), more: false } : { items: items.slice(0, max), more: items.length > max };
}

function checkMaxResults(max: number | undefined): number | undefined {
  if (max !== undefined && (max < 1 || max > 1000)) throw invalidValue('MaxResults', max, 'MaxResults must be an integer between 1 and 1000.');
  return max;
}

const encodeToken = (name: string) => Buffer.from(JSON.stringify({ after: name })).toString('base64');

function decodeToken(token: string | undefined): string {
  if (!token) return '';
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch { /* reported below */ }
  throw invalidParameter('Invalid NextToken value.');
}

function attributesOf(ctx: RequestContext, q: Queue): Record<string, string> {
  const now = ctx.clock.now();
  const counts = store(ctx).counts(q.arn, now, now - numberAttr(q, 'MessageRetentionPeriod') * 1000);
  return {
    QueueArn: q.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(q.created_at / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.modified_at / 1000)),
    ...q.attrs,
  };
}

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter(`Too many tags added for queue. The maximum is ${MAX_TAGS}.`);
}

const defined = (attrs: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)) as Record<string, string>;

export const queueHandlers: Handlers<Operations> = {
  CreateQueue(input, ctx) {
    const name = input.QueueName;
    const fifo = checkQueueName(name);
    const given = input.Attributes ?? {};
    if ((given['FifoQueue'] === 'true') !== fifo) {
      throw invalidParameter('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
    }
    const arn = queueArn(ctx, name);
    const attrs = normaliseAttributes(ctx, arn, given, fifo, true);
    const s = store(ctx);
    const existing = s.queueByName(ctx.accountId, ctx.region, name);
    if (existing) {
      // Idempotent only when every given attribute matches. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
      const current = asQueue(existing).attrs;
      for (const [k, v] of Object.entries(attrs)) {
        if ((current[k] ?? '') !== (v ?? '')) throw new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
      }
      return { QueueUrl: queueUrl(ctx, existing) };
    }
    const deletedAt = s.deletedAt(arn);
    const now = ctx.clock.now();
    if (deletedAt !== undefined && now - deletedAt < REUSE_AFTER_MS) {
      throw new AwsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
    }
    checkTags(input.tags ?? {});
    const row = { arn, account_id: ctx.accountId, region: ctx.region, name, attributes: JSON.stringify({ ...defaults(fifo), ...defined(attrs) }),
      tags: JSON.stringify(input.tags ?? {}), created_at: now, modified_at: now };
    s.insertQueue(row);
    return { QueueUrl: queueUrl(ctx, row) };
  },

  GetQueueUrl(input, ctx) {
    const row = store(ctx).queueByName(input.QueueOwnerAWSAccountId ?? ctx.accountId, ctx.region, input.QueueName);
    if (!row) throw queueDoesNotExist();
    return { QueueUrl: queueUrl(ctx, row) };
  },

  ListQueues(input, ctx) {
    const max = checkMaxResults(input.MaxResults);
    const rows = store(ctx).listQueues(ctx.accountId, ctx.region, input.QueueNamePrefix ?? '', decodeToken(input.NextToken), (max ?? 1000) + 1);
    const { items, more } = page(rows, max);
    return {
      ...(items.length > 0 ? { QueueUrls: items.map((r) => queueUrl(ctx, r)) } : {}),
      ...(more ? { NextToken: encodeToken(items[items.length - 1]!.name) } : {}),
    };
  },

  DeleteQueue(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    store(ctx).deleteQueue(q.arn, ctx.clock.now());
  },

  GetQueueAttributes(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const names = input.AttributeNames ?? [];
    if (names.length === 0) return {};
    const all = attributesOf(ctx, q);
    const picked = names.includes('All') ? all : Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n]!]));
    return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
  },

  SetQueueAttributes(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    for (const name of Object.keys(input.Attributes)) if (COMPUTED.includes(name)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const changes = normaliseAttributes(ctx, q.arn, input.Attributes, q.fifo, false);
    const next = { ...q.attrs };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    store(ctx).setAttributes(q.arn, next, ctx.clock.now());
  },

  PurgeQueue(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const now = ctx.clock.now();
    if (q.purged_at !== null && now - q.purged_at < REUSE_AFTER_MS) {
      throw new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`, { status: 403 });
    }
    store(ctx).setPurged(q.arn, now);
  },

  TagQueue(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const tags = { ...(JSON.parse(q.tags) as Record<string, string>), ...input.Tags };
    checkTags(tags);
    store(ctx).setTags(q.arn, tags);
  },

  UntagQueue(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const tags = JSON.parse(q.tags) as Record<string, string>;
    for (const k of input.TagKeys) delete tags[k];
    store(ctx).setTags(q.arn, tags);
  },

  ListQueueTags(input, ctx) {
    const tags = JSON.parse(queueFromUrl(ctx, input.QueueUrl).tags) as Record<string, string>;
    return Object.keys(tags).length > 0 ? { Tags: tags } : {};
  },

  ListDeadLetterSourceQueues(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const max = checkMaxResults(input.MaxResults);
    const after = decodeToken(input.NextToken);
    const sources = store(ctx).queuesInRegion(q.account_id, q.region)
      .filter((r: QueueRow) => r.name > after && redrivePolicy(asQueue(r))?.deadLetterTargetArn === q.arn);
    const { items, more } = page(sources, max);
    return { queueUrls: items.map((r) => queueUrl(ctx, r)), ...(more ? { NextToken: encodeToken(items[items.length - 1]!.name) } : {}) };
  },
};
