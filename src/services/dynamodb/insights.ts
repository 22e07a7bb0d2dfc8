import type { ContributorInsightsSummary, DescribeContributorInsightsOutput, Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { checkTableName, findTable, keyDef, listTableRows, tableNameOf, type Table } from './table.js';

/**
 * CloudWatch Contributor Insights for tables and their global secondary indexes: each has its own
 * setting, whose rules DynamoDB names `DynamoDBContributorInsights-<rule>-<table>[-<index>]-<epoch ms>`.
 * Enabling answers ENABLING and disabling DISABLING; the next read shows the settled state (DESIGN.md §3).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/contributorinsights_HowItWorks.html
 */
export const insightsMigrations = [{
  id: 'dynamodb/006-contributor-insights',
  sql: `
    CREATE TABLE dynamodb_contributor_insights (
      table_id TEXT NOT NULL, index_name TEXT NOT NULL, enabled BOOLEAN NOT NULL, mode TEXT NOT NULL,
      rules_created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (table_id, index_name));
  `,
}];

type Mode = 'ACCESSED_AND_THROTTLED_KEYS' | 'THROTTLED_KEYS';

interface Setting { table_id: string; index_name: string; enabled: number; mode: Mode; rules_created_at: number; updated_at: number }

function tableOf(ctx: RequestContext, nameOrArn: string): Table {
  const t = findTable(ctx, nameOrArn);
  if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${tableNameOf(nameOrArn)} not found`);
  return t;
}

/** Only global secondary indexes have insights of their own; any other name is not found. */
function checkIndex(t: Table, index: string | undefined): void {
  if (index !== undefined && !t.description.GlobalSecondaryIndexes?.some((g) => g.IndexName === index)) {
    throw new AwsError('ResourceNotFoundException', `Requested resource not found: Index: ${index} not found for table: ${t.name}`);
  }
}

function setting(ctx: RequestContext, t: Table, index: string | undefined): Setting | undefined {
  return ctx.db.prepare('SELECT * FROM dynamodb_contributor_insights WHERE table_id = ? AND index_name = ?').get(t.id, index ?? '') as Setting | undefined;
}

/**
 * The rules of an enabled setting: most accessed (C) and most throttled (T) partition keys (PK), and
 * key pairs (SK) when the table or index has a sort key; THROTTLED_KEYS mode keeps only the throttled ones.
 */
function rules(t: Table, s: Setting): string[] {
  const schema = s.index_name ? t.description.GlobalSecondaryIndexes!.find((g) => g.IndexName === s.index_name)!.KeySchema : t.description.KeySchema;
  const kinds = keyDef(schema).range ? ['PKC', 'SKC', 'PKT', 'SKT'] : ['PKC', 'PKT'];
  const resource = s.index_name ? `${t.name}-${s.index_name}` : t.name;
  return kinds.filter((k) => s.mode === 'ACCESSED_AND_THROTTLED_KEYS' || k.endsWith('T')).map((k) => `DynamoDBContributorInsights-${k}-${resource}-${s.rules_created_at}`);
}

function summary(t: Table, s: Setting): ContributorInsightsSummary {
  return { TableName: t.name, ...(s.index_name ? { IndexName: s.index_name } : {}), ContributorInsightsStatus: s.enabled ? 'ENABLED' : 'DISABLED', ContributorInsightsMode: s.mode };
}

/** A continuation token: where the next page starts in the listing's order. */
function pageStart(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(n) || n < 0) throw new AwsError('ValidationException', 'Invalid NextToken');
  return n;
}

export const insightsHandlers: Handlers<Operations> = {
  UpdateContributorInsights(input, ctx) {
    checkTableName(input.TableName);
    const t = tableOf(ctx, input.TableName);
    checkIndex(t, input.IndexName);
    const current = setting(ctx, t, input.IndexName);
    const now = ctx.clock.now();
    const out = { TableName: t.name, ...(input.IndexName ? { IndexName: input.IndexName } : {}) };
    if (input.ContributorInsightsAction === 'DISABLE') {
      if (!current?.enabled) return { ...out, ContributorInsightsStatus: 'DISABLED', ...(current ? { ContributorInsightsMode: current.mode } : {}) };
      ctx.db.prepare('UPDATE dynamodb_contributor_insights SET enabled = FALSE, updated_at = ? WHERE table_id = ? AND index_name = ?').run(now, t.id, current.index_name);
      // The answer echoes the mode in effect, whatever mode the request named.
      return { ...out, ContributorInsightsStatus: 'DISABLING', ContributorInsightsMode: current.mode };
    }
    // Enabling without a mode asks for the default, not for the current one.
    const mode: Mode = input.ContributorInsightsMode ?? 'ACCESSED_AND_THROTTLED_KEYS';
    if (current?.enabled && current.mode === mode) return { ...out, ContributorInsightsStatus: 'ENABLED', ContributorInsightsMode: mode };
    // A mode change keeps the rules' creation time; enabling anew creates new rules.
    const created = current?.enabled ? current.rules_created_at : now;
    ctx.db.prepare(`INSERT INTO dynamodb_contributor_insights (table_id, index_name, enabled, mode, rules_created_at, updated_at) VALUES (?, ?, TRUE, ?, ?, ?)
      ON CONFLICT (table_id, index_name) DO UPDATE SET enabled = TRUE, mode = excluded.mode, rules_created_at = excluded.rules_created_at, updated_at = excluded.updated_at`)
      .run(t.id, input.IndexName ?? '', mode, created, now);
    return { ...out, ContributorInsightsStatus: 'ENABLING', ContributorInsightsMode: mode };
  },

  // A table or index never configured shows only DISABLED; the time and mode appear after a change.
  DescribeContributorInsights(input, ctx) {
    checkTableName(input.TableName);
    const t = tableOf(ctx, input.TableName);
    checkIndex(t, input.IndexName);
    const s = setting(ctx, t, input.IndexName);
    const out: DescribeContributorInsightsOutput = { TableName: t.name, ...(input.IndexName ? { IndexName: input.IndexName } : {}), ContributorInsightsStatus: 'DISABLED' };
    if (!s) return out;
    return { ...out, ...summary(t, s), ...(s.enabled ? { ContributorInsightsRuleList: rules(t, s) } : {}), LastUpdateDateTime: new Date(s.updated_at) };
  },

  // Lists what is enabled, a table before its indexes; disabled settings are left out.
  ListContributorInsights(input, ctx) {
    if (input.TableName !== undefined) checkTableName(input.TableName);
    const tables = input.TableName !== undefined ? [tableOf(ctx, input.TableName)] : listTableRows(ctx);
    const all: ContributorInsightsSummary[] = [];
    const read = ctx.db.prepare('SELECT * FROM dynamodb_contributor_insights WHERE table_id = ? AND enabled ORDER BY index_name');
    for (const t of tables) {
      const gsis = new Set(t.description.GlobalSecondaryIndexes?.map((g) => g.IndexName));
      // A deleted index's setting went with it.
      for (const s of read.all(t.id) as Setting[]) if (!s.index_name || gsis.has(s.index_name)) all.push(summary(t, s));
    }
    const start = pageStart(input.NextToken);
    const limit = Math.max(1, input.MaxResults ?? 100);
    const page = all.slice(start, start + limit);
    return { ContributorInsightsSummaries: page, ...(start + limit < all.length ? { NextToken: Buffer.from(String(start + limit)).toString('base64url') } : {}) };
  },
};

/** DeleteTable removes the table's settings and its indexes'. */
export function dropInsights(ctx: RequestContext, t: Table): void {
  ctx.db.prepare('DELETE FROM dynamodb_contributor_insights WHERE table_id = ?').run(t.id);
}
