import type { Migration } from '../../state/database.js';

/**
 * IAM is global: every table is scoped by account only. Names are unique per account without
 * regard to case, as in IAM, which the handlers check before inserting.
 */
export const migrations: Migration[] = [{
  id: 'iam/001-identities',
  sql: `
    CREATE TABLE iam_users (
      account_id TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, path TEXT NOT NULL,
      create_date BIGINT NOT NULL, boundary_arn TEXT, password_last_used BIGINT,
      PRIMARY KEY (account_id, name));
    CREATE TABLE iam_groups (
      account_id TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, path TEXT NOT NULL,
      create_date BIGINT NOT NULL, PRIMARY KEY (account_id, name));
    CREATE TABLE iam_group_members (
      account_id TEXT NOT NULL, group_name TEXT NOT NULL, user_name TEXT NOT NULL,
      PRIMARY KEY (account_id, group_name, user_name));
    CREATE TABLE iam_roles (
      account_id TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, path TEXT NOT NULL,
      create_date BIGINT NOT NULL, trust_policy TEXT NOT NULL, description TEXT,
      max_session INTEGER NOT NULL, boundary_arn TEXT, last_used_at BIGINT, last_used_region TEXT,
      PRIMARY KEY (account_id, name));
    CREATE TABLE iam_policies (
      account_id TEXT NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,
      path TEXT NOT NULL, description TEXT, default_version TEXT NOT NULL, next_version INTEGER NOT NULL,
      create_date BIGINT NOT NULL, update_date BIGINT NOT NULL, PRIMARY KEY (account_id, arn));
    CREATE TABLE iam_policy_versions (
      account_id TEXT NOT NULL, policy_arn TEXT NOT NULL, version_id TEXT NOT NULL,
      document TEXT NOT NULL, create_date BIGINT NOT NULL,
      PRIMARY KEY (account_id, policy_arn, version_id));
    CREATE TABLE iam_attachments (
      account_id TEXT NOT NULL, entity_type TEXT NOT NULL, entity_name TEXT NOT NULL, policy_arn TEXT NOT NULL,
      PRIMARY KEY (account_id, entity_type, entity_name, policy_arn));
    CREATE TABLE iam_inline_policies (
      account_id TEXT NOT NULL, entity_type TEXT NOT NULL, entity_name TEXT NOT NULL,
      policy_name TEXT NOT NULL, document TEXT NOT NULL,
      PRIMARY KEY (account_id, entity_type, entity_name, policy_name));
    CREATE TABLE iam_tags (
      account_id TEXT NOT NULL, resource_type TEXT NOT NULL, resource_name TEXT NOT NULL,
      tag_key TEXT NOT NULL, tag_value TEXT NOT NULL, position INTEGER NOT NULL,
      PRIMARY KEY (account_id, resource_type, resource_name, tag_key));
    CREATE TABLE iam_access_keys (
      access_key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, user_name TEXT NOT NULL,
      status TEXT NOT NULL, create_date BIGINT NOT NULL);
    CREATE INDEX iam_access_keys_user ON iam_access_keys (account_id, user_name);
    CREATE TABLE iam_instance_profiles (
      account_id TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, path TEXT NOT NULL,
      create_date BIGINT NOT NULL, PRIMARY KEY (account_id, name));
    CREATE TABLE iam_instance_profile_roles (
      account_id TEXT NOT NULL, profile_name TEXT NOT NULL, role_name TEXT NOT NULL,
      PRIMARY KEY (account_id, profile_name, role_name));
    CREATE TABLE iam_login_profiles (
      account_id TEXT NOT NULL, user_name TEXT NOT NULL, password_hash TEXT NOT NULL,
      reset_required INTEGER NOT NULL, create_date BIGINT NOT NULL, PRIMARY KEY (account_id, user_name));
    CREATE TABLE iam_account_settings (
      account_id TEXT PRIMARY KEY, alias TEXT, password_policy TEXT, credential_report_at BIGINT);
    CREATE TABLE iam_oidc_providers (
      account_id TEXT NOT NULL, arn TEXT NOT NULL, url TEXT NOT NULL, client_ids TEXT NOT NULL,
      thumbprints TEXT NOT NULL, create_date BIGINT NOT NULL, PRIMARY KEY (account_id, arn));`,
}, {
  id: 'iam/002-mfa-devices',
  sql: `
    CREATE TABLE iam_mfa_devices (
      account_id TEXT NOT NULL, serial TEXT NOT NULL, seed TEXT NOT NULL, user_name TEXT,
      enable_date BIGINT, last_step BIGINT, create_date BIGINT NOT NULL, PRIMARY KEY (account_id, serial));`,
}, {
  id: 'iam/003-saml-providers',
  sql: `
    CREATE TABLE iam_saml_providers (
      account_id TEXT NOT NULL, arn TEXT NOT NULL, uuid TEXT NOT NULL, metadata TEXT NOT NULL,
      create_date BIGINT NOT NULL, valid_until BIGINT, PRIMARY KEY (account_id, arn));`,
}];
