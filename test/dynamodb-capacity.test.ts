import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DynamoDBClient, ExecuteStatementCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  TransactGetItemsCommand, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type ReturnConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;
const s = (v: string): AttributeValue => ({ S: v });

/**
 * ConsumedCapacity as DynamoDB reports it (the Parity Suite's recordings of real DynamoDB): its shape
 * per operation, and what a write costs each secondary index.
 */
describe('DynamoDB consumed capacity', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /**
   * A table with a global index on `g` that projects `p` alone, and a local index on `l` that projects
   * everything: what a write changes in each can then be told apart.
   */
  async function indexedTable(): Promise<string> {
    const name = unique('cap');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'g', 'l'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['p'] } }],
      LocalSecondaryIndexes: [{ IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    return name;
  }

  const put = (TableName: string, Item: Record<string, AttributeValue>, ReturnConsumedCapacity: ReturnConsumedCapacity = 'INDEXES') =>
    ddb.send(new PutItemCommand({ TableName, Item, ReturnConsumedCapacity }));
  /** The expected INDEXES answer: the total, the table's arm, and an arm only for each index charged. */
  const arms = (TableName: string, table: number, gsi?: number, lsi?: number) => ({
    TableName, CapacityUnits: table + (gsi ?? 0) + (lsi ?? 0), Table: { CapacityUnits: table },
    ...(gsi ? { GlobalSecondaryIndexes: { byG: { CapacityUnits: gsi } } } : {}),
    ...(lsi ? { LocalSecondaryIndexes: { byL: { CapacityUnits: lsi } } } : {}),
  });
  const whole = (pk: string) => ({ pk: s(pk), sk: s('1'), g: s('G'), l: s('L'), p: s('p'), o: s('o') });

  it('single-item operations, Query and Scan report the aggregate alone, with no read or write split', async () => {
    const name = unique('plain');
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
    const key = { pk: s('a') };
    assert.deepEqual((await put(name, key, 'TOTAL')).ConsumedCapacity, { TableName: name, CapacityUnits: 1 });
    assert.deepEqual((await put(name, key, 'INDEXES')).ConsumedCapacity, { TableName: name, CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    const get = (ConsistentRead: boolean) => ddb.send(new GetItemCommand({ TableName: name, Key: key, ConsistentRead, ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual((await get(true)).ConsumedCapacity, { TableName: name, CapacityUnits: 1 });
    assert.deepEqual((await get(false)).ConsumedCapacity, { TableName: name, CapacityUnits: 0.5 });
    const update = await ddb.send(new UpdateItemCommand({ TableName: name, Key: key, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': s('x') }, ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(update.ConsumedCapacity, { TableName: name, CapacityUnits: 1 });
    const query = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': s('a') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(query.ConsumedCapacity, { TableName: name, CapacityUnits: 0.5, Table: { CapacityUnits: 0.5 } });
    assert.deepEqual((await ddb.send(new ScanCommand({ TableName: name, ReturnConsumedCapacity: 'TOTAL' }))).ConsumedCapacity, { TableName: name, CapacityUnits: 0.5 });
    const del = await ddb.send(new DeleteItemCommand({ TableName: name, Key: key, ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(del.ConsumedCapacity, { TableName: name, CapacityUnits: 1 });
    assert.equal((await put(name, key, 'NONE')).ConsumedCapacity, undefined);
  });

  it('a read of an index charges the index arm and leaves the table arm at zero', async () => {
    const name = await indexedTable();
    await put(name, whole('r'));
    const query = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': s('G') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(query.ConsumedCapacity, { TableName: name, CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { byG: { CapacityUnits: 0.5 } } });
    const scan = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'byL', ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(scan.ConsumedCapacity, { TableName: name, CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, LocalSecondaryIndexes: { byL: { CapacityUnits: 0.5 } } });
    // An index holding less than the item is read by what it holds: 10 KB left out of byG cost it nothing.
    await put(name, { ...whole('big'), o: s('x'.repeat(10 * 1024)) });
    const consistent = (IndexName: string) => ddb.send(new QueryCommand({
      TableName: name, IndexName, KeyConditionExpression: IndexName === 'byG' ? 'g = :v' : 'pk = :v', ExpressionAttributeValues: { ':v': s(IndexName === 'byG' ? 'G' : 'big') },
      ConsistentRead: IndexName === 'byL', ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.equal((await consistent('byG')).ConsumedCapacity?.CapacityUnits, 0.5);
    assert.equal((await consistent('byL')).ConsumedCapacity?.CapacityUnits, 3);
  });

  it('a put charges each index the item enters, global and local alike, and folds them into the total', async () => {
    const name = await indexedTable();
    assert.deepEqual((await put(name, { pk: s('1'), sk: s('1'), g: s('G') })).ConsumedCapacity, arms(name, 1, 1));
    assert.deepEqual((await put(name, { pk: s('2'), sk: s('1'), l: s('L') })).ConsumedCapacity, arms(name, 1, undefined, 1));
    assert.deepEqual((await put(name, whole('3'))).ConsumedCapacity, arms(name, 1, 1, 1));
    assert.deepEqual((await put(name, whole('4'), 'TOTAL')).ConsumedCapacity, { TableName: name, CapacityUnits: 3 });
  });

  it('a put charges no index it misses, and an identical overwrite charges no index at all', async () => {
    const name = await indexedTable();
    assert.deepEqual((await put(name, { pk: s('sparse'), sk: s('1'), o: s('o') })).ConsumedCapacity, arms(name, 1));
    assert.deepEqual((await put(name, whole('same'))).ConsumedCapacity, arms(name, 1, 1, 1));
    assert.deepEqual((await put(name, whole('same'))).ConsumedCapacity, arms(name, 1));
  });

  it('an update charges an index by what it stores: nothing for an attribute it does not project, two writes for a moved key', async () => {
    const name = await indexedTable();
    const update = async (UpdateExpression: string, value?: string) => {
      const pk = unique('u');
      await put(name, whole(pk), 'NONE');
      const r = await ddb.send(new UpdateItemCommand({
        TableName: name, Key: { pk: s(pk), sk: s('1') }, UpdateExpression, ReturnConsumedCapacity: 'INDEXES',
        ...(value === undefined ? {} : { ExpressionAttributeValues: { ':v': s(value) } }),
      }));
      return r.ConsumedCapacity;
    };
    assert.deepEqual(await update('SET o = :v', 'o2'), arms(name, 1, undefined, 1));
    assert.deepEqual(await update('SET p = :v', 'p2'), arms(name, 1, 1, 1));
    assert.deepEqual(await update('SET g = :v', 'G2'), arms(name, 1, 2, 1));
    assert.deepEqual(await update('REMOVE g'), arms(name, 1, 1, 1));
    assert.deepEqual(await update('SET l = :v', 'L2'), arms(name, 1, undefined, 2));
    assert.deepEqual(await update('SET o = o'), arms(name, 1));
  });

  it('a delete charges one write per index the item was in, and a missing item costs the table one unit', async () => {
    const name = await indexedTable();
    await put(name, whole('d'));
    const del = (pk: string) => ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: s(pk), sk: s('1') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual((await del('d')).ConsumedCapacity, arms(name, 1, 1, 1));
    assert.deepEqual((await del('d')).ConsumedCapacity, arms(name, 1));
  });

  it('an index is charged per KB of what it stores of the item, not of the item', async () => {
    const name = await indexedTable();
    const big = { ...whole('big'), o: s('x'.repeat(2500)) };
    assert.deepEqual((await put(name, big)).ConsumedCapacity, arms(name, 3, 1, 3));
  });

  it('BatchWriteItem reports one entry per table with the arms its writes touched; BatchGetItem reports no split', async () => {
    const name = await indexedTable();
    const w = await ddb.send(new BatchWriteItemCommand({ ReturnConsumedCapacity: 'INDEXES', RequestItems: { [name]: [
      { PutRequest: { Item: { pk: s('b1'), sk: s('1'), g: s('G') } } },
      { PutRequest: { Item: { pk: s('b2'), sk: s('1') } } },
    ] } }));
    assert.deepEqual(w.ConsumedCapacity, [arms(name, 2, 1)]);
    const r = await ddb.send(new BatchGetItemCommand({ ReturnConsumedCapacity: 'TOTAL', RequestItems: { [name]: { Keys: [{ pk: s('b1'), sk: s('1') }, { pk: s('b2'), sk: s('1') }] } } }));
    assert.deepEqual(r.ConsumedCapacity, [{ TableName: name, CapacityUnits: 1 }]);
  });

  it('transactions keep the read or write split and charge each action twice, on the indexes it changes too', async () => {
    const name = await indexedTable();
    const w = await ddb.send(new TransactWriteItemsCommand({ ReturnConsumedCapacity: 'INDEXES', TransactItems: [
      { Put: { TableName: name, Item: { pk: s('t1'), sk: s('1'), g: s('G') } } },
      { Put: { TableName: name, Item: { pk: s('t2'), sk: s('1') } } },
    ] }));
    assert.deepEqual(w.ConsumedCapacity, [{
      TableName: name, CapacityUnits: 6, WriteCapacityUnits: 6, Table: { CapacityUnits: 4, WriteCapacityUnits: 4 },
      GlobalSecondaryIndexes: { byG: { CapacityUnits: 2, WriteCapacityUnits: 2 } },
    }]);
    const r = await ddb.send(new TransactGetItemsCommand({ ReturnConsumedCapacity: 'INDEXES', TransactItems: [{ Get: { TableName: name, Key: { pk: s('t1'), sk: s('1') } } }] }));
    assert.deepEqual(r.ConsumedCapacity, [{ TableName: name, CapacityUnits: 2, ReadCapacityUnits: 2, Table: { CapacityUnits: 2, ReadCapacityUnits: 2 } }]);
  });

  it('PartiQL writes charge the indexes they change, as the other writes do, keeping their write split', async () => {
    const name = await indexedTable();
    const run = (Statement: string) => ddb.send(new ExecuteStatementCommand({ Statement, ReturnConsumedCapacity: 'INDEXES' }));
    const inserted = await run(`INSERT INTO "${name}" VALUE {'pk': 'q', 'sk': '1', 'g': 'G', 'l': 'L'}`);
    assert.deepEqual(inserted.ConsumedCapacity, {
      TableName: name, CapacityUnits: 3, WriteCapacityUnits: 3, Table: { CapacityUnits: 1, WriteCapacityUnits: 1 },
      GlobalSecondaryIndexes: { byG: { CapacityUnits: 1, WriteCapacityUnits: 1 } }, LocalSecondaryIndexes: { byL: { CapacityUnits: 1, WriteCapacityUnits: 1 } },
    });
    // o is projected by the local index alone.
    const updated = await run(`UPDATE "${name}" SET o = 'x' WHERE pk = 'q' AND sk = '1'`);
    assert.equal(updated.ConsumedCapacity?.CapacityUnits, 2);
    assert.equal(updated.ConsumedCapacity?.GlobalSecondaryIndexes, undefined);
  });

  it('a TransactWriteItems replayed under its ClientRequestToken reports the read capacity of reading its items', async () => {
    const name = await indexedTable();
    const request = (ReturnConsumedCapacity: ReturnConsumedCapacity, v = 'x') => new TransactWriteItemsCommand({
      ClientRequestToken: `${name}-token`, ReturnConsumedCapacity, TransactItems: [
        { Put: { TableName: name, Item: { pk: s('r1'), sk: s('1'), v: s(v) } } },
        { Put: { TableName: name, Item: { pk: s('r2'), sk: s('1'), v: s(v) } } },
      ],
    });
    assert.deepEqual((await ddb.send(request('TOTAL'))).ConsumedCapacity, [{ TableName: name, CapacityUnits: 4, WriteCapacityUnits: 4 }]);
    assert.deepEqual((await ddb.send(request('TOTAL'))).ConsumedCapacity, [{ TableName: name, CapacityUnits: 4, ReadCapacityUnits: 4 }]);
    assert.equal((await ddb.send(request('NONE'))).ConsumedCapacity, undefined);
    const mismatch = await rejects(ddb.send(request('TOTAL', 'changed')));
    assert.equal(mismatch.name, 'IdempotentParameterMismatchException');
  });
});
