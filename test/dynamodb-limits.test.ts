import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/**
 * Item collections: in a table with local secondary indexes, one partition key's items may hold
 * at most 10 GB. The instance here lowers that quota to 1000 bytes (`limits`), so the error a user
 * meets at 10 GB is met after a few items.
 */
describe('DynamoDB item collection size limit', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  const item = (pk: string, sk: string, bytes: number) => ({ pk: { S: pk }, sk: { S: sk }, n: { S: 'x' }, v: { S: 'y'.repeat(bytes) } });

  before(async () => {
    nimbus = await start({ limits: { dynamodbItemCollectionBytes: 1000 } });
    ddb = new DynamoDBClient(clientConfig(nimbus));
    const keys = {
      BillingMode: 'PAY_PER_REQUEST' as const,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }, { AttributeName: 'sk', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }, { AttributeName: 'sk', KeyType: 'RANGE' as const }],
    };
    await ddb.send(new CreateTableCommand({
      TableName: 'with-lsi', ...keys, AttributeDefinitions: [...keys.AttributeDefinitions, { AttributeName: 'n', AttributeType: 'S' }],
      LocalSecondaryIndexes: [{ IndexName: 'by-n', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'n', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    await ddb.send(new CreateTableCommand({ TableName: 'without-lsi', ...keys }));
  });
  after(async () => {
    ddb.destroy();
    await nimbus.stop();
  });

  it('a write that grows a collection past the limit fails with ItemCollectionSizeLimitExceededException and is not stored', async () => {
    for (const sk of ['1', '2', '3']) await ddb.send(new PutItemCommand({ TableName: 'with-lsi', Item: item('a', sk, 280) }));
    const err = await rejects(ddb.send(new PutItemCommand({ TableName: 'with-lsi', Item: item('a', '4', 280) })));
    assert.equal(err.name, 'ItemCollectionSizeLimitExceededException');
    assert.equal(err.message, 'Collection size exceeded');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: 'with-lsi', Key: { pk: { S: 'a' }, sk: { S: '4' } } }))).Item, undefined);
    // Growing an item already stored is a write that grows the collection too.
    const grow = await rejects(ddb.send(new UpdateItemCommand({
      TableName: 'with-lsi', Key: { pk: { S: 'a' }, sk: { S: '1' } }, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': { S: 'z'.repeat(200) } },
    })));
    assert.equal(grow.name, 'ItemCollectionSizeLimitExceededException');
    const kept = await ddb.send(new GetItemCommand({ TableName: 'with-lsi', Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
    assert.equal(kept.Item?.['w'], undefined);
  });

  it('a full collection still takes writes that do not grow it, and other partition keys are not limited by it', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'with-lsi', Item: item('a', '2', 100) }));
    await ddb.send(new PutItemCommand({ TableName: 'with-lsi', Item: item('a', '4', 150) }));
    await ddb.send(new PutItemCommand({ TableName: 'with-lsi', Item: item('b', '1', 280) }));
  });

  it('a table without local secondary indexes has no item collection limit', async () => {
    for (let i = 0; i < 10; i++) await ddb.send(new PutItemCommand({ TableName: 'without-lsi', Item: item('a', String(i), 280) }));
  });

  it('the AWS CLI shows the error code and message', async () => {
    const r = await aws(nimbus, ['dynamodb', 'put-item', '--table-name', 'with-lsi', '--item', JSON.stringify(item('a', '9', 600))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\(ItemCollectionSizeLimitExceededException\) when calling the PutItem operation( \(reached max retries: 0\))?: Collection size exceeded/);
  });
});

/**
 * The 400 KB item size limit (409,600 bytes), as each surface measures it: PutItem, a transaction's
 * Put and AttributeUpdates the finished item, UpdateExpression the statement (see updateCharge).
 */
describe('DynamoDB item size limit by surface', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  const LIMIT = 409_600;
  const TOO_BIG = 'Item size has exceeded the maximum allowed size';
  const TOO_BIG_UPDATE = 'Item size to update has exceeded the maximum allowed size';
  const pad = (bytes: number) => ({ S: 'x'.repeat(bytes) });
  const update = (pk: string, expression: string, values: Record<string, AttributeValue>, condition?: string) => ddb.send(new UpdateItemCommand({
    TableName: 'sized', Key: { pk: { S: pk } }, UpdateExpression: expression, ExpressionAttributeValues: values, ConditionExpression: condition,
  }));

  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    await ddb.send(new CreateTableCommand({
      TableName: 'sized', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
  });
  after(async () => {
    ddb.destroy();
    await nimbus.stop();
  });

  it('a number costs a byte per base-100 digit from the point: an item holding 3.14159 is at the limit with 5 bytes for it', async () => {
    // The key (3 bytes), n and its 5 bytes, p and the padding.
    const item = (pk: string, bytes: number) => ({ pk: { S: pk }, n: { N: '3.14159' }, p: pad(bytes - 3 - 1 - 5 - 1) });
    await ddb.send(new PutItemCommand({ TableName: 'sized', Item: item('a', LIMIT) }));
    const err = await rejects(ddb.send(new PutItemCommand({ TableName: 'sized', Item: item('b', LIMIT + 1) })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, TOO_BIG);
  });

  it('an UpdateExpression is charged for what it writes plus 3, and 19 per SET, not for the key: the charge is judged before the condition', async () => {
    // 3 + 19 + 'b' + the padding: at a 3-byte key the finished item stays 19 bytes under 400 KB.
    await update('c', 'SET b = :p', { ':p': pad(LIMIT - 23) });
    const err = await rejects(update('d', 'SET b = :p', { ':p': pad(LIMIT - 22) }, 'attribute_exists(nothing)'));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, TOO_BIG_UPDATE);
    // A REMOVE costs 1 and its name; an ADD to a set 19, its name and only the members it adds.
    const seed = (pk: string) => ddb.send(new PutItemCommand({ TableName: 'sized', Item: { pk: { S: pk }, r: { S: 'x' }, ss: { SS: ['y'.repeat(30)] } } }));
    const values = (bytes: number) => ({ ':p': pad(bytes), ':s': { SS: ['y'.repeat(30), 'z'] } });
    await seed('e');
    await update('e', 'SET b = :p REMOVE r ADD ss :s', values(LIMIT - 3 - 20 - 2 - 22));
    await seed('f');
    assert.equal((await rejects(update('f', 'SET b = :p REMOVE r ADD ss :s', values(LIMIT - 3 - 20 - 2 - 22 + 1)))).message, TOO_BIG_UPDATE);
    const item = (await ddb.send(new GetItemCommand({ TableName: 'sized', Key: { pk: { S: 'e' } } }))).Item!;
    assert.deepEqual(item['ss']?.SS?.sort(), ['y'.repeat(30), 'z']);
    assert.equal(item['r'], undefined);
  });

  it('AttributeUpdates and a transaction\'s Update size the finished item: what UpdateItem\'s statement refuses is stored', async () => {
    await ddb.send(new UpdateItemCommand({ TableName: 'sized', Key: { pk: { S: 'g' } }, AttributeUpdates: { b: { Action: 'PUT', Value: pad(LIMIT - 4) } } }));
    const err = await rejects(ddb.send(new UpdateItemCommand({ TableName: 'sized', Key: { pk: { S: 'k' } }, AttributeUpdates: { b: { Action: 'PUT', Value: pad(LIMIT - 3) } } })));
    assert.equal(err.message, TOO_BIG_UPDATE);
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: { TableName: 'sized', Key: { pk: { S: 'h' } }, UpdateExpression: 'SET b = :p', ExpressionAttributeValues: { ':p': pad(LIMIT - 4) } } }] }));
    const stored = await ddb.send(new GetItemCommand({ TableName: 'sized', Key: { pk: { S: 'h' } } }));
    assert.equal(stored.Item?.['b']?.S?.length, LIMIT - 4);
  });

  it('a transaction\'s Put over the limit is refused with the request, not cancelled', async () => {
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: 'sized', Item: { pk: { S: 'i' } } } },
      { Put: { TableName: 'sized', Item: { pk: { S: 'j' }, p: pad(LIMIT - 3) } } },
    ] })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, TOO_BIG);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: 'sized', Key: { pk: { S: 'i' } } }))).Item, undefined);
  });
});
