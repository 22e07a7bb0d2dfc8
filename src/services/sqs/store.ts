import type { SqlDatabase } from '../../state/database.js';
import type { ServiceEnv } from '../service.js';

export interface QueueRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
  purged_at: number | null;
  message_count: number;
}

export interface MessageRow {
  seq: number;
  queue_arn: string;
  message_id: string;
  body: string;
  message_attributes: string | null;
  system_attributes: string | null;
  md5_body: string;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_receive_at: number | null;
  receipt_token: string | null;
  group_id: string | null;
  dedup_id: string | null;
  dead_letter_source: string | null;
}

export type NewMessage = Omit<MessageRow, 'seq' | 'receive_count' | 'first_receive_at' | 'receipt_token'>;

export interface Counts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** All of SQS's SQL, prepared once per Nimbus instance. */
export class SqsStore {
  private readonly s;
  private readonly t;
  /**
   * Counts the writes that create, delete, re-attribute or re-tag a queue: views of queue rows
   * kept between requests (IAM enforcement's queue policies, index.ts) hold while it stands still.
   */
  queueWrites = 0;

  constructor(readonly db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      queueByName: p('SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?'),
      queueByArn: p('SELECT * FROM sqs_queues WHERE arn = ?'),
      insertQueue: p(`INSERT INTO sqs_queues (arn, account_id, region, name, attributes, tags, created_at, modified_at)
        VALUES (@arn, @account_id, @region, @name, @attributes, @tags, @created_at, @modified_at)`),
      setAttributes: p('UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE arn = ?'),
      setTags: p('UPDATE sqs_queues SET tags = ? WHERE arn = ?'),
      setPurged: p('UPDATE sqs_queues SET purged_at = ?, message_count = 0 WHERE arn = ?'),
      addCount: p('UPDATE sqs_queues SET message_count = message_count + ? WHERE arn = ?'),
      messageCount: p('SELECT message_count FROM sqs_queues WHERE arn = ?'),
      deleteQueue: p('DELETE FROM sqs_queues WHERE arn = ?'),
      deleteQueueMessages: p('DELETE FROM sqs_messages WHERE queue_arn = ?'),
      deleteQueueDedup: p('DELETE FROM sqs_dedup WHERE queue_arn = ?'),
      recordDeleted: p(`INSERT INTO sqs_deleted_queues (arn, deleted_at) VALUES (?, ?)
        ON CONFLICT (arn) DO UPDATE SET deleted_at = excluded.deleted_at`),
      deletedAt: p('SELECT deleted_at FROM sqs_deleted_queues WHERE arn = ?'),
      listQueues: p(`SELECT * FROM sqs_queues WHERE account_id = @account AND region = @region
        AND substr(name, 1, @prefixLength) = @prefix AND name > @after ORDER BY name LIMIT @limit`),
      queuesInRegion: p('SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? ORDER BY name'),
      insertMessage: p(`INSERT INTO sqs_messages (queue_arn, message_id, body, message_attributes, system_attributes, md5_body,
        sender_id, sent_at, visible_at, group_id, dedup_id, dead_letter_source)
        VALUES (@queue_arn, @message_id, @body, @message_attributes, @system_attributes, @md5_body,
        @sender_id, @sent_at, @visible_at, @group_id, @dedup_id, @dead_letter_source)`),
      // Only messages not visible are counted row by row; the visible ones are the rest of message_count.
      notVisible: p(`SELECT
          COALESCE(SUM(CASE WHEN receive_count > 0 THEN 1 ELSE 0 END), 0) AS inFlight,
          COALESCE(SUM(CASE WHEN receive_count = 0 THEN 1 ELSE 0 END), 0) AS delayed
        FROM sqs_messages WHERE queue_arn = ? AND visible_at > ?`),
      expire: p('DELETE FROM sqs_messages WHERE queue_arn = ? AND sent_at <= ?'),
      ready: p('SELECT * FROM sqs_messages WHERE queue_arn = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?'),
      // The unary plus keeps the planner on the (queue_arn, seq) index of grouped messages: arrival order, no sort of the whole queue.
      readyFifo: p(`SELECT * FROM sqs_messages m WHERE m.queue_arn = @arn AND m.group_id IS NOT NULL AND +m.visible_at <= @now
          AND NOT EXISTS (SELECT 1 FROM sqs_messages f WHERE f.queue_arn = m.queue_arn AND f.group_id = m.group_id
            AND f.visible_at > @now AND f.receive_count > 0)
        ORDER BY m.seq LIMIT @limit`),
      markReceived: p(`UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1,
        first_receive_at = COALESCE(first_receive_at, ?), receipt_token = ? WHERE seq = ?`),
      message: p('SELECT * FROM sqs_messages WHERE seq = ? AND queue_arn = ? AND message_id = ?'),
      deleteMessage: p('DELETE FROM sqs_messages WHERE seq = ?'),
      setVisibleAt: p('UPDATE sqs_messages SET visible_at = ? WHERE seq = ?'),
      move: p(`UPDATE sqs_messages SET queue_arn = ?, visible_at = ?, receive_count = 0, first_receive_at = NULL,
        receipt_token = NULL, dead_letter_source = ? WHERE seq = ?`),
      messagesOf: p('SELECT seq, dead_letter_source FROM sqs_messages WHERE queue_arn = ? ORDER BY seq'),
      nextVisibleAt: p('SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue_arn = ? AND visible_at > ?'),
      dedup: p('SELECT message_id, seq FROM sqs_dedup WHERE queue_arn = ? AND scope = ? AND dedup_id = ? AND expires_at > ?'),
      putDedup: p(`INSERT INTO sqs_dedup (queue_arn, scope, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (queue_arn, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`),
      expireDedup: p('DELETE FROM sqs_dedup WHERE queue_arn = ? AND expires_at <= ?'),
    };
    // Each change to messages commits together with its queue's message_count: in the caller's
    // transaction when there is one (a savepoint per message would cost more than the insert), else in its own.
    const s = this.s;
    const atomic = <A extends unknown[], R>(fn: (...args: A) => R) => {
      const own = db.transaction(fn);
      return (...args: A): R => (db.inTransaction ? fn(...args) : own(...args));
    };
    this.t = {
      insertMessage: atomic((m: NewMessage): number => {
        const seq = Number(s.insertMessage.run(m).lastInsertRowid);
        s.addCount.run(1, m.queue_arn);
        return seq;
      }),
      expire: atomic((arn: string, cutoff: number) => {
        const gone = s.expire.run(arn, cutoff).changes;
        if (gone > 0) s.addCount.run(-gone, arn);
      }),
      deleteMessage: atomic((arn: string, seq: number) => {
        if (s.deleteMessage.run(seq).changes > 0) s.addCount.run(-1, arn);
      }),
      move: atomic((seq: number, fromArn: string, toArn: string, visibleAt: number, deadLetterSource: string | null) => {
        s.move.run(toArn, visibleAt, deadLetterSource, seq);
        s.addCount.run(-1, fromArn);
        s.addCount.run(1, toArn);
      }),
    };
  }

  queueByName(account: string, region: string, name: string) {
    return this.s.queueByName.get(account, region, name) as QueueRow | undefined;
  }
  queueByArn(arn: string) {
    return this.s.queueByArn.get(arn) as QueueRow | undefined;
  }
  insertQueue(row: Omit<QueueRow, 'purged_at' | 'message_count'>) {
    this.queueWrites++;
    this.s.insertQueue.run(row);
  }
  setAttributes(arn: string, attributes: Record<string, string>, now: number) {
    this.queueWrites++;
    this.s.setAttributes.run(JSON.stringify(attributes), now, arn);
  }
  setTags(arn: string, tags: Record<string, string>) {
    this.queueWrites++;
    this.s.setTags.run(JSON.stringify(tags), arn);
  }
  setPurged(arn: string, now: number) {
    this.db.transaction(() => {
      this.s.setPurged.run(now, arn);
      this.s.deleteQueueMessages.run(arn);
    })();
  }
  deleteQueue(arn: string, now: number) {
    this.queueWrites++;
    this.db.transaction(() => {
      this.s.deleteQueue.run(arn);
      this.s.deleteQueueMessages.run(arn);
      this.s.deleteQueueDedup.run(arn);
      this.s.recordDeleted.run(arn, now);
    })();
  }
  deletedAt(arn: string) {
    return (this.s.deletedAt.get(arn) as { deleted_at: number } | undefined)?.deleted_at;
  }
  listQueues(account: string, region: string, prefix: string, after: string, limit: number) {
    return this.s.listQueues.all({ account, region, prefix, prefixLength: prefix.length, after, limit }) as QueueRow[];
  }
  queuesInRegion(account: string, region: string) {
    return this.s.queuesInRegion.all(account, region) as QueueRow[];
  }
  insertMessage(m: NewMessage): number {
    return this.t.insertMessage(m);
  }
  /** Counts after dropping the messages past retention (sent at or before `cutoff`). */
  counts(arn: string, now: number, cutoff: number): Counts {
    this.expire(arn, cutoff);
    const total = (this.s.messageCount.get(arn) as { message_count: number }).message_count;
    const { inFlight, delayed } = this.s.notVisible.get(arn, now) as Omit<Counts, 'visible'>;
    return { visible: total - inFlight - delayed, inFlight, delayed };
  }
  expire(arn: string, cutoff: number) {
    this.t.expire(arn, cutoff);
  }
  ready(arn: string, now: number, limit: number, fifo: boolean) {
    return (fifo ? this.s.readyFifo.all({ arn, now, limit }) : this.s.ready.all(arn, now, limit)) as MessageRow[];
  }
  markReceived(seq: number, visibleAt: number, now: number, token: string) {
    this.s.markReceived.run(visibleAt, now, token, seq);
  }
  message(arn: string, seq: number, messageId: string) {
    return this.s.message.get(seq, arn, messageId) as MessageRow | undefined;
  }
  deleteMessage(arn: string, seq: number) {
    this.t.deleteMessage(arn, seq);
  }
  setVisibleAt(seq: number, at: number) {
    this.s.setVisibleAt.run(at, seq);
  }
  move(seq: number, fromArn: string, toArn: string, visibleAt: number, deadLetterSource: string | null) {
    this.t.move(seq, fromArn, toArn, visibleAt, deadLetterSource);
  }
  messagesOf(arn: string) {
    return this.s.messagesOf.all(arn) as { seq: number; dead_letter_source: string | null }[];
  }
  nextVisibleAt(arn: string, now: number) {
    return (this.s.nextVisibleAt.get(arn, now) as { at: number | null }).at ?? undefined;
  }
  dedup(arn: string, scope: string, id: string, now: number) {
    return this.s.dedup.get(arn, scope, id, now) as { message_id: string; seq: number } | undefined;
  }
  putDedup(arn: string, scope: string, id: string, messageId: string, seq: number, expiresAt: number, now: number) {
    this.s.expireDedup.run(arn, now);
    this.s.putDedup.run(arn, scope, id, messageId, seq, expiresAt);
  }
}

export function store(env: ServiceEnv): SqsStore {
  return env.memory('sqs.store', () => new SqsStore(env.db));
}
