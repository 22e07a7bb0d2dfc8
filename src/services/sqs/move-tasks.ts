import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocols/errors.js';
import type { ListMessageMoveTasksResultEntry, Operations } from '../../generated/types/sqs.js';
import type { Handlers } from '../service.js';
import { invalidParameter, invalidValue } from './errors.js';
import { asQueue, queueByArn, redrivePolicy } from './queue.js';
import { store } from './store.js';
import { waiters } from './waiters.js';

interface MoveTaskRow {
  task_handle: string;
  status: string;
  source_arn: string;
  destination_arn: string | null;
  max_per_second: number | null;
  moved: number;
  to_move: number;
  started_at: number;
}

const notFound = (what: string) => new AwsError('ResourceNotFoundException', `The resource that you specified for the ${what} parameter doesn't exist.`);

/**
 * Message move tasks redrive a dead-letter queue's messages back to their source queues (or to
 * one destination). Like every asynchronous job in Nimbus the move is settled by the time the
 * next call reads it, so a task is COMPLETED when ListMessageMoveTasks first sees it.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
export const moveTaskHandlers: Handlers<Operations> = {
  StartMessageMoveTask(input, ctx) {
    const source = queueByArn(ctx, input.SourceArn);
    if (!source) throw notFound('SourceArn');
    const s = store(ctx);
    const isDeadLetterQueue = s.queuesInRegion(source.account_id, source.region).some((r) => redrivePolicy(asQueue(r))?.deadLetterTargetArn === source.arn);
    if (!isDeadLetterQueue) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    const destination = input.DestinationArn === undefined ? undefined : queueByArn(ctx, input.DestinationArn);
    if (input.DestinationArn !== undefined && !destination) throw notFound('DestinationArn');
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && (rate < 1 || rate > 500)) throw invalidValue('MaxNumberOfMessagesPerSecond', rate, 'Must be between 1 and 500.');
    const now = ctx.clock.now();
    const messages = s.messagesOf(source.arn);
    const touched = new Set<string>();
    let moved = 0;
    s.db.transaction(() => {
      for (const m of messages) {
        const target = destination?.arn ?? m.dead_letter_source;
        if (!target || !queueByArn(ctx, target)) continue;
        s.move(m.seq, source.arn, target, now, null);
        touched.add(target);
        moved++;
      }
    })();
    for (const arn of touched) waiters(ctx).notify(arn);
    const handle = Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString('base64');
    s.db.prepare(`INSERT INTO sqs_move_tasks (task_handle, account_id, region, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at)
      VALUES (?, ?, ?, ?, ?, ?, 'COMPLETED', ?, ?, ?)`)
      .run(handle, ctx.accountId, ctx.region, source.arn, input.DestinationArn ?? null, rate ?? null, moved, messages.length, now);
    return { TaskHandle: handle };
  },

  ListMessageMoveTasks(input, ctx) {
    if (!queueByArn(ctx, input.SourceArn)) throw notFound('SourceArn');
    const max = input.MaxResults ?? 1;
    if (max < 1 || max > 10) throw invalidValue('MaxResults', max, 'Must be between 1 and 10, if provided.');
    const rows = store(ctx).db.prepare('SELECT * FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started_at DESC, task_handle LIMIT ?')
      .all(input.SourceArn, max) as MoveTaskRow[];
    return {
      Results: rows.map((r): ListMessageMoveTasksResultEntry => ({
        ...(r.status === 'RUNNING' ? { TaskHandle: r.task_handle } : {}),
        Status: r.status,
        SourceArn: r.source_arn,
        ...(r.destination_arn ? { DestinationArn: r.destination_arn } : {}),
        ...(r.max_per_second !== null ? { MaxNumberOfMessagesPerSecond: r.max_per_second } : {}),
        ApproximateNumberOfMessagesMoved: r.moved,
        ApproximateNumberOfMessagesToMove: r.to_move,
        StartedTimestamp: r.started_at,
      })),
    };
  },

  CancelMessageMoveTask(input, ctx) {
    const row = store(ctx).db.prepare('SELECT * FROM sqs_move_tasks WHERE task_handle = ?').get(input.TaskHandle) as MoveTaskRow | undefined;
    if (!row) throw notFound('TaskHandle');
    // Moves finish within the call that starts them, so no task is ever left RUNNING to cancel.
    throw new AwsError('UnsupportedOperation', `Only a task in the RUNNING state can be cancelled; this one is ${row.status}.`);
  },
};
