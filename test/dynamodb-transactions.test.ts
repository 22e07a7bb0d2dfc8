import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactGetItemsCommand, TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

/** What TransactWriteItems and TransactGetItems refuse before they run. */

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;
const DUPLICATE = 'Transaction request cannot include multiple operations on one item';

describe('DynamoDB transactions: requests refused up front', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /** A new table keyed by `pk`, and by `sk` too when `range` is set. */
  async function table(range = false): Promise<string> {
    const name = unique(range ? 'tx-composite' : 'tx');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(range ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : [])],
    }));
    return name;
  }

  it('TransactGetItems naming one item twice is a ValidationException; the same key in two tables is two items', async () => {
    const [a, b] = [await table(), await table()];
    await ddb.send(new PutItemCommand({ TableName: a, Item: { pk: { S: 'k' }, v: { S: 'in a' } } }));
    await ddb.send(new PutItemCommand({ TableName: b, Item: { pk: { S: 'k' }, v: { S: 'in b' } } }));
    const err = await rejects(ddb.send(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: a, Key: { pk: { S: 'k' } } } },
      { Get: { TableName: a, Key: { pk: { S: 'k' } }, ProjectionExpression: 'v' } },
    ] })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, DUPLICATE);
    const r = await ddb.send(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: a, Key: { pk: { S: 'k' } } } },
      { Get: { TableName: b, Key: { pk: { S: 'k' } } } },
    ] }));
    assert.deepEqual(r.Responses!.map((x) => x.Item?.['v']?.S), ['in a', 'in b']);
  });

  it('TransactWriteItems naming one item of a composite key twice is a ValidationException; another sort key is another item', async () => {
    const name = await table(true);
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: { S: 'p' }, sk: { S: '1' } } } },
      { ConditionCheck: { TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ] })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, DUPLICATE);
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: { S: 'p' }, sk: { S: '1' } } } },
      { Put: { TableName: name, Item: { pk: { S: 'p' }, sk: { S: '2' } } } },
    ] }));
  });

  it('TransactWriteItems over 4 MB of items in all is a ValidationException and writes nothing; just under 4 MB is written', async () => {
    const name = await table();
    // 400,000 bytes an item: ten make 4,000,000 bytes (under 4 MiB), eleven 4,400,000 (over).
    const put = (i: number): TransactWriteItem => ({ Put: { TableName: name, Item: { pk: { S: `k${i}` }, v: { S: 'x'.repeat(400_000 - 1 - `k${i}`.length - 2) } } } });
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 11 }, (_, i) => put(i)) })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit');
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k0' } } }))).Item, undefined);
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 10 }, (_, i) => put(i)) }));
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k9' } } }))).Item?.['v']?.S?.length, 400_000 - 1 - 2 - 2);
  });
});
