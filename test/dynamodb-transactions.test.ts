import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactGetItemsCommand, TransactWriteItemsCommand, type AttributeValue, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

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
    // A projection that matches nothing of a present item leaves its response without an Item.
    const none = await ddb.send(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: a, Key: { pk: { S: 'k' } }, ProjectionExpression: 'absent' } },
      { Get: { TableName: b, Key: { pk: { S: 'k' } }, ProjectionExpression: 'v' } },
    ] }));
    assert.deepEqual(none.Responses, [{}, { Item: { v: { S: 'in b' } } }]);
  });

  it('an empty index key a transaction gives refuses it outright; a wrong-typed one cancels it, in PutItem\'s words for an Update too', async () => {
    const name = unique('tx-gsi');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    const empty = 'One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g';
    const put = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: name, Item: { pk: { S: 'a' }, g: { S: '' } } } }] })));
    assert.equal(put.name, 'ValidationException');
    assert.equal(put.message, empty);
    const update = (value: AttributeValue) => ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Update: { TableName: name, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET g = :v', ExpressionAttributeValues: { ':v': value } } },
    ] }));
    const setEmpty = await rejects(update({ S: '' }));
    assert.equal(setEmpty.name, 'ValidationException');
    assert.equal(setEmpty.message, empty);
    const typed = await rejects(update({ N: '1' })) as Error & { CancellationReasons?: { Code?: string; Message?: string }[] };
    assert.equal(typed.name, 'TransactionCanceledException');
    assert.deepEqual(typed.CancellationReasons, [{ Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG' }]);
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

  it('a key of the wrong type cancels the transaction before it runs: the first such action is a ValidationError reason, every other None', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: { S: 'ok' } } } },
      { Put: { TableName: name, Item: { pk: { N: '7' } } } },
      { Delete: { TableName: name, Key: { pk: { N: '8' } } } },
      // A false condition is not even evaluated.
      { ConditionCheck: { TableName: name, Key: { pk: { S: 'missing' } }, ConditionExpression: 'attribute_exists(pk)' } },
    ] })));
    assert.equal(err.name, 'TransactionCanceledException');
    const reasons = (err as unknown as { CancellationReasons: { Code: string; Message?: string }[] }).CancellationReasons;
    assert.deepEqual(reasons, [
      { Code: 'None' },
      { Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N' },
      { Code: 'None' },
      { Code: 'None' },
    ]);
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'ok' } } }));
    assert.equal(got.Item, undefined);
  });

  it('an empty string or binary key value is a ValidationException before the transaction runs, for an item and a Key alike', async () => {
    const name = await table();
    const binary = unique('tx-binary');
    await ddb.send(new CreateTableCommand({
      TableName: binary, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'B' }],
    }));
    const empty = (kind: string) => `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${kind} value. Key: pk`;
    const cases: [TransactWriteItem, string][] = [
      [{ Put: { TableName: name, Item: { pk: { S: '' } } } }, empty('string')],
      [{ Update: { TableName: name, Key: { pk: { S: '' } }, UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } } }, empty('string')],
      [{ Delete: { TableName: binary, Key: { pk: { B: new Uint8Array(0) } } } }, empty('binary')],
      [{ ConditionCheck: { TableName: binary, Key: { pk: { B: new Uint8Array(0) } }, ConditionExpression: 'attribute_not_exists(pk)' } }, empty('binary')],
    ];
    for (const [action, message] of cases) {
      // Behind an action whose key is of the wrong type, which alone would cancel the transaction.
      const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: name, Key: { pk: { N: '1' } } } }, action] })));
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, message);
    }
  });

  it("every action's expressions are checked before any table is looked up, whichever action names the missing table", async () => {
    const name = await table();
    const missing = { Put: { TableName: unique('tx-missing'), Item: { pk: { S: 'a' } } } };
    const unused = { ConditionCheck: { TableName: name, Key: { pk: { S: 'c' } }, ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':v': { S: 'x' } } } };
    const syntax = { ConditionCheck: { TableName: name, Key: { pk: { S: 'c' } }, ConditionExpression: 'attribute_not_exists(' } };
    for (const [items, message] of [
      [[missing, unused], 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}'],
      [[missing, syntax], 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'],
    ] as [TransactWriteItem[], string][]) {
      const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: items })));
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, message);
    }
  });

  it('TransactGetItems with a Key that does not fit its table is cancelled, that Get a ValidationError reason and every other None', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: name, Key: { pk: { S: 'k' } } } },
      { Get: { TableName: name, Key: {} } },
    ] })));
    assert.equal(err.name, 'TransactionCanceledException');
    assert.equal(err.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]');
    const reasons = (err as unknown as { CancellationReasons: { Code: string; Message?: string }[] }).CancellationReasons;
    assert.deepEqual(reasons, [{ Code: 'None' }, { Code: 'ValidationError', Message: 'The provided key element does not match the schema' }]);
  });

  it("an Update of a key attribute is UpdateItem's ValidationException before the transaction runs, not a cancellation reason", async () => {
    const name = await table(true);
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: '1' } } }));
    for (const [attr, expression] of [['pk', 'SET pk = :v'], ['sk', 'SET #s = :v']] as const) {
      const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
        // A failing condition elsewhere: the key update is still what the request is refused for.
        { ConditionCheck: { TableName: name, Key: { pk: { S: 'p' }, sk: { S: '2' } }, ConditionExpression: 'attribute_exists(pk)' } },
        { Update: { TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } }, UpdateExpression: expression, ExpressionAttributeValues: { ':v': { S: 'new' } }, ...(attr === 'sk' ? { ExpressionAttributeNames: { '#s': 'sk' } } : {}) } },
      ] })));
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, `One or more parameter values were invalid: Cannot update attribute ${attr}. This attribute is part of the key`);
    }
    const indexed = unique('tx-indexed');
    await ddb.send(new CreateTableCommand({
      TableName: indexed, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    const nested = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Update: { TableName: indexed, Key: { pk: { S: 'p' } }, UpdateExpression: 'SET g.x = :v', ExpressionAttributeValues: { ':v': { S: 'new' } } } },
    ] })));
    assert.equal(nested.name, 'ValidationException');
    assert.equal(nested.message, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: g");
    const cli = await aws(nimbus, ['dynamodb', 'transact-write-items', '--transact-items', JSON.stringify([
      { Update: { TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } }, UpdateExpression: 'REMOVE pk' } },
    ])]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(ValidationException\) when calling the TransactWriteItems operation.*: One or more parameter values were invalid: Cannot update attribute pk\. This attribute is part of the key/);
    assert.deepEqual((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } } }))).Item, { pk: { S: 'p' }, sk: { S: '1' } });
  });
});
