import type { Migration } from '../../state/database.js';

/**
 * SQS state. Messages belong to a queue by ARN (which carries account and region); `seq` is the
 * arrival order, which FIFO delivery and sequence numbers follow. A message is visible when
 * `visible_at` has passed; it is in flight when it has been received and is not yet visible again.
 * A queue's `message_count` is kept by store.ts on every insert, delete and move.
 */
export const migrations: Migration[] = [{
  id: 'sqs/001-queues-messages',
  sql: `
    CREATE TABLE sqs_queues (
      arn TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      name TEXT NOT NULL,
      attributes TEXT NOT NULL,
      tags TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      modified_at BIGINT NOT NULL,
      purged_at BIGINT,
      UNIQUE (account_id, region, name)
    );
    CREATE TABLE sqs_deleted_queues (arn TEXT PRIMARY KEY, deleted_at BIGINT NOT NULL);
    CREATE TABLE sqs_messages (
      seq INTEGER PRIMARY KEY,
      queue_arn TEXT NOT NULL,
      message_id TEXT NOT NULL,
      body TEXT NOT NULL,
      message_attributes TEXT,
      system_attributes TEXT,
      md5_body TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      sent_at BIGINT NOT NULL,
      visible_at BIGINT NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0,
      first_receive_at BIGINT,
      receipt_token TEXT,
      group_id TEXT,
      dedup_id TEXT,
      dead_letter_source TEXT
    );
    CREATE INDEX sqs_messages_ready ON sqs_messages (queue_arn, visible_at);
    CREATE INDEX sqs_messages_id ON sqs_messages (message_id);
    CREATE INDEX sqs_messages_age ON sqs_messages (queue_arn, sent_at);
    CREATE INDEX sqs_messages_group ON sqs_messages (queue_arn, group_id, visible_at);
    CREATE TABLE sqs_dedup (
      queue_arn TEXT NOT NULL,
      scope TEXT NOT NULL,
      dedup_id TEXT NOT NULL,
      message_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (queue_arn, scope, dedup_id)
    );
    CREATE TABLE sqs_move_tasks (
      task_handle TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      source_arn TEXT NOT NULL,
      destination_arn TEXT,
      max_per_second INTEGER,
      status TEXT NOT NULL,
      moved BIGINT NOT NULL,
      to_move BIGINT NOT NULL,
      started_at BIGINT NOT NULL
    );`,
}, {
  // FIFO receives walk a queue's messages in arrival order and stop at the first available ones.
  id: 'sqs/002-fifo-order',
  sql: 'CREATE INDEX sqs_messages_order ON sqs_messages (queue_arn, seq);',
}, {
  // Receipt handles carry the message's row (seq), so no message-id index is needed: it cost half
  // of each insert, and the planner preferred (queue_arn, seq) to it anyway, walking the queue in
  // arrival order up to the message named. Only messages with a group need the group and
  // arrival-order indexes (FIFO receives), so a standard message has two index entries, not five.
  // The message count lets ApproximateNumberOfMessages answer without counting a million rows.
  id: 'sqs/003-indexes-and-count',
  sql: `
    DROP INDEX sqs_messages_id;
    DROP INDEX sqs_messages_group;
    CREATE INDEX sqs_messages_group ON sqs_messages (queue_arn, group_id, visible_at) WHERE group_id IS NOT NULL;
    DROP INDEX sqs_messages_order;
    CREATE INDEX sqs_messages_order ON sqs_messages (queue_arn, seq) WHERE group_id IS NOT NULL;
    ALTER TABLE sqs_queues ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
    UPDATE sqs_queues SET message_count = (SELECT COUNT(*) FROM sqs_messages m WHERE m.queue_arn = sqs_queues.arn);`,
}];
