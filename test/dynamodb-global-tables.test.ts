import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand, CreateGlobalTableCommand, CreateTableCommand, DeleteItemCommand, DescribeGlobalTableCommand, DescribeGlobalTableSettingsCommand, ListGlobalTablesCommand,
  UpdateGlobalTableCommand, UpdateGlobalTableSettingsCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ExecuteStatementCommand, GetItemCommand,
  DescribeTimeToLiveCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateTimeToLiveCommand, UpdateItemCommand, UpdateTableCommand, type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

describe('DynamoDB global tables (version 2019.11.21)', () => {
  let nimbus: Nimbus;
  let east: DynamoDBClient;
  let west: DynamoDBClient;
  let sydney: DynamoDBClient;
  const streams: Record<string, DynamoDBStreamsClient> = {};
  before(async () => {
    nimbus = await start();
    east = new DynamoDBClient(clientConfig(nimbus));
    west = new DynamoDBClient(clientConfig(nimbus, { region: 'eu-west-1' }));
    sydney = new DynamoDBClient(clientConfig(nimbus, { region: 'ap-southeast-2' }));
    for (const region of ['us-east-1', 'eu-west-1']) streams[region] = new DynamoDBStreamsClient(clientConfig(nimbus, { region }));
  });
  after(() => nimbus.stop());

  async function table(extra: Partial<CreateTableCommandInput> = {}): Promise<string> {
    const name = unique('gt');
    await east.send(new CreateTableCommand({
      TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST', ...extra,
    }));
    return name;
  }

  async function replicated(extra: Partial<CreateTableCommandInput> = {}): Promise<string> {
    const name = await table(extra);
    await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName: 'eu-west-1' } }] }));
    return name;
  }

  const get = (client: DynamoDBClient, name: string, pk: string) => client.send(new GetItemCommand({ TableName: name, Key: { pk: { S: pk } } })).then((r) => r.Item);
  const regions = (d: { Replicas?: { RegionName?: string }[] } | undefined) => (d?.Replicas ?? []).map((r) => r.RegionName).sort();

  async function records(region: string, streamArn: string) {
    const client = streams[region]!;
    const d = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const it = await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: d.StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    return (await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }))).Records ?? [];
  }

  it('adding a replica answers CREATING, creates the table in the other region with the same schema and a copy of the items', async () => {
    const name = await table({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'before' }, g: { S: 'x' }, n: { N: '1' } } }));
    const answer = (await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName: 'eu-west-1' } }] }))).TableDescription!;
    assert.equal(answer.TableStatus, 'UPDATING');
    assert.deepEqual(answer.Replicas, [{ RegionName: 'eu-west-1', ReplicaStatus: 'CREATING' }]);
    assert.equal(answer.GlobalTableVersion, '2019.11.21');
    // DynamoDB enables a NEW_AND_OLD_IMAGES stream on a table that had none.
    assert.deepEqual(answer.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });

    const home = (await east.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.deepEqual(home.Replicas, [{ RegionName: 'eu-west-1', ReplicaStatus: 'ACTIVE' }]);
    const away = (await west.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(away.TableStatus, 'ACTIVE');
    assert.equal(away.TableArn, `arn:aws:dynamodb:eu-west-1:000000000000:table/${name}`);
    assert.notEqual(away.TableId, home.TableId);
    assert.deepEqual(away.Replicas, [{ RegionName: 'us-east-1', ReplicaStatus: 'ACTIVE' }]);
    assert.equal(away.GlobalTableVersion, '2019.11.21');
    assert.equal(away.GlobalTableSettingsReplicationMode, 'ENABLED_WITH_OVERRIDES');
    assert.deepEqual(away.KeySchema, home.KeySchema);
    assert.equal(away.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(away.GlobalSecondaryIndexes?.[0]?.IndexArn, `arn:aws:dynamodb:eu-west-1:000000000000:table/${name}/index/byG`);
    assert.match(away.LatestStreamArn!, new RegExp(`^arn:aws:dynamodb:eu-west-1:000000000000:table/${name}/stream/`));
    assert.equal(away.ItemCount, 1);
    assert.deepEqual(await get(west, name, 'before'), { pk: { S: 'before' }, g: { S: 'x' }, n: { N: '1' } });
    const byIndex = await west.send(new QueryCommand({ TableName: name, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'x' } } }));
    assert.equal(byIndex.Count, 1);
  });

  it('writes in either region are applied in the other: puts, updates, deletes, batches, transactions and PartiQL', async () => {
    const name = await replicated();
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    assert.deepEqual(await get(west, name, 'a'), { pk: { S: 'a' }, v: { N: '1' } });
    await west.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET v = v + :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    assert.deepEqual(await get(east, name, 'a'), { pk: { S: 'a' }, v: { N: '2' } });
    await east.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }));
    assert.equal(await get(west, name, 'a'), undefined);

    await west.send(new BatchWriteItemCommand({ RequestItems: { [name]: [{ PutRequest: { Item: { pk: { S: 'b1' } } } }, { PutRequest: { Item: { pk: { S: 'b2' } } } }] } }));
    assert.ok(await get(east, name, 'b1'));
    assert.ok(await get(east, name, 'b2'));
    await east.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: { S: 't1' } } } },
      { Delete: { TableName: name, Key: { pk: { S: 'b1' } } } },
    ] }));
    assert.ok(await get(west, name, 't1'));
    assert.equal(await get(west, name, 'b1'), undefined);
    await west.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'p1', 'w': 'x'}` }));
    assert.deepEqual(await get(east, name, 'p1'), { pk: { S: 'p1' }, w: { S: 'x' } });
    // A condition is checked where the write is made; the replica takes the result.
    const failed = await rejects(west.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p1' } }, ConditionExpression: 'attribute_not_exists(pk)' })));
    assert.equal(failed.name, 'ConditionalCheckFailedException');
    assert.deepEqual(await get(east, name, 'p1'), { pk: { S: 'p1' }, w: { S: 'x' } });
  });

  it('each region streams the changes its table sees, the replicated ones included', async () => {
    const name = await replicated();
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, v: { N: '1' } } }));
    await west.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, v: { N: '2' } } }));
    await east.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }));
    for (const [region, client] of [['us-east-1', east], ['eu-west-1', west]] as const) {
      const arn = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!.LatestStreamArn!;
      const rs = await records(region, arn);
      assert.deepEqual(rs.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE'], region);
      assert.ok(rs.every((r) => r.awsRegion === region), region);
      assert.deepEqual(rs[1]!.dynamodb!.OldImage, { pk: { S: 'k' }, v: { N: '1' } });
      assert.deepEqual(rs[1]!.dynamodb!.NewImage, { pk: { S: 'k' }, v: { N: '2' } });
    }
  });

  it('removing a replica deletes its table; the other becomes a regional table again and keeps its stream', async () => {
    const name = await replicated();
    const answer = (await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Delete: { RegionName: 'eu-west-1' } }] }))).TableDescription!;
    assert.deepEqual(answer.Replicas, [{ RegionName: 'eu-west-1', ReplicaStatus: 'DELETING' }]);
    const gone = await rejects(west.send(new DescribeTableCommand({ TableName: name })));
    assert.equal(gone.name, 'ResourceNotFoundException');
    const home = (await east.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(home.Replicas, undefined);
    assert.equal(home.GlobalTableVersion, undefined);
    assert.equal(home.GlobalTableSettingsReplicationMode, undefined);
    assert.deepEqual(home.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'after' } } }));
    // The region is free again: a table of the same name there is independent.
    await west.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    assert.equal(await get(west, name, 'after'), undefined);
    // And the stream, no longer a global table's, may be disabled.
    await east.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
  });

  it('a replica can add a third region; DeleteTable of one replica leaves the others replicating', async () => {
    const name = await replicated();
    await west.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName: 'ap-southeast-2' } }] }));
    assert.deepEqual(regions((await east.send(new DescribeTableCommand({ TableName: name }))).Table), ['ap-southeast-2', 'eu-west-1']);
    assert.deepEqual(regions((await west.send(new DescribeTableCommand({ TableName: name }))).Table), ['ap-southeast-2', 'us-east-1']);
    assert.deepEqual(regions((await sydney.send(new DescribeTableCommand({ TableName: name }))).Table), ['eu-west-1', 'us-east-1']);
    await sydney.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'from-sydney' } } }));
    assert.ok(await get(east, name, 'from-sydney'));
    assert.ok(await get(west, name, 'from-sydney'));

    const deleted = (await west.send(new DeleteTableCommand({ TableName: name }))).TableDescription!;
    assert.equal(deleted.TableStatus, 'DELETING');
    assert.deepEqual(regions((await east.send(new DescribeTableCommand({ TableName: name }))).Table), ['ap-southeast-2']);
    assert.deepEqual(regions((await sydney.send(new DescribeTableCommand({ TableName: name }))).Table), ['us-east-1']);
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'later' } } }));
    assert.ok(await get(sydney, name, 'later'));
  });

  it('a replica takes its source\'s TTL setting, a change of it reaches every replica, and expired items leave both regions as service deletions', async () => {
    const name = await table();
    await east.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName: 'eu-west-1' } }] }));
    assert.deepEqual((await west.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    // Once global, the setting changes for every replica at once, from any region.
    await west.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: false, AttributeName: 'expires' } }));
    assert.deepEqual((await east.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' });
    await east.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    assert.deepEqual((await west.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    const now = Math.floor(Date.now() / 1000);
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'soon' }, expires: { N: String(now + 3600) } } }));
    await west.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'later' }, expires: { N: String(now + 30 * 86400) } } }));
    const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2h' }) });
    assert.equal(res.status, 200);
    for (const [region, client] of [['us-east-1', east], ['eu-west-1', west]] as const) {
      assert.equal(await get(client, name, 'soon'), undefined, region);
      assert.ok(await get(client, name, 'later'), region);
      const arn = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!.LatestStreamArn!;
      const removal = (await records(region, arn)).find((r) => r.eventName === 'REMOVE');
      assert.deepEqual(removal?.userIdentity, { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' }, region);
    }
  });

  it('a table with a KEYS_ONLY stream keeps it, and so does its replica', async () => {
    const name = await replicated({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } });
    for (const client of [east, west]) {
      const d = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
      assert.deepEqual(d.StreamSpecification, { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    }
  });

  it('a replica update sets that replica\'s own read capacity and table class', async () => {
    const name = await table({
      BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }],
    });
    // An override for an index the table does not have is ignored, as AWS ignores it.
    await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: {
      RegionName: 'eu-west-1', GlobalSecondaryIndexes: [{ IndexName: 'byG', ProvisionedThroughputOverride: { ReadCapacityUnits: 7 } }, { IndexName: 'nope', ProvisionedThroughputOverride: { ReadCapacityUnits: 8 } }],
    } }] }));
    assert.equal((await west.send(new DescribeTableCommand({ TableName: name }))).Table!.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput?.ReadCapacityUnits, 7);
    await east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Update: { RegionName: 'eu-west-1', ProvisionedThroughputOverride: { ReadCapacityUnits: 9 }, TableClassOverride: 'STANDARD_INFREQUENT_ACCESS' } }] }));
    const away = (await west.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(away.ProvisionedThroughput?.ReadCapacityUnits, 9);
    assert.equal(away.ProvisionedThroughput?.WriteCapacityUnits, 5);
    assert.equal(away.TableClassSummary?.TableClass, 'STANDARD_INFREQUENT_ACCESS');
    const home = (await east.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(home.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.equal(home.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.deepEqual(home.Replicas, [{
      RegionName: 'eu-west-1', ReplicaStatus: 'ACTIVE', ProvisionedThroughputOverride: { ReadCapacityUnits: 9 }, ReplicaTableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS' },
      GlobalSecondaryIndexes: [{ IndexName: 'byG', ProvisionedThroughputOverride: { ReadCapacityUnits: 7 } }, { IndexName: 'nope', ProvisionedThroughputOverride: { ReadCapacityUnits: 8 } }],
    }]);
    // Index overrides merge by name; a read capacity equal to the base table's clears the override.
    const replicaUpdate = (u: object) => east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Update: { RegionName: 'eu-west-1', ...u } }] }));
    await replicaUpdate({ ProvisionedThroughputOverride: { ReadCapacityUnits: 5 }, GlobalSecondaryIndexes: [{ IndexName: 'byG', ProvisionedThroughputOverride: { ReadCapacityUnits: 6 } }] });
    const entry = (await east.send(new DescribeTableCommand({ TableName: name }))).Table!.Replicas![0]!;
    assert.equal(entry.ProvisionedThroughputOverride, undefined);
    assert.deepEqual(entry.GlobalSecondaryIndexes, [{ IndexName: 'byG', ProvisionedThroughputOverride: { ReadCapacityUnits: 6 } }, { IndexName: 'nope', ProvisionedThroughputOverride: { ReadCapacityUnits: 8 } }]);
    const cleared = (await west.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(cleared.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.equal(cleared.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput?.ReadCapacityUnits, 6);
    const refused: [object, string][] = [
      [{ KMSMasterKeyId: 'alias/aws/dynamodb' }, 'One or more parameter values were invalid: KMSMasterKeyId must be specified for each replica.'],
      [{ OnDemandThroughputOverride: { MaxReadRequestUnits: 100 } }, 'MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED'],
      [{ GlobalSecondaryIndexes: [{ IndexName: 'byG' }] }, 'There are no actions specified in the Replica Update Action of the request.'],
    ];
    for (const [u, message] of refused) {
      const e = await rejects(replicaUpdate(u));
      assert.equal(e.name, 'ValidationException');
      assert.equal(e.message, message);
    }
  });

  it('index, capacity and table class changes reach every replica; deletion protection stays regional', async () => {
    const name = await replicated();
    await east.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, g: { S: 'x' } } }));
    await west.send(new UpdateTableCommand({
      TableName: name, AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
    }));
    for (const client of [east, west]) {
      const q = await client.send(new QueryCommand({ TableName: name, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'x' } } }));
      assert.deepEqual(q.Items, [{ pk: { S: 'a' }, g: { S: 'x' } }]);
    }
    const home = (await east.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(home.GlobalSecondaryIndexes?.[0]?.IndexArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}/index/byG`);
    await east.send(new UpdateTableCommand({ TableName: name, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
      GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'byG', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }] }));
    await east.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: true }));
    const away = (await west.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.equal(away.BillingModeSummary?.BillingMode, 'PROVISIONED');
    assert.equal(away.ProvisionedThroughput?.WriteCapacityUnits, 4);
    assert.equal(away.DeletionProtectionEnabled, false);
    await west.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byG' } }] }));
    assert.equal((await east.send(new DescribeTableCommand({ TableName: name }))).Table!.GlobalSecondaryIndexes, undefined);
    await east.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
  });

  it('ReplicaUpdates errors use DynamoDB\'s codes and words', async () => {
    const name = await replicated();
    const update = (ReplicaUpdates: any[], extra: object = {}) => rejects(east.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates, ...extra })));
    const cases: [Promise<any>, string][] = [
      [update([{ Create: { RegionName: 'us-east-1' } }]), 'Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.'],
      [update([{ Create: { RegionName: 'eu-west-1' } }]), `Failed to create a the new replica of table with name: '${name}' because one or more replicas already existed as tables.`],
      [update([{ Delete: { RegionName: 'ca-central-1' } }]), 'Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: [ca-central-1].'],
      [update([{ Create: { RegionName: 'ca-central-1' } }, { Create: { RegionName: 'sa-east-1' } }]), 'Update table operation with more than one create or delete replica actions not allowed'],
      [update([{ Create: { RegionName: 'ca-central-1' } }, { Delete: { RegionName: 'eu-west-1' } }]), 'Update table operation with more than one type of replica actions not allowed'],
      [update([{ Update: { RegionName: 'eu-west-1' } }]), 'There are no actions specified in the Replica Update Action of the request.'],
      [update([{ Create: { RegionName: 'US-EAST-2' } }]), 'Region US-EAST-2 is not supported.'],
      [update([{ Create: { RegionName: 'ca-central-1' } }], { DeletionProtectionEnabled: true }), 'One or more parameter values were invalid: Replica modification must be the only operation in the request'],
      [rejects(east.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }))), 'One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica.'],
      [update([]), "1 validation error detected: Value '[]' at 'replicaUpdates' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ];
    for (const [p, message] of cases) {
      const e = await p;
      assert.equal(e.name, 'ValidationException', message);
      assert.equal(e.message, message);
    }
    // None of them changed the group.
    assert.deepEqual(regions((await east.send(new DescribeTableCommand({ TableName: name }))).Table), ['eu-west-1']);
    const other = await table();
    await west.send(new CreateTableCommand({ TableName: other, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const taken = await rejects(east.send(new UpdateTableCommand({ TableName: other, ReplicaUpdates: [{ Create: { RegionName: 'eu-west-1' } }] })));
    assert.match(taken.message, /one or more replicas already existed as tables/);
    const missing = await rejects(east.send(new UpdateTableCommand({ TableName: unique('none'), ReplicaUpdates: [{ Create: { RegionName: 'eu-west-1' } }] })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('the legacy 2017.11.29 API answers as DynamoDB does now: no such global table can be created or found', async () => {
    const name = await replicated();
    const created = await rejects(east.send(new CreateGlobalTableCommand({ GlobalTableName: name, ReplicationGroup: [{ RegionName: 'us-east-1' }, { RegionName: 'eu-west-1' }] })));
    assert.equal(created.name, 'ValidationException');
    assert.equal(created.message, 'DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).');
    const added = await rejects(east.send(new UpdateGlobalTableCommand({ GlobalTableName: name, ReplicaUpdates: [{ Create: { RegionName: 'ap-southeast-2' } }] })));
    assert.equal(added.name, 'ValidationException');
    // A 2019.11.21 group is not a legacy global table.
    const removed = await rejects(east.send(new UpdateGlobalTableCommand({ GlobalTableName: name, ReplicaUpdates: [{ Delete: { RegionName: 'eu-west-1' } }] })));
    assert.equal(removed.name, 'GlobalTableNotFoundException');
    const described = await rejects(east.send(new DescribeGlobalTableCommand({ GlobalTableName: name })));
    assert.equal(described.name, 'GlobalTableNotFoundException');
    assert.equal(described.message, `Global table not found: Global table with name: '${name}' does not exist.`);
    const settings = await rejects(east.send(new DescribeGlobalTableSettingsCommand({ GlobalTableName: name })));
    assert.equal(settings.message, `Global table with name: '${name}' does not exist.`);
    const changed = await rejects(east.send(new UpdateGlobalTableSettingsCommand({ GlobalTableName: name, GlobalTableBillingMode: 'PAY_PER_REQUEST' })));
    assert.equal(changed.name, 'GlobalTableNotFoundException');
    assert.deepEqual((await east.send(new ListGlobalTablesCommand({}))).GlobalTables, []);
    assert.deepEqual(regions((await west.send(new DescribeTableCommand({ TableName: name }))).Table), ['us-east-1']);
  });

  it('the AWS CLI adds and removes a replica with update-table --replica-updates', async () => {
    const name = await table();
    const created = await aws(nimbus, ['dynamodb', 'update-table', '--region', 'us-east-1', '--table-name', name, '--replica-updates', 'Create={RegionName=eu-west-1}']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.TableDescription.Replicas[0].ReplicaStatus, 'CREATING');
    const away = await aws(nimbus, ['dynamodb', 'describe-table', '--region', 'eu-west-1', '--table-name', name]);
    assert.equal(away.code, 0, away.stderr);
    assert.equal(away.json.Table.GlobalTableVersion, '2019.11.21');
    assert.deepEqual(away.json.Table.Replicas, [{ RegionName: 'us-east-1', ReplicaStatus: 'ACTIVE' }]);
    const local = await aws(nimbus, ['dynamodb', 'update-table', '--region', 'us-east-1', '--table-name', name, '--replica-updates', 'Delete={RegionName=us-east-1}']);
    assert.notEqual(local.code, 0);
    assert.match(local.stderr, /ValidationException.*Cannot add or delete the local region/);
    const removed = await aws(nimbus, ['dynamodb', 'update-table', '--region', 'us-east-1', '--table-name', name, '--replica-updates', 'Delete={RegionName=eu-west-1}']);
    assert.equal(removed.code, 0, removed.stderr);
    const after = await aws(nimbus, ['dynamodb', 'describe-table', '--region', 'eu-west-1', '--table-name', name]);
    assert.match(after.stderr, /ResourceNotFoundException/);
  });
});
