import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

/**
 * Request checks where DynamoDB answers in two generations of its validation at once, as the
 * Parity Suite records it (us-east-1, eu-west-2 and others, 2026-10): which operation answers in
 * which words, and which check wins when a request breaks more than one.
 */
describe('DynamoDB validation layers', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  const T = 'layers';
  const one = (m: string) => `1 validation error detected: ${m}`;

  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    await ddb.send(new CreateTableCommand({
      TableName: T, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
  });
  after(async () => {
    ddb.destroy();
    await nimbus.stop();
  });

  const putItem = (v: object) => rejects(ddb.send(new PutItemCommand({ TableName: T, Item: { pk: { S: 'a' }, v } as never })));
  const batchPut = (v: object) => rejects(ddb.send(new BatchWriteItemCommand({ RequestItems: { [T]: [{ PutRequest: { Item: { pk: { S: 'a' }, v } as never } }] } })));

  it('PutItem lists a repeated set member sorted up to the repeat, quoted, inside the envelope', async () => {
    assert.equal((await putItem({ SS: ['b', 'a', 'b'] })).message, one('One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.'));
    const bs = [Buffer.from('/w==', 'base64'), Buffer.from('AA==', 'base64'), Buffer.from('AA==', 'base64')];
    assert.equal((await putItem({ BS: bs })).message, one('One or more parameter values were invalid: Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.'));
    assert.equal((await putItem({ NS: ['2', '1', '2'] })).message, one('One or more parameter values were invalid: Input collection contains duplicates.'));
  });

  it('BatchWriteItem answers a repeated set member and a malformed number in the older words, bare', async () => {
    assert.equal((await batchPut({ SS: ['b', 'a', 'b'] })).message, 'One or more parameter values were invalid: Input collection [b, a, b] contains duplicates.');
    assert.equal((await batchPut({ NS: ['2', '1', '2'] })).message, 'Input collection contains duplicates');
    assert.equal((await batchPut({ N: '' })).message, 'The parameter cannot be converted to a numeric value');
    assert.equal((await batchPut({ N: '1e2147483647' })).message, 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
    assert.equal((await putItem({ N: '1e2147483647' })).message, one('Number overflow. Attempting to store a number with magnitude larger than supported range'));
    // An exponent past a 32-bit integer is no BigDecimal, as PartiQL's parameters are read too.
    assert.equal((await batchPut({ N: '1e3000000000' })).message, 'The parameter cannot be converted to a numeric value: 1e3000000000');
  });

  it('a transaction reads its numbers in the older layer too', async () => {
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: T, Item: { pk: { S: 'a' }, v: { N: '1e2147483647' } } } }] })));
    assert.equal(err.message, 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
  });

  it('BatchGetItem refuses a ProjectionExpression for one table beside AttributesToGet for another', async () => {
    await ddb.send(new CreateTableCommand({
      TableName: 'layers2', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
    const err = await rejects(ddb.send(new BatchGetItemCommand({ RequestItems: {
      [T]: { Keys: [{ pk: { S: 'a' } }], ProjectionExpression: 'pk' },
      layers2: { Keys: [{ pk: { S: 'a' } }], AttributesToGet: ['pk'] },
    } })));
    assert.equal(err.name, 'ValidationException');
    assert.match(err.message, /^Can not use both expression and non-expression parameters in the same request/);
  });

  it('Query reports an unknown ConditionalOperator alone, bare, ahead of an unknown Select', async () => {
    const err = await rejects(ddb.send(new QueryCommand({
      TableName: 'absent-table', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } },
      QueryFilter: { b: { ComparisonOperator: 'NULL' }, c: { ComparisonOperator: 'NULL' } }, ConditionalOperator: 'XOR' as never, Select: 'BOGUS' as never,
    })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]');
  });

  it('TransactWriteItems judges each action whole, in order: an empty attribute name before a later too-deep value', async () => {
    let deep: object = { S: 'leaf' };
    for (let i = 0; i < 40; i++) deep = { M: { n: deep } };
    const send = (TransactItems: object[]) => rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems } as never)));
    const emptyName = { Put: { TableName: T, Item: { pk: { S: 'a' }, '': { S: 'x' } } } };
    const tooDeep = { Put: { TableName: T, Item: { pk: { S: 'b' }, d: deep } } };
    assert.equal((await send([emptyName, tooDeep])).message, 'Empty attribute name');
    assert.match((await send([tooDeep, emptyName])).message, /^Nesting Levels have exceeded supported limits/);
    const syntax = await send([{ Delete: { TableName: T, Key: { pk: deep }, ConditionExpression: 'a = = b' } }]);
    assert.match(syntax.message, /^Invalid ConditionExpression: Syntax error/);
  });

  it('a KeyConditionExpression reports an undefined value or a wrongly typed operand, whichever is written first', async () => {
    await ddb.send(new CreateTableCommand({
      TableName: 'layers-kc', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    const query = (KeyConditionExpression: string) => rejects(ddb.send(new QueryCommand({ TableName: 'layers-kc', KeyConditionExpression, ExpressionAttributeValues: { ':n': { N: '1' } } })));
    assert.equal((await query('begins_with(sk, :n) AND pk = :missing')).message,
      'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
    assert.equal((await query('pk = :missing AND begins_with(sk, :n)')).message,
      'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing');
  });

  it('UpdateItem with a Key reports only its first violation, ReturnValues first; without a Key it joins them all', async () => {
    const update = (input: object) => rejects(ddb.send(new UpdateItemCommand({ ReturnValues: 'INVALID', ReturnConsumedCapacity: 'INVALID', ...input } as never)));
    assert.equal((await update({ TableName: T, Key: { pk: { S: 'a' } } })).message,
      one("Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"));
    assert.match((await update({ TableName: '' })).message, /^4 validation errors detected: Value 'INVALID' at 'returnConsumedCapacity'/);
  });

  it('a set may hold an empty string or binary, as any attribute may since 2020', async () => {
    await ddb.send(new PutItemCommand({ TableName: T, Item: { pk: { S: 'empty-members' }, ss: { SS: ['', 'x'] }, bs: { BS: [Buffer.alloc(0), Buffer.from('x')] } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: T, Key: { pk: { S: 'empty-members' } } }));
    assert.deepEqual(got.Item?.ss?.SS?.sort(), ['', 'x']);
    assert.equal(got.Item?.bs?.BS?.length, 2);
  });
});
