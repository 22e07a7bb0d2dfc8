import { AwsError } from '../../protocols/errors.js';
import type { BatchResultErrorEntry, Operations, ReceiveMessageResult } from '../../generated/types/sqs.js';
import type { Handlers, RequestContext } from '../service.js';
import { invalidValue } from './errors.js';
import { enqueue, messageSize, parseReceiptHandle, take, toMessage } from './message.js';
import { numberAttr, queueFromUrl, type Queue } from './queue.js';
import { store } from './store.js';
import { waiters } from './waiters.js';

/**
 * Batches hold 1-10 entries with distinct, well-formed ids.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
function checkBatch(entries: { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw new AwsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > 10) throw new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) {
      throw new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(e.Id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
}

/** Runs each entry on its own; an AwsError becomes that entry's failure, as AWS reports it. */
function eachEntry<E extends { Id: string }, R>(entries: E[], run: (e: E) => R): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const Successful: R[] = [];
  const Failed: BatchResultErrorEntry[] = [];
  for (const e of entries) {
    try {
      Successful.push(run(e));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      Failed.push({ Id: e.Id, SenderFault: err.sender, Code: err.code, Message: err.message });
    }
  }
  return { Successful, Failed };
}

function checkVisibility(seconds: number): number {
  if (seconds < 0 || seconds > 43200) throw invalidValue('VisibilityTimeout', seconds, 'Must be >= 0 and <= 43200, if provided.');
  return seconds;
}

/** Deletes the message a receipt handle names. A handle from an earlier receive of a standard queue deletes nothing. */
function deleteByHandle(ctx: RequestContext, q: Queue, handle: string): void {
  const { messageId, seq, token } = parseReceiptHandle(q, handle);
  const s = store(ctx);
  const row = s.message(q.arn, seq, messageId);
  if (!row) return;
  if (row.receipt_token !== token) {
    if (q.fifo) throw new AwsError('ReceiptHandleIsInvalid', 'The receipt handle has expired.');
    return;
  }
  s.deleteMessage(q.arn, row.seq);
}

function changeVisibility(ctx: RequestContext, q: Queue, handle: string, seconds: number): void {
  const { messageId, seq, token } = parseReceiptHandle(q, handle);
  const s = store(ctx);
  const row = s.message(q.arn, seq, messageId);
  const now = ctx.clock.now();
  if (!row || row.receipt_token !== token || row.visible_at <= now) {
    throw new AwsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
  }
  // A message stays in flight at most 12 hours from its first receive, however often it is extended.
  if (now + seconds * 1000 - (row.first_receive_at ?? now) > 43200_000) {
    throw invalidValue('VisibilityTimeout', seconds, 'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]');
  }
  s.setVisibleAt(row.seq, now + seconds * 1000);
  if (seconds === 0) waiters(ctx).notify(q.arn);
}

/** FIFO receive attempts remembered for five minutes, so a retried ReceiveMessage gets the same messages back. */
const ATTEMPT_WINDOW_MS = 5 * 60_000;
const attempts = (env: RequestContext) => env.memory('sqs.receiveAttempts', () => new Map<string, { at: number; result: ReceiveMessageResult }>());

/**
 * A retry with the same ReceiveRequestAttemptId answers the same messages and receipt handles
 * while they are still in flight from that receive.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
function repeatAttempt(ctx: RequestContext, q: Queue, key: string): ReceiveMessageResult | undefined {
  const now = ctx.clock.now();
  const remembered = attempts(ctx);
  for (const [k, v] of remembered) if (now - v.at >= ATTEMPT_WINDOW_MS) remembered.delete(k);
  const previous = remembered.get(key);
  if (!previous) return undefined;
  const s = store(ctx);
  const stillInFlight = previous.result.Messages!.every((m) => {
    const { messageId, seq, token } = parseReceiptHandle(q, m.ReceiptHandle!);
    const row = s.message(q.arn, seq, messageId);
    return row !== undefined && row.receipt_token === token && row.visible_at > now;
  });
  return stillInFlight ? previous.result : undefined;
}

export const messageHandlers: Handlers<Operations> = {
  SendMessage(input, ctx) {
    return enqueue(ctx, queueFromUrl(ctx, input.QueueUrl), input, ctx.caller.userId);
  },

  SendMessageBatch(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    checkBatch(input.Entries, 'SendMessageBatchRequestEntry');
    const max = numberAttr(q, 'MaximumMessageSize');
    const total = input.Entries.reduce((n, e) => n + messageSize(e), 0);
    if (total > max) throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${max} bytes. You have sent ${total} bytes.`);
    // One transaction for the batch: one commit instead of ten.
    return store(ctx).db.transaction(() =>
      eachEntry(input.Entries, (e) => ({ Id: e.Id, ...enqueue(ctx, q, e, ctx.caller.userId) } as Operations['SendMessageBatch']['output']['Successful'][number])))();
  },

  async ReceiveMessage(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (max < 1 || max > 10) throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    const wait = input.WaitTimeSeconds ?? numberAttr(q, 'ReceiveMessageWaitTimeSeconds');
    if (wait < 0 || wait > 20) throw invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
    const visibility = checkVisibility(input.VisibilityTimeout ?? numberAttr(q, 'VisibilityTimeout'));
    const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
    const attemptKey = q.fifo && input.ReceiveRequestAttemptId ? `${q.arn}\n${input.ReceiveRequestAttemptId}` : undefined;
    const retried = attemptKey ? repeatAttempt(ctx, q, attemptKey) : undefined;
    if (retried) return retried;
    const deadline = ctx.clock.now() + wait * 1000;
    const socket = ctx.request.socket;
    for (;;) {
      // A client that hung up during a long poll must not leave messages in flight.
      if (socket.destroyed) return {};
      const taken = take(ctx, q, max, visibility * 1000);
      if (taken.length > 0 || ctx.clock.now() >= deadline) {
        // An empty receive answers no Messages member at all, as AWS does.
        const result = taken.length === 0 ? {} : { Messages: taken.map((t) => toMessage(q, t.row, t.token, systemNames, input.MessageAttributeNames)) };
        if (attemptKey && taken.length > 0) attempts(ctx).set(attemptKey, { at: ctx.clock.now(), result });
        return result;
      }
      const next = store(ctx).nextVisibleAt(q.arn, ctx.clock.now());
      await waiters(ctx).wait(q.arn, Math.min(deadline, next ?? deadline), ctx.clock, (stop) => {
        socket.once('close', stop);
        return () => socket.off('close', stop);
      });
    }
  },

  DeleteMessage(input, ctx) {
    deleteByHandle(ctx, queueFromUrl(ctx, input.QueueUrl), input.ReceiptHandle);
  },

  DeleteMessageBatch(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    checkBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
    return store(ctx).db.transaction(() => eachEntry(input.Entries, (e) => {
      deleteByHandle(ctx, q, e.ReceiptHandle);
      return { Id: e.Id };
    }))();
  },

  ChangeMessageVisibility(input, ctx) {
    changeVisibility(ctx, queueFromUrl(ctx, input.QueueUrl), input.ReceiptHandle, checkVisibility(input.VisibilityTimeout));
  },

  ChangeMessageVisibilityBatch(input, ctx) {
    const q = queueFromUrl(ctx, input.QueueUrl);
    checkBatch(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
    return eachEntry(input.Entries, (e) => {
      changeVisibility(ctx, q, e.ReceiptHandle, checkVisibility(e.VisibilityTimeout ?? 0));
      return { Id: e.Id };
    });
  },
};
