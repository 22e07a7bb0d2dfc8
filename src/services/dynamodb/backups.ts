import { randomBytes, randomUUID } from 'node:crypto';
import type { BackupDescription, BackupDetails, Operations, ProvisionedThroughput, RestoreSummary, TableDescription } from '../../generated/types/dynamodb.js';
import { formatArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { backfillIndex, findTable, indexes, saveTable, tableStats, type Table } from './table.js';
import { describe } from './tables.js';

/**
 * On-demand backups: a backup is a copy of the table's description and item rows taken at
 * once; restoring creates a new table from it (without streams, TTL or tags, as in AWS).
 * Deleting a table with point-in-time recovery on leaves a SYSTEM backup of it, kept 35 days
 * and not deletable by users.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html
 */
export const backupMigrations = [{
  id: 'dynamodb/003-backups',
  sql: `
    CREATE TABLE dynamodb_backups (
      arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, table_name TEXT NOT NULL,
      description TEXT NOT NULL, created_at BIGINT NOT NULL, size_bytes BIGINT NOT NULL, item_count BIGINT NOT NULL);
    CREATE TABLE dynamodb_backup_items (
      backup_arn TEXT NOT NULL, hash_key BYTEA NOT NULL, range_key BYTEA NOT NULL, scan_order BIGINT NOT NULL,
      item TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (backup_arn, hash_key, range_key));
  `,
}, {
  id: 'dynamodb/010-system-backups',
  sql: `
    ALTER TABLE dynamodb_backups ADD COLUMN backup_type TEXT NOT NULL DEFAULT 'USER';
    ALTER TABLE dynamodb_backups ADD COLUMN expires_at BIGINT;
  `,
}];

interface BackupRow {
  arn: string; name: string; table_name: string; description: string; created_at: number; size_bytes: number; item_count: number;
  backup_type: 'USER' | 'SYSTEM'; expires_at: number | null;
}

/** How long the SYSTEM backup of a deleted table is kept. */
const SYSTEM_BACKUP_MS = 35 * 86_400_000;

function backupNotFound(arn: string): AwsError {
  return new AwsError('BackupNotFoundException', `Backup not found: ${arn}`);
}

function findBackup(ctx: RequestContext, arn: string): BackupRow {
  const row = ctx.db.prepare('SELECT * FROM dynamodb_backups WHERE arn = ? AND account_id = ? AND region = ?').get(arn, ctx.accountId, ctx.region) as BackupRow | undefined;
  if (!row) throw backupNotFound(arn);
  return row;
}

function sourceOf(row: BackupRow): TableDescription {
  const d = JSON.parse(row.description) as TableDescription;
  d.CreationDateTime = new Date(d.CreationDateTime as unknown as string);
  return d;
}

function details(row: BackupRow, status: BackupDetails['BackupStatus'] = 'AVAILABLE'): BackupDetails {
  return {
    BackupArn: row.arn, BackupName: row.name, BackupSizeBytes: row.size_bytes, BackupStatus: status, BackupType: row.backup_type, BackupCreationDateTime: new Date(row.created_at),
    ...(row.expires_at !== null ? { BackupExpiryDateTime: new Date(row.expires_at) } : {}),
  };
}

function description(row: BackupRow, status?: BackupDetails['BackupStatus']): BackupDescription {
  const d = sourceOf(row);
  const billing = d.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  return {
    BackupDetails: details(row, status),
    SourceTableDetails: {
      TableName: d.TableName!, TableId: d.TableId!, TableArn: d.TableArn, TableSizeBytes: row.size_bytes, KeySchema: d.KeySchema!, TableCreationDateTime: d.CreationDateTime!,
      ProvisionedThroughput: { ReadCapacityUnits: d.ProvisionedThroughput?.ReadCapacityUnits ?? 0, WriteCapacityUnits: d.ProvisionedThroughput?.WriteCapacityUnits ?? 0 },
      ItemCount: row.item_count, BillingMode: billing,
    },
    SourceTableFeatureDetails: {
      LocalSecondaryIndexes: d.LocalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection })),
      GlobalSecondaryIndexes: d.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection, ProvisionedThroughput: { ReadCapacityUnits: i.ProvisionedThroughput?.ReadCapacityUnits ?? 0, WriteCapacityUnits: i.ProvisionedThroughput?.WriteCapacityUnits ?? 0 } })),
      StreamDescription: d.StreamSpecification,
      SSEDescription: d.SSEDescription,
    },
  };
}

function tableForBackup(ctx: RequestContext, name: string): Table {
  const t = findTable(ctx, name);
  if (!t) throw new AwsError('TableNotFoundException', `Table not found: ${name}`);
  return t;
}

/** Copies the table's description and items into a new backup; answers its ARN. */
function takeBackup(ctx: RequestContext, t: Table, name: string, type: BackupRow['backup_type']): string {
  const now = ctx.clock.now();
  const arn = `${t.description.TableArn}/backup/${String(now).padStart(17, '0')}-${randomBytes(4).toString('hex')}`;
  const stats = tableStats(ctx, t);
  ctx.db.transaction(() => {
    ctx.db.prepare('INSERT INTO dynamodb_backups (arn, account_id, region, name, table_name, description, created_at, size_bytes, item_count, backup_type, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(arn, ctx.accountId, ctx.region, name, t.name, JSON.stringify(t.description), now, stats.bytes, stats.count, type, type === 'SYSTEM' ? now + SYSTEM_BACKUP_MS : null);
    ctx.db.prepare('INSERT INTO dynamodb_backup_items (backup_arn, hash_key, range_key, scan_order, item, size) SELECT ?, hash_key, range_key, scan_order, item, size FROM dynamodb_items WHERE table_id = ?')
      .run(arn, t.id);
  })();
  return arn;
}

/** DeleteTable's backup of a table with point-in-time recovery on, made before its items go. */
export function backupDeletedTable(ctx: RequestContext, t: Table): void {
  if (t.recoverySince !== undefined) takeBackup(ctx, t, `${t.name}$DeletedTableBackup`, 'SYSTEM');
}

/** Drops SYSTEM backups past their 35 days (the TTL sweeper's turn). */
export function pruneSystemBackups(env: ServiceEnv): void {
  const due = env.db.prepare('SELECT arn FROM dynamodb_backups WHERE expires_at IS NOT NULL AND expires_at <= ?').pluck().all(env.clock.now()) as string[];
  env.db.transaction(() => {
    for (const arn of due) dropBackup(env, arn);
  })();
}

/** Removes a backup and its items; the caller's transaction holds the two together. */
function dropBackup(env: ServiceEnv, arn: string): void {
  env.db.prepare('DELETE FROM dynamodb_backup_items WHERE backup_arn = ?').run(arn);
  env.db.prepare('DELETE FROM dynamodb_backups WHERE arn = ?').run(arn);
}

export const backupHandlers: Handlers<Operations> = {
  CreateBackup(input, ctx) {
    const t = tableForBackup(ctx, input.TableName);
    return { BackupDetails: details(findBackup(ctx, takeBackup(ctx, t, input.BackupName, 'USER'))) };
  },

  DescribeBackup: (input, ctx) => ({ BackupDescription: description(findBackup(ctx, input.BackupArn)) }),

  ListBackups(input, ctx) {
    const rows = (ctx.db.prepare('SELECT * FROM dynamodb_backups WHERE account_id = ? AND region = ? ORDER BY arn').all(ctx.accountId, ctx.region) as BackupRow[])
      .filter((r) => (input.TableName === undefined || r.table_name === input.TableName)
        && (input.ExclusiveStartBackupArn === undefined || r.arn > input.ExclusiveStartBackupArn)
        // USER unless asked otherwise; AWS Backup's are listed by AWS Backup's own API.
        && (input.BackupType === 'ALL' ? true : r.backup_type === (input.BackupType ?? 'USER'))
        && (input.TimeRangeLowerBound === undefined || r.created_at >= input.TimeRangeLowerBound.getTime())
        && (input.TimeRangeUpperBound === undefined || r.created_at < input.TimeRangeUpperBound.getTime()));
    const limit = input.Limit ?? 100;
    const page = rows.slice(0, limit);
    return {
      BackupSummaries: page.map((r) => {
        const d = sourceOf(r);
        return { TableName: r.table_name, TableId: d.TableId, TableArn: d.TableArn, ...details(r) };
      }),
      ...(rows.length > limit ? { LastEvaluatedBackupArn: page[page.length - 1]!.arn } : {}),
    };
  },

  DeleteBackup(input, ctx) {
    const row = findBackup(ctx, input.BackupArn);
    if (row.backup_type === 'SYSTEM') {
      throw new AwsError('ValidationException', `Invalid Request: User is not allowed to delete the system backup with arn ${row.arn}. It will automatically expire on ${new Date(row.expires_at!).toISOString()}`);
    }
    ctx.db.transaction(() => dropBackup(ctx, row.arn))();
    return { BackupDescription: description(row, 'DELETED') };
  },

  RestoreTableFromBackup(input, ctx) {
    const row = findBackup(ctx, input.BackupArn);
    const source = sourceOf(row);
    const summary = { SourceBackupArn: row.arn, SourceTableArn: source.TableArn, RestoreDateTime: new Date(row.created_at), RestoreInProgress: false };
    const t = createRestoredTable(ctx, source, input, summary, (target) => {
      ctx.db.prepare('INSERT INTO dynamodb_items (table_id, hash_key, range_key, scan_order, item, size) SELECT ?, hash_key, range_key, scan_order, item, size FROM dynamodb_backup_items WHERE backup_arn = ?')
        .run(target.id, row.arn);
    });
    return { TableDescription: describe(ctx, t, 'CREATING') };
  },
};

export interface RestoreOverrides {
  TargetTableName: string;
  BillingModeOverride?: 'PROVISIONED' | 'PAY_PER_REQUEST';
  ProvisionedThroughputOverride?: ProvisionedThroughput;
}

/**
 * A new table with a source's schema (without streams, TTL or tags, as AWS restores), filled by
 * `copyItems` and with its indexes rebuilt, all in one transaction.
 */
export function createRestoredTable(ctx: RequestContext, source: TableDescription, input: RestoreOverrides, summary: RestoreSummary, copyItems: (t: Table) => void): Table {
  if (findTable(ctx, input.TargetTableName)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${input.TargetTableName}`);
  const now = ctx.clock.date();
  const arn = formatArn({ service: 'dynamodb', region: ctx.region, account: ctx.accountId, resource: `table/${input.TargetTableName}` });
  const billing = input.BillingModeOverride ?? source.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  const d: TableDescription = {
    AttributeDefinitions: source.AttributeDefinitions, TableName: input.TargetTableName, KeySchema: source.KeySchema, CreationDateTime: now,
    ProvisionedThroughput: billing === 'PAY_PER_REQUEST'
      ? { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 }
      : { NumberOfDecreasesToday: 0, ...(input.ProvisionedThroughputOverride ?? { ReadCapacityUnits: source.ProvisionedThroughput?.ReadCapacityUnits, WriteCapacityUnits: source.ProvisionedThroughput?.WriteCapacityUnits }) },
    TableArn: arn, TableId: randomUUID(),
    ...(billing === 'PAY_PER_REQUEST' ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: now } } : {}),
    LocalSecondaryIndexes: source.LocalSecondaryIndexes?.map((i) => ({ ...i, IndexArn: `${arn}/index/${i.IndexName}` })),
    GlobalSecondaryIndexes: source.GlobalSecondaryIndexes?.map((i) => ({ ...i, IndexStatus: 'ACTIVE', IndexArn: `${arn}/index/${i.IndexName}` })),
    DeletionProtectionEnabled: false,
    RestoreSummary: summary,
    ...(source.SSEDescription ? { SSEDescription: source.SSEDescription } : {}),
  };
  const t: Table = { id: d.TableId!, name: input.TargetTableName, accountId: ctx.accountId, region: ctx.region, description: d, tags: {}, ttlAttribute: undefined, recoverySince: undefined };
  ctx.db.transaction(() => {
    saveTable(ctx, t);
    copyItems(t);
    for (const ix of indexes(t)) backfillIndex(ctx, t, ix);
  })();
  return t;
}
