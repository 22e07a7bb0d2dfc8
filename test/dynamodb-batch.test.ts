import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactGetItemsCommand, TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

describe('DynamoDB batches and transactions', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  async function table(): Promise<string> {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    return name;
  }

  it('BatchWriteItem puts and deletes across tables; BatchGetItem reads them back', async () => {
    const a = await table();
    const b = await table();
    await ddb.send(new PutItemCommand({ TableName: b, Item: { pk: { S: 'old' } } }));
    const w = await ddb.send(new BatchWriteItemCommand({ RequestItems: {
      [a]: [{ PutRequest: { Item: { pk: { S: '1' }, v: { N: '1' } } } }, { PutRequest: { Item: { pk: { S: '2' }, v: { N: '2' } } } }],
      [b]: [{ DeleteRequest: { Key: { pk: { S: 'old' } } } }, { PutRequest: { Item: { pk: { S: 'new' } } } }],
    } }));
    assert.deepEqual(w.UnprocessedItems, {});
    const r = await ddb.send(new BatchGetItemCommand({ RequestItems: {
      [a]: { Keys: [{ pk: { S: '1' } }, { pk: { S: '2' } }, { pk: { S: 'missing' } }], ProjectionExpression: 'v' },
      [b]: { Keys: [{ pk: { S: 'old' } }, { pk: { S: 'new' } }] },
    } }));
    assert.deepEqual(r.Responses?.[a]?.map((i) => i.v?.N).sort(), ['1', '2']);
    assert.deepEqual(r.Responses?.[b], [{ pk: { S: 'new' } }]);
    assert.deepEqual(r.UnprocessedKeys, {});
  });

  it('BatchGetItem stops before 16 MB and returns the rest as UnprocessedKeys', async () => {
    const name = await table();
    const big = 'x'.repeat(409600 - 10);
    const keys = Array.from({ length: 42 }, (_, i) => ({ pk: { S: `k${String(i).padStart(2, '0')}` } }));
    for (let i = 0; i < keys.length; i += 21) {
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: keys.slice(i, i + 21).map((k) => ({ PutRequest: { Item: { ...k, d: { S: big } } } })) } }));
    }
    const r = await ddb.send(new BatchGetItemCommand({ RequestItems: { [name]: { Keys: keys, ProjectionExpression: 'pk' } } }));
    assert.equal(r.Responses?.[name]?.length, 40);
    assert.deepEqual(r.UnprocessedKeys?.[name]?.Keys, keys.slice(40));
    assert.equal(r.UnprocessedKeys?.[name]?.ProjectionExpression, 'pk');
  });

  it('batch limits and duplicate keys are ValidationExceptions; a missing table is ResourceNotFoundException', async () => {
    const a = await table();
    const keys = Array.from({ length: 101 }, (_, i) => ({ pk: { S: String(i) } }));
    let err = await rejects(ddb.send(new BatchGetItemCommand({ RequestItems: { [a]: { Keys: keys } } })));
    assert.equal(err.name, 'ValidationException');
    assert.match(err.message, /Too many items requested for the BatchGetItem call|failed to satisfy constraint/);
    err = await rejects(ddb.send(new BatchWriteItemCommand({ RequestItems: { [a]: [{ PutRequest: { Item: { pk: { S: 'x' } } } }, { DeleteRequest: { Key: { pk: { S: 'x' } } } }] } })));
    assert.equal(err.message, 'Provided list of item keys contains duplicates');
    err = await rejects(ddb.send(new BatchGetItemCommand({ RequestItems: { [a]: { Keys: [{ pk: { S: 'x' } }, { pk: { S: 'x' } }] } } })));
    assert.equal(err.message, 'Provided list of item keys contains duplicates');
    err = await rejects(ddb.send(new BatchWriteItemCommand({ RequestItems: { 'no-such-table': [{ PutRequest: { Item: { pk: { S: 'x' } } } }] } })));
    assert.equal(err.name, 'ResourceNotFoundException');
    const got = await ddb.send(new GetItemCommand({ TableName: a, Key: { pk: { S: 'x' } } }));
    assert.equal(got.Item, undefined);
  });

  it('TransactWriteItems applies every action or none, with a reason per action', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'acct' }, balance: { N: '100' } } }));
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Update: { TableName: name, Key: { pk: { S: 'acct' } }, UpdateExpression: 'SET balance = balance - :amt', ConditionExpression: 'balance >= :amt', ExpressionAttributeValues: { ':amt': { N: '30' } } } },
      { Put: { TableName: name, Item: { pk: { S: 'log1' }, amount: { N: '30' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ] }));
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Update: { TableName: name, Key: { pk: { S: 'acct' } }, UpdateExpression: 'SET balance = balance - :amt', ConditionExpression: 'balance >= :amt', ExpressionAttributeValues: { ':amt': { N: '500' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      { Put: { TableName: name, Item: { pk: { S: 'log2' } } } },
      { ConditionCheck: { TableName: name, Key: { pk: { S: 'log1' } }, ConditionExpression: 'attribute_exists(pk)' } },
    ] })));
    assert.equal(err.name, 'TransactionCanceledException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]');
    assert.deepEqual(err.CancellationReasons, [
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'acct' }, balance: { N: '70' } } },
      { Code: 'None' }, { Code: 'None' },
    ]);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'log2' } } }))).Item, undefined);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'acct' } } }))).Item?.balance?.N, '70');
  });

  it('TransactWriteItems rejects two actions on one item, and honours ClientRequestToken', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: { S: 'same' } } } }, { Delete: { TableName: name, Key: { pk: { S: 'same' } } } },
    ] })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'Transaction request cannot include multiple operations on one item');
    const token = unique('token');
    const request = { ClientRequestToken: token, TransactItems: [{ Update: { TableName: name, Key: { pk: { S: 'ctr' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }] };
    await ddb.send(new TransactWriteItemsCommand(request));
    await ddb.send(new TransactWriteItemsCommand(request));
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'ctr' } } }))).Item?.n?.N, '1');
    const mismatch = await rejects(ddb.send(new TransactWriteItemsCommand({ ...request, TransactItems: [{ Put: { TableName: name, Item: { pk: { S: 'other' } } } }] })));
    assert.equal(mismatch.name, 'IdempotentParameterMismatchException');
  });

  it('TransactGetItems returns items in request order, empty entries for missing ones', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { S: 'A' }, w: { S: 'W' } } }));
    const r = await ddb.send(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: name, Key: { pk: { S: 'missing' } } } },
      { Get: { TableName: name, Key: { pk: { S: 'a' } }, ProjectionExpression: 'v' } },
    ] }));
    assert.deepEqual(r.Responses, [{}, { Item: { v: { S: 'A' } } }]);
  });

  it('the document client and the CLI run transactions', async () => {
    const name = await table();
    const doc = DynamoDBDocumentClient.from(ddb);
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: name, Item: { pk: 'doc', tags: new Set(['x']) } } }] }));
    const batch = await aws(nimbus, ['dynamodb', 'batch-write-item', '--request-items', JSON.stringify({ [name]: [{ PutRequest: { Item: { pk: { S: 'cli1' } } } }, { PutRequest: { Item: { pk: { S: 'cli2' } } } }] })]);
    assert.equal(batch.code, 0, batch.stderr);
    assert.deepEqual(batch.json.UnprocessedItems, {});
    const got2 = await aws(nimbus, ['dynamodb', 'batch-get-item', '--request-items', JSON.stringify({ [name]: { Keys: [{ pk: { S: 'cli1' } }, { pk: { S: 'cli2' } }] } })]);
    assert.equal(got2.json.Responses[name].length, 2);
    const cli = await aws(nimbus, ['dynamodb', 'transact-write-items', '--transact-items', JSON.stringify([{ Update: { TableName: name, Key: { pk: { S: 'doc' } }, UpdateExpression: 'ADD tags :t', ExpressionAttributeValues: { ':t': { SS: ['y'] } } } }])]);
    assert.equal(cli.code, 0, cli.stderr);
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'doc' } } }));
    assert.deepEqual(got.Item?.tags?.SS?.sort(), ['x', 'y']);
    const failed = await aws(nimbus, ['dynamodb', 'transact-write-items', '--transact-items', JSON.stringify([{ ConditionCheck: { TableName: name, Key: { pk: { S: 'nope' } }, ConditionExpression: 'attribute_exists(pk)' } }])]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /TransactionCanceledException/);
  });
});
