import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBackupCommand, CreateTableCommand, RestoreTableToPointInTimeCommand, ScanCommand, DeleteBackupCommand, DeleteItemCommand, DeleteTableCommand, DescribeBackupCommand, ListBackupsCommand, QueryCommand, RestoreTableFromBackupCommand, DescribeContinuousBackupsCommand, DescribeEndpointsCommand, DescribeLimitsCommand, DescribeTableCommand,
  DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, ListTagsOfResourceCommand, PutItemCommand, TagResourceCommand, UntagResourceCommand,
  UpdateContinuousBackupsCommand, UpdateItemCommand, UpdateTableCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

describe('DynamoDB Streams, TTL and table settings', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    streams = new DynamoDBStreamsClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  async function table(viewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'): Promise<{ name: string; streamArn?: string; arn: string }> {
    const name = unique('tbl');
    const r = await ddb.send(new CreateTableCommand({
      TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
      ...(viewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } } : {}),
    }));
    return { name, streamArn: r.TableDescription?.LatestStreamArn, arn: r.TableDescription!.TableArn! };
  }

  async function readAll(streamArn: string, type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') {
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = d.StreamDescription!.Shards![0]!.ShardId!;
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type }));
    return streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
  }

  async function advance(duration: string): Promise<void> {
    const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: duration }) });
    assert.equal(res.status, 200);
  }

  it('a stream records INSERT, MODIFY and REMOVE with NEW_AND_OLD_IMAGES, and nothing for writes that change nothing', async () => {
    const t = await table('NEW_AND_OLD_IMAGES');
    assert.match(t.streamArn!, new RegExp(`^${t.arn}/stream/\\d{4}-\\d\\d-\\d\\dT`));
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'a' }, v: { N: '1' }, b: { B: Buffer.from('bin') } } }));
    await ddb.send(new UpdateItemCommand({ TableName: t.name, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET v = :two', ExpressionAttributeValues: { ':two': { N: '2' } } }));
    await ddb.send(new UpdateItemCommand({ TableName: t.name, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET v = :two', ExpressionAttributeValues: { ':two': { N: '2.0' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: t.name, Key: { pk: { S: 'a' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: t.name, Key: { pk: { S: 'never-existed' } } }));
    const r = await readAll(t.streamArn!);
    assert.deepEqual(r.Records?.map((x) => x.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    const [ins, mod, rem] = r.Records!;
    assert.equal(ins!.eventSource, 'aws:dynamodb');
    assert.deepEqual(ins!.dynamodb?.Keys, { pk: { S: 'a' } });
    assert.equal(Buffer.from(ins!.dynamodb!.NewImage!.b!.B!).toString(), 'bin');
    assert.equal(ins!.dynamodb?.OldImage, undefined);
    assert.equal(mod!.dynamodb?.OldImage?.v?.N, '1');
    assert.equal(mod!.dynamodb?.NewImage?.v?.N, '2');
    assert.equal(rem!.dynamodb?.NewImage, undefined);
    assert.equal(rem!.dynamodb?.OldImage?.v?.N, '2');
    assert.ok(BigInt(ins!.dynamodb!.SequenceNumber!) < BigInt(mod!.dynamodb!.SequenceNumber!));
    assert.equal(ins!.dynamodb?.StreamViewType, 'NEW_AND_OLD_IMAGES');
    assert.ok(r.NextShardIterator);
  });

  it('KEYS_ONLY records carry only keys; LATEST and AFTER_SEQUENCE_NUMBER iterators start where they say', async () => {
    const t = await table('KEYS_ONLY');
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: '1' }, v: { S: 'x' } } }));
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn! }));
    assert.equal(d.StreamDescription?.StreamStatus, 'ENABLED');
    assert.equal(d.StreamDescription?.TableName, t.name);
    const shardId = d.StreamDescription!.Shards![0]!.ShardId!;
    const latest = await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shardId, ShardIteratorType: 'LATEST' }));
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: '2' }, v: { S: 'y' } } }));
    const fromLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator! }));
    assert.deepEqual(fromLatest.Records?.map((r) => r.dynamodb?.Keys), [{ pk: { S: '2' } }]);
    assert.equal(fromLatest.Records?.[0]?.dynamodb?.NewImage, undefined);
    const first = (await readAll(t.streamArn!)).Records![0]!;
    const after = await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: first.dynamodb!.SequenceNumber! }));
    const rest = await streams.send(new GetRecordsCommand({ ShardIterator: after.ShardIterator! }));
    assert.equal(rest.Records?.length, 1);
    const at = await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: first.dynamodb!.SequenceNumber! }));
    assert.equal((await streams.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator! }))).Records?.length, 2);
  });

  it('ListStreams filters by table; a missing stream is ResourceNotFoundException', async () => {
    const t = await table('NEW_IMAGE');
    const listed = await streams.send(new ListStreamsCommand({ TableName: t.name }));
    assert.deepEqual(listed.Streams?.map((s) => s.StreamArn), [t.streamArn]);
    const err = await rejects(streams.send(new DescribeStreamCommand({ StreamArn: `${t.arn}/stream/2000-01-01T00:00:00.000` })));
    assert.equal(err.name, 'ResourceNotFoundException');
    const cli = await aws(nimbus, ['dynamodbstreams', 'list-streams', '--table-name', t.name]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.json.Streams[0].StreamArn, t.streamArn);
    const described = await aws(nimbus, ['dynamodbstreams', 'describe-stream', '--stream-arn', t.streamArn!]);
    assert.equal(described.json.StreamDescription.StreamViewType, 'NEW_IMAGE');
  });

  it('a StreamArn that is not a stream ARN is a ValidationException (Invalid StreamArn) in every operation', async () => {
    const t = await table('KEYS_ONLY');
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn! }));
    const shardId = d.StreamDescription!.Shards![0]!.ShardId!;
    const bad = 'sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf';
    // One call at a time: a rejection not yet awaited would count as unhandled.
    for (const call of [
      () => streams.send(new DescribeStreamCommand({ StreamArn: bad })),
      () => streams.send(new GetShardIteratorCommand({ StreamArn: bad, ShardId: shardId, ShardIteratorType: 'LATEST' })),
      () => streams.send(new ListStreamsCommand({ TableName: t.name, ExclusiveStartStreamArn: bad })),
    ]) {
      const err = await rejects(call());
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, 'Invalid StreamArn');
    }
  });

  it('DescribeStream lists no shard after ExclusiveStartShardId equal to or past the last one', async () => {
    const t = await table('KEYS_ONLY');
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn! }));
    const shardId = d.StreamDescription!.Shards![0]!.ShardId!;
    const after = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn!, ExclusiveStartShardId: shardId }));
    assert.deepEqual(after.StreamDescription?.Shards, []);
    const past = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn!, ExclusiveStartShardId: 'zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks' }));
    assert.deepEqual(past.StreamDescription?.Shards, []);
    const before = await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn!, ExclusiveStartShardId: `shardId-${'-'.repeat(20)}` }));
    assert.deepEqual(before.StreamDescription?.Shards?.map((s) => s.ShardId), [shardId]);
  });

  it('a new shard\'s StartingSequenceNumber gives AT_ and AFTER_SEQUENCE_NUMBER iterators; TRIM_HORIZON and LATEST refuse a SequenceNumber', async () => {
    const t = await table('KEYS_ONLY');
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn! }))).StreamDescription!.Shards![0]!;
    const start = shard.SequenceNumberRange!.StartingSequenceNumber!;
    const at = await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: start }));
    await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: start }));
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'k' } } }));
    assert.deepEqual((await streams.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator! }))).Records?.map((r) => r.dynamodb?.Keys), [{ pk: { S: 'k' } }]);
    for (const type of ['TRIM_HORIZON', 'LATEST'] as const) {
      const err = await rejects(streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shard.ShardId!, ShardIteratorType: type, SequenceNumber: start })));
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, `Sequence number must not be specified for ShardIteratorType ${type}`);
    }
  });

  it('GetRecords accepts a Limit of 1000 and refuses 1001', async () => {
    const t = await table('KEYS_ONLY');
    const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn! }))).StreamDescription!.Shards![0]!.ShardId!;
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn!, ShardId: shardId, ShardIteratorType: 'LATEST' }));
    assert.deepEqual((await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1000 }))).Records, []);
    const err = await rejects(streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1001 })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
  });

  it('UpdateTable enables and disables a stream; enabling twice is a ValidationException', async () => {
    const t = await table();
    const on = await ddb.send(new UpdateTableCommand({ TableName: t.name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    const arn = on.TableDescription!.LatestStreamArn!;
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'x' } } }));
    const err = await rejects(ddb.send(new UpdateTableCommand({ TableName: t.name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } })));
    assert.equal(err.name, 'ValidationException');
    await ddb.send(new UpdateTableCommand({ TableName: t.name, StreamSpecification: { StreamEnabled: false } }));
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    assert.equal(d.StreamDescription?.StreamStatus, 'DISABLED');
    assert.ok(d.StreamDescription?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber);
    assert.equal((await readAll(arn)).Records?.length, 1);
  });

  it('shard iterators expire after 15 minutes of Nimbus clock time', async () => {
    const local = await start();
    try {
      const c = new DynamoDBClient(clientConfig(local));
      const s = new DynamoDBStreamsClient(clientConfig(local));
      const r = await c.send(new CreateTableCommand({ TableName: 'expiring', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
      const arn = r.TableDescription!.LatestStreamArn!;
      const d = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
      const it = await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: d.StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '16m' }) });
      const err = await rejects(s.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! })));
      assert.equal(err.name, 'ExpiredIteratorException');
    } finally {
      await local.stop();
    }
  });

  it('stream records older than 24 hours are trimmed', async () => {
    const local = await start();
    try {
      const c = new DynamoDBClient(clientConfig(local));
      const s = new DynamoDBStreamsClient(clientConfig(local));
      const r = await c.send(new CreateTableCommand({ TableName: 'trimmed', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
      await c.send(new PutItemCommand({ TableName: 'trimmed', Item: { pk: { S: 'old' } } }));
      await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '25h' }) });
      await c.send(new PutItemCommand({ TableName: 'trimmed', Item: { pk: { S: 'new' } } }));
      await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1m' }) });
      const arn = r.TableDescription!.LatestStreamArn!;
      const d = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
      const it = await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: d.StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const records = await s.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
      assert.deepEqual(records.Records?.map((x) => x.dynamodb?.Keys?.pk?.S), ['new']);
      const trimmed = await rejects(s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: d.StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '1'.padStart(21, '0') })));
      assert.equal(trimmed.name, 'TrimmedDataAccessException');
    } finally {
      await local.stop();
    }
  });

  it('TTL deletes expired items when the clock passes them, as service deletions in the stream', async () => {
    const t = await table('OLD_IMAGE');
    const missing = await rejects(ddb.send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Requested resource not found: Table: no-such-table not found');
    let err = await rejects(ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: false, AttributeName: 'expires' } })));
    assert.equal(err.message, 'TimeToLive is already disabled');
    const r = await ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    assert.deepEqual(r.TimeToLiveSpecification, { Enabled: true, AttributeName: 'expires' });
    const d = await ddb.send(new DescribeTimeToLiveCommand({ TableName: t.name }));
    assert.deepEqual(d.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    err = await rejects(ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } })));
    assert.equal(err.message, 'TimeToLive is already enabled');
    // Another attribute, to enable or to disable, names the current one (ScyllaDB's Alternator test_ttl.py, run against AWS).
    for (const Enabled of [true, false]) {
      err = await rejects(ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled, AttributeName: 'other' } })));
      assert.equal(err.message, 'TimeToLive is active on a different AttributeName: current AttributeName is expires');
    }
    const now = Math.floor(Date.now() / 1000);
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'soon' }, expires: { N: String(now + 3600) } } }));
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'later' }, expires: { N: String(now + 30 * 86400) } } }));
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'never' }, expires: { S: 'not a number' } } }));
    await advance('2h');
    assert.equal((await ddb.send(new GetItemCommand({ TableName: t.name, Key: { pk: { S: 'soon' } } }))).Item, undefined);
    assert.ok((await ddb.send(new GetItemCommand({ TableName: t.name, Key: { pk: { S: 'later' } } }))).Item);
    assert.ok((await ddb.send(new GetItemCommand({ TableName: t.name, Key: { pk: { S: 'never' } } }))).Item);
    const records = (await readAll(t.streamArn!)).Records!;
    const removal = records.find((x) => x.eventName === 'REMOVE')!;
    assert.deepEqual(removal.userIdentity, { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' });
    assert.equal(removal.dynamodb?.OldImage?.pk?.S, 'soon');
  });

  it('tags on a table: add, list, remove; an unknown ARN is ResourceNotFoundException', async () => {
    const t = await table();
    await ddb.send(new TagResourceCommand({ ResourceArn: t.arn, Tags: [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'a' }] }));
    await ddb.send(new UntagResourceCommand({ ResourceArn: t.arn, TagKeys: ['team'] }));
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.arn }));
    assert.deepEqual(tags.Tags, [{ Key: 'env', Value: 'test' }]);
    const err = await rejects(ddb.send(new ListTagsOfResourceCommand({ ResourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/none' })));
    assert.equal(err.name, 'ResourceNotFoundException');
    const cli = await aws(nimbus, ['dynamodb', 'list-tags-of-resource', '--resource-arn', t.arn]);
    assert.deepEqual(cli.json.Tags, [{ Key: 'env', Value: 'test' }]);
  });

  it('continuous backups, limits and endpoints', async () => {
    const t = await table();
    const before = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: t.name }));
    assert.equal(before.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, 'DISABLED');
    const on = await ddb.send(new UpdateContinuousBackupsCommand({ TableName: t.name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    assert.equal(on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, 'ENABLED');
    assert.equal(on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 35);
    const week = await ddb.send(new UpdateContinuousBackupsCommand({ TableName: t.name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 } }));
    assert.equal(week.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 7);
    const described = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: t.name }));
    assert.equal(described.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 7);
    const tooLong = await rejects(ddb.send(new UpdateContinuousBackupsCommand({ TableName: t.name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 36 } })));
    assert.equal(tooLong.name, 'ValidationException');
    const offWithDays = await rejects(ddb.send(new UpdateContinuousBackupsCommand({ TableName: t.name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false, RecoveryPeriodInDays: 7 } })));
    assert.equal(offWithDays.message, 'Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.');
    const err = await rejects(ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'no-such-table' })));
    assert.equal(err.name, 'TableNotFoundException');
    const limits = await ddb.send(new DescribeLimitsCommand({}));
    assert.equal(limits.TableMaxReadCapacityUnits, 40000);
    const endpoints = await ddb.send(new DescribeEndpointsCommand({}));
    assert.equal(endpoints.Endpoints?.[0]?.CachePeriodInMinutes, 1440);
    const active = await ddb.send(new DescribeTableCommand({ TableName: t.name }));
    assert.equal(active.Table?.TableStatus, 'ACTIVE');
  });

  it('deleting a table with point-in-time recovery on leaves a SYSTEM backup that users cannot delete and may restore', async () => {
    const t = await table();
    await ddb.send(new PutItemCommand({ TableName: t.name, Item: { pk: { S: 'kept' } } }));
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: t.name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await ddb.send(new DeleteTableCommand({ TableName: t.name }));
    assert.deepEqual((await ddb.send(new ListBackupsCommand({ TableName: t.name }))).BackupSummaries, []);
    const [system] = (await ddb.send(new ListBackupsCommand({ TableName: t.name, BackupType: 'SYSTEM' }))).BackupSummaries!;
    assert.equal(system?.BackupType, 'SYSTEM');
    assert.equal(system?.BackupName, `${t.name}$DeletedTableBackup`);
    assert.equal(system!.BackupExpiryDateTime!.getTime() - system!.BackupCreationDateTime!.getTime(), 35 * 86_400_000);
    assert.equal((await ddb.send(new ListBackupsCommand({ TableName: t.name, BackupType: 'ALL' }))).BackupSummaries?.length, 1);
    const refused = await rejects(ddb.send(new DeleteBackupCommand({ BackupArn: system!.BackupArn })));
    assert.equal(refused.name, 'ValidationException');
    assert.match(refused.message, /^Invalid Request: User is not allowed to delete the system backup with arn .* It will automatically expire on /);
    const target = unique('undeleted');
    await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: system!.BackupArn }));
    assert.deepEqual((await ddb.send(new ScanCommand({ TableName: target }))).Items, [{ pk: { S: 'kept' } }]);
    // A table without point-in-time recovery leaves nothing behind.
    const plain = await table();
    await ddb.send(new DeleteTableCommand({ TableName: plain.name }));
    assert.deepEqual((await ddb.send(new ListBackupsCommand({ TableName: plain.name, BackupType: 'ALL' }))).BackupSummaries, []);
  });

  it('on-demand backups restore into a new table with items and indexes', async () => {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: '1' }, g: { S: 'G' } } }));
    const b = await ddb.send(new CreateBackupCommand({ TableName: name, BackupName: 'nightly' }));
    assert.equal(b.BackupDetails?.BackupStatus, 'AVAILABLE');
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: '2' }, g: { S: 'G' } } }));
    const described = await ddb.send(new DescribeBackupCommand({ BackupArn: b.BackupDetails!.BackupArn }));
    assert.equal(described.BackupDescription?.SourceTableDetails?.ItemCount, 1);
    const listed = await ddb.send(new ListBackupsCommand({ TableName: name }));
    assert.deepEqual(listed.BackupSummaries?.map((s) => s.BackupName), ['nightly']);
    const target = unique('restored');
    const restored = await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: b.BackupDetails!.BackupArn }));
    assert.equal(restored.TableDescription?.RestoreSummary?.SourceBackupArn, b.BackupDetails!.BackupArn);
    const q = await ddb.send(new QueryCommand({ TableName: target, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } }));
    assert.deepEqual(q.Items, [{ pk: { S: '1' }, g: { S: 'G' } }]);
    const again = await rejects(ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: b.BackupDetails!.BackupArn })));
    assert.equal(again.name, 'TableAlreadyExistsException');
    await ddb.send(new DeleteBackupCommand({ BackupArn: b.BackupDetails!.BackupArn }));
    const gone = await rejects(ddb.send(new DescribeBackupCommand({ BackupArn: b.BackupDetails!.BackupArn })));
    assert.equal(gone.name, 'BackupNotFoundException');
    const noTable = await rejects(ddb.send(new CreateBackupCommand({ TableName: 'no-such-table', BackupName: 'backup-x' })));
    assert.equal(noTable.name, 'TableNotFoundException');
  });

  it('point-in-time recovery restores the table as it was at the requested time', async () => {
    const local = await start();
    try {
      const c = new DynamoDBClient(clientConfig(local));
      await c.send(new CreateTableCommand({ TableName: 'ledger', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      const off = await rejects(c.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledger-copy', UseLatestRestorableTime: true })));
      assert.equal(off.name, 'PointInTimeRecoveryUnavailableException');
      await c.send(new UpdateContinuousBackupsCommand({ TableName: 'ledger', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      await c.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      await c.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'b' }, v: { N: '1' } } }));
      await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1h' }) });
      const d = await c.send(new DescribeContinuousBackupsCommand({ TableName: 'ledger' }));
      const restorePoint = new Date(d.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.LatestRestorableDateTime!.getTime());
      await fetch(`${local.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1h' }) });
      await c.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'a' }, v: { N: '2' } } }));
      await c.send(new DeleteItemCommand({ TableName: 'ledger', Key: { pk: { S: 'b' } } }));
      await c.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'c' }, v: { N: '3' } } }));
      const restored = await c.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledger-then', RestoreDateTime: restorePoint }));
      assert.equal(restored.TableDescription?.RestoreSummary?.RestoreDateTime?.getTime(), restorePoint.getTime());
      const then = await c.send(new ScanCommand({ TableName: 'ledger-then' }));
      assert.deepEqual(then.Items?.map((i) => `${i.pk!.S}=${i.v!.N}`).sort(), ['a=1', 'b=1']);
      await c.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledger-now', UseLatestRestorableTime: true }));
      const now = await c.send(new ScanCommand({ TableName: 'ledger-now' }));
      assert.deepEqual(now.Items?.map((i) => `${i.pk!.S}=${i.v!.N}`).sort(), ['a=2', 'c=3']);
      const tooEarly = await rejects(c.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledger-x', RestoreDateTime: new Date(0) })));
      assert.equal(tooEarly.name, 'InvalidRestoreTimeException');
    } finally {
      await local.stop();
    }
  });
});
