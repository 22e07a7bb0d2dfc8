import type { Operations } from '../../generated/types/dynamodb.js';
import type { ServiceDefinition } from '../service.js';
import { itemHandlers } from './items.js';
import { queryHandlers } from './query.js';
import { streamMigrations } from './streams.js';
import { migrations } from './table.js';
import { tableHandlers } from './tables.js';

/**
 * DynamoDB (endpoint prefix `dynamodb`): tables, the item data plane with DynamoDB's expression
 * semantics, queries and scans over SQLite-ordered keys, batches, transactions and streams.
 */
export const service: ServiceDefinition<Operations> = {
  migrations: [...migrations, ...streamMigrations],
  handlers: { ...tableHandlers, ...itemHandlers, ...queryHandlers },
};
