import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { Message, MessageAttributeValue, SendMessageResult } from '../../generated/types/sqs.js';
import type { ServiceEnv } from '../service.js';
import { invalidParameter, invalidValue, missingParameter, receiptHandleIsInvalid } from './errors.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { allowsSource, numberAttr, queueByArn, redrivePolicy, type Queue } from './queue.js';
import { store, type MessageRow } from './store.js';
import { waiters } from './waiters.js';

export interface OutgoingMessage {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageSystemAttributes?: Record<string, MessageAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** FIFO deduplication lasts five minutes. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html */
const DEDUP_WINDOW_MS = 5 * 60_000;

const VALID_CHARS = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp',
  'SequenceNumber', 'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'];

/** FIFO sequence numbers: 20 digits, increasing with arrival. */
export const sequenceNumber = (seq: number) => (10n ** 19n + BigInt(seq)).toString();

function checkAttributes(attrs: Record<string, MessageAttributeValue> | undefined): void {
  const names = Object.keys(attrs ?? {});
  if (names.length > 10) throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  for (const name of names) {
    const a = attrs![name]!;
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw invalidParameter(`Message (user) attribute '${name}' is invalid.`);
    }
    const type = a.DataType.split('.', 1)[0];
    if (type !== 'String' && type !== 'Number' && type !== 'Binary') {
      throw invalidParameter(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (a.StringListValues?.length || a.BinaryListValues?.length) throw invalidParameter(`Message attribute list values in SendMessage operation are not supported.`);
    const value = type === 'Binary' ? a.BinaryValue : a.StringValue;
    if (value === undefined || value.length === 0) {
      throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a.StringValue!)) {
      throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

/** The bytes a message counts against MaximumMessageSize: body plus attribute names, types and values. */
export function messageSize(m: OutgoingMessage): number {
  let size = Buffer.byteLength(m.MessageBody);
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + (a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? ''));
  }
  return size;
}

const toStored = (attrs: Record<string, MessageAttributeValue> | undefined) => attrs && Object.keys(attrs).length > 0
  ? JSON.stringify(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.BinaryValue !== undefined
    ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue).toString('base64') } : { DataType: v.DataType, StringValue: v.StringValue }])))
  : null;

function fromStored(text: string | null): Record<string, MessageAttributeValue> {
  const raw = text ? (JSON.parse(text) as Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>) : {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.BinaryValue !== undefined
    ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : { DataType: v.DataType, StringValue: v.StringValue! }]));
}

/**
 * Puts a message on a queue: SendMessage, each SendMessageBatch entry, and SNS deliveries.
 * Checks what AWS checks, applies the delay, and for FIFO queues the group and deduplication
 * rules; a duplicate within five minutes is accepted and answered with the first message's id.
 */
export function enqueue(env: ServiceEnv, q: Queue, m: OutgoingMessage, senderId: string, deadLetterSource: string | null = null): SendMessageResult {
  checkAttributes(m.MessageAttributes);
  const max = numberAttr(q, 'MaximumMessageSize');
  if (messageSize(m) > max) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  if (!VALID_CHARS.test(m.MessageBody)) {
    throw new AwsError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  }
  if (m.MessageBody.length === 0) throw missingParameter('MessageBody');
  const system = m.MessageSystemAttributes ?? {};
  for (const name of Object.keys(system)) if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
  if (m.DelaySeconds !== undefined && (m.DelaySeconds < 0 || m.DelaySeconds > 900)) {
    throw invalidValue('DelaySeconds', m.DelaySeconds, 'Must be >= 0 and <= 900, if provided.');
  }
  const now = env.clock.now();
  const s = store(env);
  let dedupId: string | null = null;
  if (q.fifo) {
    if (!m.MessageGroupId) throw missingParameter('MessageGroupId');
    if (m.DelaySeconds !== undefined && m.DelaySeconds !== 0) {
      throw invalidValue('DelaySeconds', m.DelaySeconds, 'The request include parameter that is not valid for this queue type');
    }
    // Content-based deduplication ids are the SHA-256 of the body.
    dedupId = m.MessageDeduplicationId ?? (q.attrs['ContentBasedDeduplication'] === 'true' ? createHash('sha256').update(m.MessageBody).digest('hex') : null);
    if (!dedupId) throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  } else if (m.MessageGroupId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(m.MessageGroupId)) {
    // Standard queues accept MessageGroupId for fair queues since 2025; it only has to be well formed.
    throw invalidValue('MessageGroupId', m.MessageGroupId, 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  } else if (m.MessageDeduplicationId !== undefined) {
    throw invalidValue('MessageDeduplicationId', m.MessageDeduplicationId, 'The request include parameter that is not valid for this queue type');
  }
  const md5Body = md5Hex(m.MessageBody);
  const md5System = md5OfAttributes(system);
  const result = (id: string, seq: number): SendMessageResult => ({
    MessageId: id,
    MD5OfMessageBody: md5Body,
    ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0 ? { MD5OfMessageAttributes: md5OfAttributes(m.MessageAttributes)! } : {}),
    ...(md5System ? { MD5OfMessageSystemAttributes: md5System } : {}),
    ...(q.fifo ? { SequenceNumber: sequenceNumber(seq) } : {}),
  });
  const scope = q.attrs['DeduplicationScope'] === 'messageGroup' ? m.MessageGroupId! : '';
  if (dedupId) {
    const dup = s.dedup(q.arn, scope, dedupId, now);
    if (dup) return result(dup.message_id, dup.seq);
  }
  const delay = m.DelaySeconds ?? numberAttr(q, 'DelaySeconds');
  const messageId = randomUUID();
  const seq = s.insertMessage({
    queue_arn: q.arn, message_id: messageId, body: m.MessageBody, message_attributes: toStored(m.MessageAttributes),
    system_attributes: toStored(system), md5_body: md5Body, sender_id: senderId, sent_at: now,
    visible_at: now + delay * 1000, group_id: m.MessageGroupId ?? null, dedup_id: dedupId, dead_letter_source: deadLetterSource,
  });
  if (dedupId) s.putDedup(q.arn, scope, dedupId, messageId, seq, now + DEDUP_WINDOW_MS, now);
  // Waiting long polls wake now, or for a delayed message rearm their timers to its visibility.
  waiters(env).notify(q.arn);
  return result(messageId, seq);
}

/**
 * Takes up to `max` visible messages and makes them in flight for `visibilityMs`. A message
 * already received `maxReceiveCount` times goes to the dead-letter queue instead.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export function take(env: ServiceEnv, q: Queue, max: number, visibilityMs: number): { row: MessageRow; token: string }[] {
  const s = store(env);
  const now = env.clock.now();
  const redrive = redrivePolicy(q);
  const dlq = redrive ? queueByArn(env, redrive.deadLetterTargetArn) : undefined;
  const canRedrive = dlq !== undefined && allowsSource(dlq, q.arn);
  const taken: { row: MessageRow; token: string }[] = [];
  s.db.transaction(() => {
    s.expire(q.arn, now - numberAttr(q, 'MessageRetentionPeriod') * 1000);
    for (;;) {
      const rows = s.ready(q.arn, now, max - taken.length, q.fifo);
      let moved = 0;
      for (const row of rows) {
        // With a zero visibility timeout a message just taken is visible again at once: take it once per call.
        if (taken.some((t) => t.row.seq === row.seq)) return;
        if (canRedrive && row.receive_count >= redrive!.maxReceiveCount) {
          s.move(row.seq, q.arn, dlq.arn, now, q.arn);
          moved++;
          continue;
        }
        // randomUUID draws from a cached entropy pool; randomBytes(16) costs a call into OpenSSL per message.
        const token = randomUUID();
        s.markReceived(row.seq, now + visibilityMs, now, token);
        taken.push({ row: { ...row, receive_count: row.receive_count + 1, first_receive_at: row.first_receive_at ?? now }, token });
      }
      if (moved > 0) waiters(env).notify(dlq!.arn);
      if (moved === 0 || taken.length >= max) break;
    }
  })();
  return taken;
}

/** Receipt handles name the queue, the message (by id and by row, which finds it without an index) and the receive they came from. */
function receiptHandle(q: Queue, row: MessageRow, token: string): string {
  return Buffer.from(`${q.arn}\n${row.message_id}\n${row.seq}\n${token}`).toString('base64');
}

export function parseReceiptHandle(q: Queue, handle: string): { messageId: string; seq: number; token: string } {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split('\n');
  if (parts.length !== 4 || parts[0] !== q.arn || !parts[1] || !/^\d{1,15}$/.test(parts[2]!) || !parts[3]) throw receiptHandleIsInvalid(handle);
  return { messageId: parts[1], seq: Number(parts[2]), token: parts[3] };
}

/** Which attribute names a receive asked for: "All", exact names, or `prefix.*` for message attributes. */
function wants(requested: string[] | undefined, name: string): boolean {
  return (requested ?? []).some((r) => r === 'All' || r === '.*' || r === name || (r.endsWith('.*') && name.startsWith(r.slice(0, -1))));
}

export function toMessage(q: Queue, row: MessageRow, token: string, systemNames: string[], attributeNames: string[] | undefined): Message {
  const system: Record<string, string | undefined> = {
    SenderId: row.sender_id,
    SentTimestamp: String(row.sent_at),
    ApproximateReceiveCount: String(row.receive_count),
    ApproximateFirstReceiveTimestamp: row.first_receive_at === null ? undefined : String(row.first_receive_at),
    SequenceNumber: q.fifo ? sequenceNumber(row.seq) : undefined,
    MessageDeduplicationId: row.dedup_id ?? undefined,
    MessageGroupId: row.group_id ?? undefined,
    AWSTraceHeader: fromStored(row.system_attributes)['AWSTraceHeader']?.StringValue,
    DeadLetterQueueSourceArn: row.dead_letter_source ?? undefined,
  };
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) if (wants(systemNames, name) && system[name] !== undefined) attributes[name] = system[name]!;
  const all = fromStored(row.message_attributes);
  const picked = Object.fromEntries(Object.entries(all).filter(([k]) => wants(attributeNames, k)));
  const md5Attrs = md5OfAttributes(picked);
  return {
    MessageId: row.message_id,
    ReceiptHandle: receiptHandle(q, row, token),
    MD5OfBody: row.md5_body,
    Body: row.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(md5Attrs ? { MD5OfMessageAttributes: md5Attrs, MessageAttributes: picked } : {}),
  };
}
