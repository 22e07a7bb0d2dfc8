import { AwsError } from '../../protocols/errors.js';
import type { MessageAttributeValue, Operations } from '../../generated/types/sqs.js';
import type { ResourceFacts, ServiceDefinition, ServiceEnv } from '../service.js';
import { otherCommits } from '../../state/database.js';
import { enqueue } from './message.js';
import { messageHandlers } from './messages.js';
import { moveTaskHandlers } from './move-tasks.js';
import { policyHandlers } from './policy.js';
import { queueByArn } from './queue.js';
import { store } from './store.js';
import { queueHandlers } from './queues.js';
import { migrations } from './schema.js';

/** A message another service (SNS, S3 notifications) puts on a queue through the event bus. */
export interface SendEvent {
  queueArn: string;
  senderId: string;
  body: string;
  /** Binary values base64-encoded, as JSON carries them. */
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  groupId?: string;
  deduplicationId?: string;
  /** The AWS service sending for one of its resources (SNS for a topic): under IAM enforcement the queue's policy must allow it. */
  sentBy?: { service: string; sourceArn: string; sourceAccount: string };
  /** Published back, with `reason` added, when the message cannot be delivered (SNS redrives it to a subscription DLQ). */
  onFailure?: { event: `${string}:${string}`; payload: Record<string, unknown> };
}

/**
 * SQS: queues, messages, FIFO, dead-letter queues and move tasks. Folder `sqs`, the model id.
 * Served over JSON and, for older clients, query (protocols/query-compat.ts).
 */
export const service: ServiceDefinition<Operations> = {
  migrations,
  handlers: { ...queueHandlers, ...messageHandlers, ...policyHandlers, ...moveTaskHandlers },
  // IAM enforcement reads a queue's policy: it can grant other accounts and users access, or deny it.
  resourcePolicy: queueFacts,
  events: {
    // A message the queue cannot take (the queue is gone, the message too large, a standard
    // message for a FIFO queue) would fail on every retry: it is dropped, and the sender told.
    send(payload: SendEvent, env) {
      const q = queueByArn(env, payload.queueArn);
      const fail = (reason: string) => payload.onFailure && env.bus.publish(payload.onFailure.event, { ...payload.onFailure.payload, reason });
      if (!q) {
        fail(`The queue ${payload.queueArn} does not exist.`);
        return;
      }
      const policy = q.attrs['Policy'];
      if (payload.sentBy && env.allowsService && !env.allowsService({ ...payload.sentBy, action: 'sqs:SendMessage', resource: q.arn, resourceAccount: q.account_id, ...(policy ? { policy } : {}) })) {
        fail(`AccessDenied: the policy of queue ${q.arn} does not allow ${payload.sentBy.service} to send messages for ${payload.sentBy.sourceArn}.`);
        return;
      }
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [k, v] of Object.entries(payload.attributes ?? {})) {
        attributes[k] = v.BinaryValue !== undefined ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : { DataType: v.DataType, StringValue: v.StringValue! };
      }
      try {
        enqueue(env, q, { MessageBody: payload.body, MessageAttributes: attributes, MessageGroupId: payload.groupId, MessageDeduplicationId: payload.deduplicationId }, payload.senderId);
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        fail(`${e.code}: ${e.message}`);
      }
    },
  },
};

/**
 * A queue's owner, tags and policy for IAM enforcement, which asks on every request: kept per
 * queue until the next write to any queue's row (SqsStore.queueWrites), or a commit by another
 * connection to the database (another Nimbus on the same data directory: SQLite's data_version).
 */
function queueFacts(env: ServiceEnv, arn: string): ResourceFacts | undefined {
  const cache = env.memory('sqs.resource-facts', () => ({ writes: -1, committedElsewhere: otherCommits(env.db), facts: new Map<string, ResourceFacts | null>() }));
  const writes = store(env).queueWrites;
  // Asked every time, so that it keeps count even when a local write already empties the cache.
  const elsewhere = cache.committedElsewhere();
  if (elsewhere || cache.writes !== writes) {
    cache.facts.clear();
    cache.writes = writes;
  }
  const hit = cache.facts.get(arn);
  if (hit !== undefined) return hit ?? undefined;
  const q = queueByArn(env, arn);
  const facts = q && { account: q.account_id, tags: JSON.parse(q.tags) as Record<string, string>, ...(q.attrs['Policy'] ? { policy: q.attrs['Policy'] } : {}) };
  // Requests may name queues that do not exist: those answers are kept within a bound.
  if (cache.facts.size >= 10_000) cache.facts.clear();
  cache.facts.set(arn, facts ?? null);
  return facts;
}
