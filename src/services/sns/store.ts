import type { SqlDatabase } from '../../state/database.js';
import type { ServiceEnv } from '../service.js';

export interface TopicRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  attributes: string;
  tags: string;
  created_at: number;
  data_protection_policy: string | null;
}

export interface SubscriptionRow {
  arn: string;
  topic_arn: string;
  account_id: string;
  region: string;
  protocol: string;
  endpoint: string;
  owner: string;
  attributes: string;
  confirmed: number;
  token: string | null;
  token_expires_at: number | null;
  created_at: number;
}

export interface OutboxRow {
  id: number;
  account_id: string;
  region: string;
  protocol: string;
  endpoint: string;
  topic_arn: string | null;
  subscription_arn: string | null;
  message_id: string;
  subject: string | null;
  message: string;
  sent_at: number;
}

/** All of SNS's SQL, prepared once per Nimbus instance. */
export class SnsStore {
  private readonly s;

  constructor(readonly db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      topic: p('SELECT * FROM sns_topics WHERE arn = ?'),
      insertTopic: p(`INSERT INTO sns_topics (arn, account_id, region, name, attributes, tags, created_at, data_protection_policy)
        VALUES (@arn, @account_id, @region, @name, @attributes, @tags, @created_at, @data_protection_policy)`),
      setDataProtectionPolicy: p('UPDATE sns_topics SET data_protection_policy = ? WHERE arn = ?'),
      setTopicAttributes: p('UPDATE sns_topics SET attributes = ? WHERE arn = ?'),
      setTopicTags: p('UPDATE sns_topics SET tags = ? WHERE arn = ?'),
      deleteTopic: p('DELETE FROM sns_topics WHERE arn = ?'),
      deleteTopicSubscriptions: p('DELETE FROM sns_subscriptions WHERE topic_arn = ?'),
      listTopics: p('SELECT * FROM sns_topics WHERE account_id = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?'),
      subscription: p('SELECT * FROM sns_subscriptions WHERE arn = ?'),
      subscriptionByToken: p('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND token = ?'),
      subscriptionByEndpoint: p('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND endpoint = ?'),
      insertSubscription: p(`INSERT INTO sns_subscriptions (arn, topic_arn, account_id, region, protocol, endpoint, owner, attributes, confirmed, token, token_expires_at, created_at)
        VALUES (@arn, @topic_arn, @account_id, @region, @protocol, @endpoint, @owner, @attributes, @confirmed, @token, @token_expires_at, @created_at)`),
      confirm: p('UPDATE sns_subscriptions SET confirmed = 1 WHERE arn = ?'),
      setSubscriptionAttributes: p('UPDATE sns_subscriptions SET attributes = ? WHERE arn = ?'),
      deleteSubscription: p('DELETE FROM sns_subscriptions WHERE arn = ?'),
      subscriptionsOf: p('SELECT * FROM sns_subscriptions WHERE topic_arn = ? ORDER BY arn'),
      listSubscriptions: p('SELECT * FROM sns_subscriptions WHERE account_id = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?'),
      listSubscriptionsByTopic: p('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND arn > ? ORDER BY arn LIMIT ?'),
      dedup: p('SELECT message_id, sequence_number FROM sns_dedup WHERE topic_arn = ? AND scope = ? AND dedup_id = ? AND expires_at > ?'),
      expireDedup: p('DELETE FROM sns_dedup WHERE topic_arn = ? AND expires_at <= ?'),
      putDedup: p(`INSERT INTO sns_dedup (topic_arn, scope, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (topic_arn, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id,
        sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`),
      nextSequence: p(`INSERT INTO sns_sequence (topic_arn, last) VALUES (?, 1)
        ON CONFLICT (topic_arn) DO UPDATE SET last = sns_sequence.last + 1 RETURNING last`),
      insertOutbox: p(`INSERT INTO sns_outbox (account_id, region, protocol, endpoint, topic_arn, subscription_arn, message_id, subject, message, sent_at)
        VALUES (@account_id, @region, @protocol, @endpoint, @topic_arn, @subscription_arn, @message_id, @subject, @message, @sent_at)`),
      outbox: p('SELECT * FROM sns_outbox ORDER BY id'),
      clearOutbox: p('DELETE FROM sns_outbox'),
    };
  }

  topic(arn: string) {
    return this.s.topic.get(arn) as TopicRow | undefined;
  }
  insertTopic(row: TopicRow) {
    this.s.insertTopic.run(row);
  }
  setTopicAttributes(arn: string, attrs: Record<string, string>) {
    this.s.setTopicAttributes.run(JSON.stringify(attrs), arn);
  }
  setDataProtectionPolicy(arn: string, policy: string) {
    this.s.setDataProtectionPolicy.run(policy, arn);
  }
  setTopicTags(arn: string, tags: Record<string, string>) {
    this.s.setTopicTags.run(JSON.stringify(tags), arn);
  }
  deleteTopic(arn: string) {
    this.db.transaction(() => {
      this.s.deleteTopic.run(arn);
      this.s.deleteTopicSubscriptions.run(arn);
    })();
  }
  listTopics(account: string, region: string, after: string, limit: number) {
    return this.s.listTopics.all(account, region, after, limit) as TopicRow[];
  }
  subscription(arn: string) {
    return this.s.subscription.get(arn) as SubscriptionRow | undefined;
  }
  subscriptionByToken(topicArn: string, token: string) {
    return this.s.subscriptionByToken.get(topicArn, token) as SubscriptionRow | undefined;
  }
  subscriptionByEndpoint(topicArn: string, protocol: string, endpoint: string) {
    return this.s.subscriptionByEndpoint.get(topicArn, protocol, endpoint) as SubscriptionRow | undefined;
  }
  insertSubscription(row: SubscriptionRow) {
    this.s.insertSubscription.run(row);
  }
  confirm(arn: string) {
    this.s.confirm.run(arn);
  }
  setSubscriptionAttributes(arn: string, attrs: Record<string, string>) {
    this.s.setSubscriptionAttributes.run(JSON.stringify(attrs), arn);
  }
  deleteSubscription(arn: string) {
    this.s.deleteSubscription.run(arn);
  }
  subscriptionsOf(topicArn: string) {
    return this.s.subscriptionsOf.all(topicArn) as SubscriptionRow[];
  }
  listSubscriptions(account: string, region: string, after: string, limit: number) {
    return this.s.listSubscriptions.all(account, region, after, limit) as SubscriptionRow[];
  }
  listSubscriptionsByTopic(topicArn: string, after: string, limit: number) {
    return this.s.listSubscriptionsByTopic.all(topicArn, after, limit) as SubscriptionRow[];
  }
  dedup(topicArn: string, scope: string, id: string, now: number) {
    return this.s.dedup.get(topicArn, scope, id, now) as { message_id: string; sequence_number: string } | undefined;
  }
  putDedup(topicArn: string, scope: string, id: string, messageId: string, sequenceNumber: string, expiresAt: number, now: number) {
    this.s.expireDedup.run(topicArn, now);
    this.s.putDedup.run(topicArn, scope, id, messageId, sequenceNumber, expiresAt);
  }
  nextSequence(topicArn: string): number {
    return Number((this.s.nextSequence.get(topicArn) as { last: number }).last);
  }
  insertOutbox(row: Omit<OutboxRow, 'id'>) {
    this.s.insertOutbox.run(row);
  }
  outbox() {
    return this.s.outbox.all() as OutboxRow[];
  }
  clearOutbox() {
    this.s.clearOutbox.run();
  }
}

export function store(env: ServiceEnv): SnsStore {
  return env.memory('sns.store', () => new SnsStore(env.db));
}
