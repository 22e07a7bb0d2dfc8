import type { Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { createRestoredTable } from './backups.js';
import { findTable, saveTable, scanOrder, storageKey, tableKey, type Table } from './table.js';
import { describe } from './tables.js';
import { decodeItem, encodeItem, itemSize, type Item } from './values.js';

/**
 * Point-in-time recovery: while enabled, every item change logs the item as it was before, so a
 * restore copies the table as it is now and undoes, newest first, the changes made after the
 * requested time. A table's recovery period is 1-35 days (35 unless set); the log keeps the
 * longest, 35.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
 */
const MAX_RECOVERY_DAYS = 35;
const DAY_MS = 86_400_000;

export const recoveryMigrations = [{
  id: 'dynamodb/004-point-in-time-recovery',
  sql: `
    ALTER TABLE dynamodb_tables ADD COLUMN recovery_since BIGINT;
    ALTER TABLE dynamodb_tables DROP COLUMN point_in_time_recovery;
    CREATE TABLE dynamodb_recovery_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, table_id TEXT NOT NULL, at BIGINT NOT NULL,
      hash_key BYTEA NOT NULL, range_key BYTEA NOT NULL, item TEXT);
    CREATE INDEX dynamodb_recovery_log_table ON dynamodb_recovery_log (table_id, at);
  `,
}, {
  id: 'dynamodb/009-recovery-period',
  sql: 'ALTER TABLE dynamodb_tables ADD COLUMN recovery_days INTEGER;',
}];

/** Records the item as it was before a change, when the table has point-in-time recovery on. */
export function logChange(env: ServiceEnv, t: Table, key: Item, before: Item | undefined): void {
  if (t.recoverySince === undefined) return;
  const [h, r] = storageKey(tableKey(t), key);
  env.db.prepare('INSERT INTO dynamodb_recovery_log (table_id, at, hash_key, range_key, item) VALUES (?, ?, ?, ?, ?)')
    .run(t.id, env.clock.now(), h, r, before ? encodeItem(before) : null);
}

export function pruneRecoveryLog(env: ServiceEnv): void {
  env.db.prepare('DELETE FROM dynamodb_recovery_log WHERE at < ?').run(env.clock.now() - MAX_RECOVERY_DAYS * DAY_MS);
}

function tableNotFound(name: string): AwsError {
  return new AwsError('TableNotFoundException', `Table not found: ${name}`);
}

/** The times a restore or an export of a table with point-in-time recovery on may name. */
export function restorableRange(env: ServiceEnv, t: Table): { earliest: number; latest: number } {
  const now = env.clock.now();
  return { earliest: Math.max(t.recoverySince!, now - (t.recoveryDays ?? MAX_RECOVERY_DAYS) * DAY_MS), latest: now };
}

function continuousBackups(ctx: RequestContext, t: Table) {
  if (t.recoverySince === undefined) return { ContinuousBackupsStatus: 'ENABLED' as const, PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' as const } };
  const { earliest, latest } = restorableRange(ctx, t);
  return {
    ContinuousBackupsStatus: 'ENABLED' as const,
    PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' as const, RecoveryPeriodInDays: t.recoveryDays ?? MAX_RECOVERY_DAYS, EarliestRestorableDateTime: new Date(earliest), LatestRestorableDateTime: new Date(latest) },
  };
}

export const recoveryHandlers: Handlers<Operations> = {
  DescribeContinuousBackups(input, ctx) {
    const t = findTable(ctx, input.TableName);
    if (!t) throw tableNotFound(input.TableName);
    return { ContinuousBackupsDescription: continuousBackups(ctx, t) };
  },

  UpdateContinuousBackups(input, ctx) {
    const t = findTable(ctx, input.TableName);
    if (!t) throw tableNotFound(input.TableName);
    const enable = input.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled;
    if (!enable && input.PointInTimeRecoverySpecification.RecoveryPeriodInDays !== undefined) {
      throw new AwsError('ValidationException', 'Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.');
    }
    if (enable && t.recoverySince === undefined) t.recoverySince = ctx.clock.now();
    if (enable) t.recoveryDays = input.PointInTimeRecoverySpecification.RecoveryPeriodInDays ?? MAX_RECOVERY_DAYS;
    if (!enable) {
      t.recoverySince = undefined;
      delete t.recoveryDays;
    }
    ctx.db.transaction(() => {
      saveTable(ctx, t);
      if (!enable) ctx.db.prepare('DELETE FROM dynamodb_recovery_log WHERE table_id = ?').run(t.id);
    })();
    return { ContinuousBackupsDescription: continuousBackups(ctx, t) };
  },

  RestoreTableToPointInTime(input, ctx) {
    const name = input.SourceTableName ?? input.SourceTableArn;
    if (!name) throw new AwsError('ValidationException', 'Either SourceTableName or SourceTableArn must be specified');
    const source = findTable(ctx, name);
    if (!source) throw new AwsError('SourceTableNotFoundException', `Source table not found: ${name}`);
    if (source.recoverySince === undefined) throw new AwsError('PointInTimeRecoveryUnavailableException', `Point in time recovery is not enabled for table '${source.name}'`);
    const { earliest, latest } = restorableRange(ctx, source);
    const at = input.UseLatestRestorableTime ? latest : input.RestoreDateTime?.getTime();
    if (at === undefined || at < earliest || at > latest) {
      throw new AwsError('InvalidRestoreTimeException', 'RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime');
    }
    const summary = { SourceTableArn: source.description.TableArn, RestoreDateTime: new Date(at), RestoreInProgress: false };
    const t = createRestoredTable(ctx, source.description, input, summary, (target) => {
      ctx.db.prepare('INSERT INTO dynamodb_items (table_id, hash_key, range_key, scan_order, item, size) SELECT ?, hash_key, range_key, scan_order, item, size FROM dynamodb_items WHERE table_id = ?')
        .run(target.id, source.id);
      const undo = ctx.db.prepare('SELECT hash_key, range_key, item FROM dynamodb_recovery_log WHERE table_id = ? AND at > ? ORDER BY seq DESC').all(source.id, at) as { hash_key: Buffer; range_key: Buffer; item: string | null }[];
      const del = ctx.db.prepare('DELETE FROM dynamodb_items WHERE table_id = ? AND hash_key = ? AND range_key = ?');
      const put = ctx.db.prepare(`INSERT INTO dynamodb_items (table_id, hash_key, range_key, scan_order, item, size) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (table_id, hash_key, range_key) DO UPDATE SET item = excluded.item, size = excluded.size`);
      for (const u of undo) {
        if (u.item === null) del.run(target.id, u.hash_key, u.range_key);
        else put.run(target.id, u.hash_key, u.range_key, scanOrder(u.hash_key), u.item, itemSize(decodeItem(u.item)));
      }
    });
    return { TableDescription: describe(ctx, t, 'CREATING') };
  },
};
