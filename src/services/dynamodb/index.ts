import type { Operations } from '../../generated/types/dynamodb.js';
import type { Handler, Handlers, ServiceDefinition } from '../service.js';
import { backupHandlers, backupMigrations } from './backups.js';
import { batchHandlers } from './batch.js';
import { exportHandlers, exportMigrations, exportObjectWritten } from './exports.js';
import { importHandlers, importMigrations, importObjects } from './imports.js';
import { insightsHandlers, insightsMigrations } from './insights.js';
import { itemHandlers } from './items.js';
import { inOwnerAccount, policyHandlers, policyMigrations, resourceFacts } from './policies.js';
import { queryHandlers } from './query.js';
import { recoveryHandlers, recoveryMigrations } from './recovery.js';
import { globalTableHandlers } from './replicas.js';
import { streamMigrations } from './streams.js';
import { settingsHandlers } from './settings.js';
import { statementHandlers } from './statements.js';
import { migrations } from './table.js';
import { tableHandlers } from './tables.js';
import { transactionHandlers } from './transactions.js';
import { startTtlSweeper } from './ttl.js';

/**
 * DynamoDB (endpoint prefix `dynamodb`): tables, the item data plane with DynamoDB's expression
 * semantics, queries and scans over SQLite-ordered keys, batches, transactions and streams.
 */
export const service: ServiceDefinition<Operations> = {
  migrations: [...migrations, ...streamMigrations, ...backupMigrations, ...recoveryMigrations, ...policyMigrations, ...insightsMigrations, ...exportMigrations, ...importMigrations],
  handlers: withTtlSweeper(inOwnerAccount({ ...tableHandlers, ...itemHandlers, ...queryHandlers, ...batchHandlers, ...transactionHandlers, ...settingsHandlers, ...statementHandlers, ...backupHandlers, ...recoveryHandlers, ...policyHandlers, ...insightsHandlers, ...exportHandlers, ...importHandlers, ...globalTableHandlers })),
  // IAM enforcement reads a table's or stream's policy: it can grant other accounts and users access, or deny it.
  resourcePolicy: resourceFacts,
  // S3's report on each object of a table export, and its answer with the objects an import reads.
  events: { 'export-object': exportObjectWritten, 'import-objects': importObjects },
};

/** The TTL sweeper of an instance starts with its first DynamoDB request (loading is lazy, DESIGN.md §1). */
function withTtlSweeper(handlers: Handlers<Operations>): Handlers<Operations> {
  return Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, ((input, ctx) => {
    startTtlSweeper(ctx);
    return (h as Handler)(input, ctx);
  }) as Handler])) as Handlers<Operations>;
}
