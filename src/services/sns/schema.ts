import type { Migration } from '../../state/database.js';

/**
 * SNS state: topics, their subscriptions (pending until confirmed, for http/https/email), the
 * FIFO deduplication window, and the outbox where email and SMS deliveries land for inspection.
 */
export const migrations: Migration[] = [{
  id: 'sns/001-topics-subscriptions',
  sql: `
    CREATE TABLE sns_topics (
      arn TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      name TEXT NOT NULL,
      attributes TEXT NOT NULL,
      tags TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX sns_topics_region ON sns_topics (account_id, region, name);
    CREATE TABLE sns_subscriptions (
      arn TEXT PRIMARY KEY,
      topic_arn TEXT NOT NULL,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      protocol TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      owner TEXT NOT NULL,
      attributes TEXT NOT NULL,
      confirmed INTEGER NOT NULL,
      token TEXT,
      token_expires_at BIGINT,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
    CREATE INDEX sns_subscriptions_region ON sns_subscriptions (account_id, region, arn);
    CREATE TABLE sns_dedup (
      topic_arn TEXT NOT NULL,
      scope TEXT NOT NULL,
      dedup_id TEXT NOT NULL,
      message_id TEXT NOT NULL,
      sequence_number TEXT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (topic_arn, scope, dedup_id)
    );
    CREATE TABLE sns_sequence (topic_arn TEXT PRIMARY KEY, last BIGINT NOT NULL);
    CREATE TABLE sns_outbox (
      id INTEGER PRIMARY KEY,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      protocol TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      topic_arn TEXT,
      subscription_arn TEXT,
      message_id TEXT NOT NULL,
      subject TEXT,
      message TEXT NOT NULL,
      sent_at BIGINT NOT NULL
    );`,
}, {
  id: 'sns/002-data-protection',
  sql: 'ALTER TABLE sns_topics ADD COLUMN data_protection_policy TEXT;',
}, {
  id: 'sns/003-sms',
  sql: `
    CREATE TABLE sns_sms_attributes (
      account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (account_id, region, name)
    );
    CREATE TABLE sns_sandbox_numbers (
      account_id TEXT NOT NULL, region TEXT NOT NULL, phone_number TEXT NOT NULL, status TEXT NOT NULL,
      one_time_password TEXT NOT NULL, created_at BIGINT NOT NULL,
      PRIMARY KEY (account_id, region, phone_number)
    );`,
}, {
  id: 'sns/004-mobile-push',
  sql: `
    CREATE TABLE sns_platform_applications (
      arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, attributes TEXT NOT NULL, created_at BIGINT NOT NULL
    );
    CREATE INDEX sns_platform_applications_region ON sns_platform_applications (account_id, region, arn);
    CREATE TABLE sns_platform_endpoints (
      arn TEXT PRIMARY KEY, application_arn TEXT NOT NULL, token TEXT NOT NULL, attributes TEXT NOT NULL, created_at BIGINT NOT NULL
    );
    CREATE INDEX sns_platform_endpoints_application ON sns_platform_endpoints (application_arn, arn);`,
}, {
  id: 'sns/005-sms-opt-out',
  sql: `CREATE TABLE sns_opted_out (
      account_id TEXT NOT NULL, region TEXT NOT NULL, phone_number TEXT NOT NULL, opted_out_at BIGINT NOT NULL,
      PRIMARY KEY (account_id, region, phone_number)
    );`,
}, {
  // The key and self-signed certificate HTTP/S deliveries are signed with (signing.ts).
  id: 'sns/006-signing-key',
  sql: 'CREATE TABLE sns_signing_key (id INTEGER PRIMARY KEY, private_key TEXT NOT NULL, certificate TEXT NOT NULL);',
}];
