import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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
