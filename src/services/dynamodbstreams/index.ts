import type { Operations } from '../../generated/types/dynamodbstreams.js';
import type { ServiceDefinition } from '../service.js';
import { migrations } from '../dynamodb/table.js';
import { streamMigrations } from '../dynamodb/streams.js';
import { backupMigrations } from '../dynamodb/backups.js';
import { recoveryMigrations } from '../dynamodb/recovery.js';
import { streamHandlers } from './streams.js';

/**
 * DynamoDB Streams (endpoint prefix `streams.dynamodb`, model id `dynamodbstreams`): the read side
 * of the change records that DynamoDB writes. The schema is DynamoDB's own, so either service
 * may be loaded first.
 */
export const service: ServiceDefinition<Operations> = {
  migrations: [...migrations, ...streamMigrations, ...backupMigrations, ...recoveryMigrations],
  handlers: streamHandlers,
};
