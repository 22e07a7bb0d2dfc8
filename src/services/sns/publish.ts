import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { BatchResultErrorEntry, MessageAttributeValue, Operations, PublishBatchResultEntry, PublishResponse } from '../../generated/types/sns.js';
import type { Handlers, ServiceEnv } from '../service.js';
import { parseArn } from '../../arn.js';
import { fanOut } from './delivery.js';
import { pushToEndpoint } from './platform.js';
import { optedOut } from './sms.js';
import { store } from './store.js';
import { asTopic, findTopic, invalidParameter, type Topic } from './topic.js';

/** https://docs.aws.amazon.com/sns/latest/api/API_Publish.html */
const MAX_BYTES = 262_144;
const DEDUP_WINDOW_MS = 5 * 60_000;

interface Publication {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

const badAttribute = (message: string) => new AwsError('ParameterValueInvalid', message);

function checkAttributes(attrs: Record<string, MessageAttributeValue> | undefined): void {
  const entries = Object.entries(attrs ?? {});
  if (entries.length > 10) throw badAttribute(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, a] of entries) {
    const type = a.DataType.split('.', 1)[0];
    if (type !== 'String' && type !== 'Number' && type !== 'Binary') {
      throw badAttribute(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const value = type === 'Binary' ? a.BinaryValue : a.StringValue;
    if (value === undefined || value.length === 0) {
      throw badAttribute(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type === 'Number' && !Number.isFinite(Number(a.StringValue))) throw badAttribute(`Could not cast message attribute '${name}' value to number.`);
    if (a.DataType === 'String.Array') {
      let list: unknown;
      try {
        list = JSON.parse(a.StringValue!);
      } catch { /* reported below */ }
      if (!Array.isArray(list)) throw badAttribute(`The message attribute '${name}' with type 'String.Array' must use a JSON array of strings, numbers, booleans or nulls.`);
    }
  }
}

function messageSize(m: Publication): number {
  let size = Buffer.byteLength(m.Message);
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + (a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? ''));
  }
  return size;
}

/** MessageStructure "json": one message per protocol, with a "default" for the others. */
function structured(p: Publication): string | Record<string, string> {
  if (p.MessageStructure === undefined) return p.Message;
  if (p.MessageStructure !== 'json') throw invalidParameter('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(p.Message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  if (typeof (parsed as Record<string, unknown>)['default'] !== 'string') throw invalidParameter('Message Structure - No default entry in JSON message body');
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Checks one message and hands it to the topic's subscribers; FIFO topics deduplicate for five minutes. */
function publish(ctx: ServiceEnv, topic: Topic, p: Publication): PublishResponse {
  if (p.Message.length === 0) throw invalidParameter('Empty message');
  checkAttributes(p.MessageAttributes);
  if (messageSize(p) > MAX_BYTES) throw invalidParameter('Message too long');
  if (p.Subject !== undefined && (p.Subject.length === 0 || p.Subject.length > 100 || !/^[\x20-\x7e]*$/.test(p.Subject))) throw invalidParameter('Subject');
  const message = structured(p);
  const now = ctx.clock.now();
  let deduplicationId: string | undefined;
  let sequenceNumber: string | undefined;
  const s = store(ctx);
  if (topic.fifo) {
    if (!p.MessageGroupId) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    deduplicationId = p.MessageDeduplicationId
      ?? (topic.attrs['ContentBasedDeduplication'] === 'true' ? createHash('sha256').update(p.Message).digest('hex') : undefined);
    if (!deduplicationId) throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    const scope = topic.attrs['FifoThroughputScope'] === 'MessageGroup' ? p.MessageGroupId : '';
    const dup = s.dedup(topic.arn, scope, deduplicationId, now);
    if (dup) return { MessageId: dup.message_id, SequenceNumber: dup.sequence_number };
    sequenceNumber = (10n ** 19n + BigInt(s.nextSequence(topic.arn))).toString();
    const messageId = randomUUID();
    s.putDedup(topic.arn, scope, deduplicationId, messageId, sequenceNumber, now + DEDUP_WINDOW_MS, now);
    fanOut(ctx, { topic, messageId, message, subject: p.Subject, attributes: p.MessageAttributes, groupId: p.MessageGroupId, deduplicationId, sequenceNumber, timestamp: new Date(now) });
    return { MessageId: messageId, SequenceNumber: sequenceNumber };
  }
  if (p.MessageDeduplicationId !== undefined) {
    throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  const messageId = randomUUID();
  fanOut(ctx, { topic, messageId, message, subject: p.Subject, attributes: p.MessageAttributes, groupId: p.MessageGroupId, timestamp: new Date(now) });
  return { MessageId: messageId };
}

/** A message another service (S3 notifications, CloudWatch alarms) publishes through the event bus. */
export interface PublishEvent {
  topicArn: string;
  message: string;
  subject?: string;
  attributes?: Record<string, { DataType: string; StringValue?: string }>;
  groupId?: string;
  deduplicationId?: string;
}

export function publishEvent(env: ServiceEnv, e: PublishEvent): void {
  const row = store(env).topic(e.topicArn);
  // A topic deleted since the event was published has nobody to deliver to, and a message it
  // refuses would be refused on every retry: both are dropped, as AWS drops them.
  if (!row) return;
  try {
    publish(env, asTopic(row), {
      Message: e.message, Subject: e.subject, MessageGroupId: e.groupId, MessageDeduplicationId: e.deduplicationId,
      MessageAttributes: e.attributes as Record<string, MessageAttributeValue> | undefined,
    });
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
  }
}

export const publishHandlers: Handlers<Operations> = {
  Publish(input, ctx) {
    if (input.PhoneNumber !== undefined) {
      if (input.TopicArn || input.TargetArn) throw invalidParameter('PhoneNumber Reason: Only one of TopicArn, TargetArn or PhoneNumber may be given');
      if (!/^\+?[0-9]{5,15}$/.test(input.PhoneNumber)) throw invalidParameter('PhoneNumber Reason: input incorrectly formatted');
      const messageId = randomUUID();
      // A number that replied STOP gets nothing; the publish still succeeds, as on AWS.
      if (optedOut(ctx, ctx.accountId, ctx.region, input.PhoneNumber)) return { MessageId: messageId };
      store(ctx).insertOutbox({
        account_id: ctx.accountId, region: ctx.region, protocol: 'sms', endpoint: input.PhoneNumber, topic_arn: null, subscription_arn: null,
        message_id: messageId, subject: input.Subject ?? null, message: input.Message, sent_at: ctx.clock.now(),
      });
      return { MessageId: messageId };
    }
    const arn = input.TopicArn ?? input.TargetArn;
    if (!arn) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    if (!input.TopicArn && parseArn(arn)?.resource.startsWith('endpoint/')) {
      if (input.Message.length === 0) throw invalidParameter('Empty message');
      const messageId = randomUUID();
      pushToEndpoint(ctx, arn, structured(input), messageId);
      return { MessageId: messageId };
    }
    return publish(ctx, findTopic(ctx, arn), input);
  },

  PublishBatch(input, ctx) {
    const topic = findTopic(ctx, input.TopicArn);
    const entries = input.PublishBatchRequestEntries;
    if (entries.length === 0) throw new AwsError('EmptyBatchRequest', 'The batch request doesn\'t contain any entries');
    if (entries.length > 10) throw new AwsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible');
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) throw new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id');
    if (entries.some((e) => !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id))) throw new AwsError('InvalidBatchEntryId', 'The Id of a batch entry in a batch request doesn\'t abide by the specification');
    if (entries.reduce((n, e) => n + messageSize(e), 0) > MAX_BYTES) throw new AwsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit');
    const Successful: PublishBatchResultEntry[] = [];
    const Failed: BatchResultErrorEntry[] = [];
    for (const e of entries) {
      try {
        Successful.push({ Id: e.Id, ...publish(ctx, topic, e) });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        Failed.push({ Id: e.Id, Code: err.code, Message: err.message, SenderFault: err.sender });
      }
    }
    return { Successful, Failed };
  },
};
