import { randomBytes } from 'node:crypto';
import type { RequestContext, ServiceEnv } from '../service.js';
import { tableKey, keyOf, type Table } from './table.js';
import { itemSize, reviveItem, valuesEqual, wireItem, type Item } from './values.js';

/**
 * DynamoDB Streams, the writing side: every change to an item of a table with an enabled
 * stream appends one record, in the same SQLite transaction as the change. Each stream has one
 * shard; disabling the stream closes it. The `dynamodbstreams` service reads these tables, and
 * each record is also published on the bus as `lambda:dynamodb-stream-record` {eventSourceArn, record}.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 */
export const streamMigrations = [{
  id: 'dynamodb/002-streams',
  sql: `
    CREATE TABLE dynamodb_streams (
      arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, table_id TEXT NOT NULL, table_name TEXT NOT NULL,
      label TEXT NOT NULL, view_type TEXT NOT NULL, key_schema TEXT NOT NULL, shard_id TEXT NOT NULL,
      created_at BIGINT NOT NULL, disabled_at BIGINT);
    CREATE INDEX dynamodb_streams_table ON dynamodb_streams (account_id, region, table_name);
    CREATE TABLE dynamodb_stream_records (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, stream_arn TEXT NOT NULL, created_at BIGINT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX dynamodb_stream_records_stream ON dynamodb_stream_records (stream_arn, seq);
  `,
}];

/** Stream labels are the creation time to the millisecond, without a zone: `2026-11-22T04:40:35.123`. */
export function streamLabel(at: Date): string {
  return at.toISOString().slice(0, -1);
}

/** Sequence numbers are decimal strings; padding keeps them comparable as text too. */
export function sequenceNumber(seq: number): string {
  return String(seq).padStart(21, '0');
}

/** Registers the table's current stream (called when a stream is enabled) and closes the previous one. */
export function openStream(ctx: RequestContext, t: Table): void {
  const d = t.description;
  closeStreams(ctx, t);
  if (!d.StreamSpecification?.StreamEnabled) return;
  const created = ctx.clock.now();
  ctx.db.prepare(`INSERT INTO dynamodb_streams (arn, account_id, region, table_id, table_name, label, view_type, key_schema, shard_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(d.LatestStreamArn, ctx.accountId, ctx.region, t.id, t.name, d.LatestStreamLabel,
    d.StreamSpecification.StreamViewType, JSON.stringify(d.KeySchema), `shardId-${String(created).padStart(20, '0')}-${randomBytes(4).toString('hex')}`, created);
}

export function closeStreams(ctx: RequestContext, t: Table): void {
  ctx.db.prepare('UPDATE dynamodb_streams SET disabled_at = ? WHERE table_id = ? AND disabled_at IS NULL').run(ctx.clock.now(), t.id);
}

/** Who made a change: a caller, or DynamoDB itself when TTL expires an item. */
export type ChangeSource = 'user' | 'ttl';

/** Appends the stream record of one item change (no-op when the table has no enabled stream). */
export function recordChange(env: ServiceEnv & { region: string }, t: Table, before: Item | undefined, after: Item | undefined, source: ChangeSource = 'user'): void {
  const spec = t.description.StreamSpecification;
  if (!spec?.StreamEnabled || (!before && !after)) return;
  // A write that leaves the item as it was is no change, and DynamoDB Streams records none.
  if (before && after && valuesEqual({ M: before }, { M: after })) return;
  const view = spec.StreamViewType!;
  const keys = keyOf(tableKey(t), (after ?? before)!);
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: Math.floor(env.clock.now() / 1000),
    Keys: wireItem(keys),
    ...(after && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? { NewImage: wireItem(after) } : {}),
    ...(before && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? { OldImage: wireItem(before) } : {}),
    StreamViewType: view,
  };
  dynamodb['SizeBytes'] = itemSize(keys) + (dynamodb['NewImage'] ? itemSize(after!) : 0) + (dynamodb['OldImage'] ? itemSize(before!) : 0);
  const record = {
    eventID: randomBytes(16).toString('hex'),
    eventName: !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: env.region,
    dynamodb,
    ...(source === 'ttl' ? { userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' } } : {}),
  };
  const text = JSON.stringify(record);
  const { lastInsertRowid } = env.db.prepare('INSERT INTO dynamodb_stream_records (stream_arn, created_at, record) VALUES (?, ?, ?)')
    .run(t.description.LatestStreamArn, env.clock.now(), text);
  // Lambda's event source mappings read the stream from the bus, in Lambda's event format (JSON images, epoch seconds).
  const event = JSON.parse(text) as { dynamodb: Record<string, unknown> };
  event.dynamodb['SequenceNumber'] = sequenceNumber(Number(lastInsertRowid));
  env.bus.publish('lambda:dynamodb-stream-record', { eventSourceArn: t.description.LatestStreamArn, record: { ...event, eventSourceARN: t.description.LatestStreamArn } });
}

/** A stored record as GetRecords returns it, with its sequence number. */
export function decodeRecord(text: string, seq: number): Record<string, unknown> {
  const record = JSON.parse(text) as { dynamodb: Record<string, unknown> };
  const d = record.dynamodb;
  for (const image of ['Keys', 'NewImage', 'OldImage']) if (d[image]) reviveItem(d[image] as Record<string, unknown>);
  d['SequenceNumber'] = sequenceNumber(seq);
  d['ApproximateCreationDateTime'] = new Date((d['ApproximateCreationDateTime'] as number) * 1000);
  return record;
}
