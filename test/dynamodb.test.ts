import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, ListTagsOfResourceCommand,
  PutItemCommand, QueryCommand, ScanCommand, TagResourceCommand, UntagResourceCommand, UpdateItemCommand, UpdateTableCommand, waitUntilTableExists, type CreateTableCommandInput, type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

describe('DynamoDB tables and items', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    doc = DynamoDBDocumentClient.from(ddb);
  });
  after(() => nimbus.stop());

  async function table(extra: Partial<CreateTableCommandInput> = {}, range?: { name: string; type: 'S' | 'N' | 'B' }): Promise<string> {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' as const }] : [])],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(range ? [{ AttributeName: range.name, AttributeType: range.type }] : [])],
      BillingMode: 'PAY_PER_REQUEST',
      ...extra,
    }));
    return name;
  }

  it('CreateTable answers CREATING, the next DescribeTable ACTIVE, and the waiter returns at once', async () => {
    const name = unique('tbl');
    const created = await ddb.send(new CreateTableCommand({
      TableName: name, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }));
    assert.equal(created.TableDescription?.TableStatus, 'CREATING');
    assert.equal(created.TableDescription?.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
    const started = Date.now();
    await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: name });
    assert.ok(Date.now() - started < 2000);
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(d.Table?.TableStatus, 'ACTIVE');
    assert.equal(d.Table?.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.equal(d.Table?.ItemCount, 0);
  });

  it('CreateTable of an existing table is ResourceInUseException', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new CreateTableCommand({
      TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
    })));
    assert.equal(err.name, 'ResourceInUseException');
    assert.equal(err.message, `Table already exists: ${name}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('CreateTable checks key schema against attribute definitions', async () => {
    const base = { TableName: unique('tbl'), BillingMode: 'PAY_PER_REQUEST' as const };
    let err = await rejects(ddb.send(new CreateTableCommand({ ...base, KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'b', AttributeType: 'S' }] })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]');
    err = await rejects(ddb.send(new CreateTableCommand({ ...base, KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }, { AttributeName: 'b', AttributeType: 'S' }] })));
    assert.equal(err.message, 'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    err = await rejects(ddb.send(new CreateTableCommand({ ...base, KeySchema: [{ AttributeName: 'a', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })));
    assert.equal(err.message, 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
    err = await rejects(ddb.send(new CreateTableCommand({ TableName: unique('tbl'), KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })));
    assert.equal(err.message, 'One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  });

  it('DescribeTable of a missing table is ResourceNotFoundException', async () => {
    const err = await rejects(ddb.send(new DescribeTableCommand({ TableName: 'no-such-table' })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, 'Requested resource not found: Table: no-such-table not found');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('ListTables pages with Limit and ExclusiveStartTableName', async () => {
    const local = await start();
    try {
      const client = new DynamoDBClient(clientConfig(local));
      for (const n of ['tab-c', 'tab-a', 'tab-b']) {
        await client.send(new CreateTableCommand({ TableName: n, KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      }
      const first = await client.send(new ListTablesCommand({ Limit: 2 }));
      assert.deepEqual(first.TableNames, ['tab-a', 'tab-b']);
      assert.equal(first.LastEvaluatedTableName, 'tab-b');
      const second = await client.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: first.LastEvaluatedTableName }));
      assert.deepEqual(second.TableNames, ['tab-c']);
      assert.equal(second.LastEvaluatedTableName, undefined);
    } finally {
      await local.stop();
    }
  });

  it('DeleteTable answers DELETING and the table is gone; deletion protection refuses', async () => {
    const name = await table();
    const protectedName = await table({ DeletionProtectionEnabled: true });
    const del = await ddb.send(new DeleteTableCommand({ TableName: name }));
    assert.equal(del.TableDescription?.TableStatus, 'DELETING');
    assert.equal(del.TableDescription?.TableName, name);
    assert.equal(del.TableDescription?.ProvisionedThroughput?.NumberOfDecreasesToday, 0);
    for (const k of ['KeySchema', 'AttributeDefinitions', 'CreationDateTime', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'] as const) assert.equal(del.TableDescription?.[k], undefined, k);
    assert.equal((await rejects(ddb.send(new DescribeTableCommand({ TableName: name })))).name, 'ResourceNotFoundException');
    const err = await rejects(ddb.send(new DeleteTableCommand({ TableName: protectedName })));
    assert.equal(err.name, 'ValidationException');
    const nothing = await rejects(ddb.send(new UpdateTableCommand({ TableName: protectedName })));
    assert.equal(nothing.message, 'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required');
    await ddb.send(new UpdateTableCommand({ TableName: protectedName, DeletionProtectionEnabled: false }));
    await ddb.send(new DeleteTableCommand({ TableName: protectedName }));
  });

  it('UpdateTable: changes that must travel alone, and stream changes, are refused in DynamoDB\'s words', async () => {
    const name = await table();
    const refused = async (input: Omit<UpdateTableCommandInput, 'TableName'>) => {
      const e = await rejects(ddb.send(new UpdateTableCommand({ TableName: name, ...input })));
      assert.equal(e.name, 'ValidationException');
      return e.message;
    };
    const invalid = 'One or more parameter values were invalid: ';
    const nothing = await refused({ MultiRegionConsistency: 'EVENTUAL' });
    assert.equal(nothing, 'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required');
    assert.equal(await refused({ SSESpecification: { Enabled: true }, DeletionProtectionEnabled: true }), `${invalid}Server-Side Encryption modification must be the only operation in the request`);
    assert.equal(await refused({ TableClass: 'STANDARD', DeletionProtectionEnabled: true }), `${invalid}TableClass modification must be the only operation in the request`);
    assert.equal(await refused({ DeletionProtectionEnabled: true, BillingMode: 'PAY_PER_REQUEST' }), `${invalid}DeletionProtection modification must be the only operation in the request`);
    assert.equal(await refused({ StreamSpecification: { StreamEnabled: true } }), `${invalid}If stream is being enabled then UpdateViewType is required`);
    assert.equal(await refused({ StreamSpecification: { StreamEnabled: false } }), `Table has no stream to disable: TableName: ${name}`);
    assert.equal(await refused({ StreamSpecification: { StreamEnabled: false, StreamViewType: 'KEYS_ONLY' } }), `${invalid}If stream is being disabled, then UpdateViewType must not be specified`);
    await ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
    assert.equal(await refused({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }), `Table already has an enabled stream: TableName: ${name}`);
    const created = await rejects(table({ StreamSpecification: { StreamEnabled: true } }));
    assert.equal(created.message, `${invalid}Table is being created with a stream enabled, UpdateViewType is required`);
    const disabled = await rejects(table({ StreamSpecification: { StreamEnabled: false, StreamViewType: 'NEW_IMAGE' } }));
    assert.equal(disabled.message, `${invalid}Table is being created with a stream disabled, UpdateViewType should not be specified`);
  });

  it('an attribute name is at most 65535 bytes, in an item as anywhere else', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, ['x'.repeat(65535)]: { S: 'v' } } }));
    const err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' }, ['x'.repeat(65536)]: { S: 'v' } } })));
    assert.equal(err.name, 'ValidationException');
    assert.match(err.message, /^1 validation error detected: Value .* at 'item' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must have length less than or equal to 65535/);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'b' } } }))).Item, undefined);
  });

  it('PutItem then GetItem returns the item with canonical numbers and binaries', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: {
      pk: { S: 'a' }, n: { N: '001.500' }, big: { N: '12345678901234567890123456789012345678' }, e: { N: '1E+3' }, neg: { N: '-0.000' },
      b: { B: new Uint8Array([1, 2, 3]) }, ns: { NS: ['1', '2.0'] }, m: { M: { x: { L: [{ BOOL: true }, { NULL: true }] } } }, empty: { S: '' },
    } }));
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }));
    assert.equal(got.Item?.n?.N, '1.5');
    assert.equal(got.Item?.big?.N, '12345678901234567890123456789012345678');
    assert.equal(got.Item?.e?.N, '1000');
    assert.equal(got.Item?.neg?.N, '0');
    assert.deepEqual([...got.Item!.b!.B!], [1, 2, 3]);
    assert.deepEqual(got.Item?.ns?.NS?.sort(), ['1', '2']);
    assert.deepEqual(got.Item?.m, { M: { x: { L: [{ BOOL: true }, { NULL: true }] } } });
    assert.equal(got.Item?.empty?.S, '');
    const missing = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'zzz' } } }));
    assert.equal(missing.Item, undefined);
  });

  it('numbers beyond 38 digits or the exponent range are ValidationExceptions', async () => {
    const name = await table();
    const put = (n: string) => rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'n' }, v: { N: n } } })));
    // PutItem reports its item's values inside the validation envelope (the Parity Suite's recordings).
    const one = (m: string) => `1 validation error detected: ${m}`;
    assert.equal((await put('123456789012345678901234567890123456789')).message, one('Attempting to store more than 38 significant digits in a Number'));
    assert.equal((await put('1E126')).message, one('Number overflow. Attempting to store a number with magnitude larger than supported range'));
    assert.equal((await put('1E-131')).message, one('Number underflow. Attempting to store a number with magnitude smaller than supported range'));
    assert.equal((await put('abc')).message, one('The parameter cannot be converted to a numeric value: abc'));
  });

  it('item and key validation errors use DynamoDB wording', async () => {
    const name = await table();
    let err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { other: { S: 'x' } } })));
    assert.equal(err.message, 'One or more parameter values were invalid: Missing the key pk in the item');
    err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { N: '1' } } })));
    assert.equal(err.message, 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N');
    err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: '' } } })));
    assert.equal(err.message, 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk');
    err = await rejects(ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' }, extra: { S: 'b' } } })));
    assert.equal(err.message, 'The provided key element does not match the schema');
    err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, s: { SS: ['x', 'x'] } } })));
    assert.equal(err.message, '1 validation error detected: One or more parameter values were invalid: Input collection ["x", "x"] contains duplicates.');
    err = await rejects(ddb.send(new GetItemCommand({ TableName: 'missing-table', Key: { pk: { S: 'a' } } })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, 'Requested resource not found');
  });

  it('items over 400 KB are rejected; an item just under the limit is stored', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'big' }, data: { S: 'x'.repeat(400 * 1024) } } })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'Item size has exceeded the maximum allowed size');
    // 2 (pk) + 1 (S 'a') + 4 (data) + value = 409600
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, data: { S: 'x'.repeat(409600 - 7) } } }));
  });

  it('ConditionExpression failures are ConditionalCheckFailedException, with the item when asked', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    const err = await rejects(ddb.send(new PutItemCommand({
      TableName: name, Item: { pk: { S: 'a' }, v: { N: '2' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })));
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.message, 'The conditional request failed');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.deepEqual(err.Item, { pk: { S: 'a' }, v: { N: '1' } });
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { N: '2' } }, ConditionExpression: 'v = :one AND size(pk) BETWEEN :one AND :two', ExpressionAttributeValues: { ':one': { N: '1' }, ':two': { N: '2' } } }));
    const del = await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, ConditionExpression: 'v IN (:a, :b)', ExpressionAttributeValues: { ':a': { N: '5' }, ':b': { N: '2.0' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(del.Attributes, { pk: { S: 'a' }, v: { N: '2' } });
  });

  it('UpdateExpression: SET arithmetic, if_not_exists, list_append, REMOVE, ADD, DELETE', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'u' }, count: { N: '10' }, tags: { SS: ['a', 'b', 'c'] }, nums: { NS: ['1', '2'] }, list: { L: [{ S: 'x' }] }, gone: { S: 'bye' }, nested: { M: { deep: { N: '1' } } } } }));
    const r = await ddb.send(new UpdateItemCommand({
      TableName: name, Key: { pk: { S: 'u' } },
      UpdateExpression: 'SET #c = #c + :inc, created = if_not_exists(created, :now), #l = list_append(#l, :more), nested.deep = nested.deep - :inc REMOVE gone ADD visits :one, tags :t DELETE nums :d',
      ExpressionAttributeNames: { '#c': 'count', '#l': 'list' },
      ExpressionAttributeValues: { ':inc': { N: '0.5' }, ':now': { S: '2024' }, ':more': { L: [{ S: 'y' }] }, ':one': { N: '1' }, ':t': { SS: ['z'] }, ':d': { NS: ['1.0'] } },
      ReturnValues: 'ALL_NEW',
    }));
    const a = r.Attributes!;
    assert.equal(a.count?.N, '10.5');
    assert.equal(a.created?.S, '2024');
    assert.deepEqual(a.list?.L, [{ S: 'x' }, { S: 'y' }]);
    assert.equal(a.nested?.M?.deep?.N, '0.5');
    assert.equal(a.gone, undefined);
    assert.equal(a.visits?.N, '1');
    assert.deepEqual(a.tags?.SS?.sort(), ['a', 'b', 'c', 'z']);
    assert.deepEqual(a.nums?.NS, ['2']);
    const old = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'u' } }, UpdateExpression: 'SET visits = :v', ExpressionAttributeValues: { ':v': { N: '7' } }, ReturnValues: 'UPDATED_OLD' }));
    assert.deepEqual(old.Attributes, { visits: { N: '1' } });
    // An index past the end appends, but UPDATED_NEW reads the path as written (list[9]), which
    // names nothing: DynamoDB returns no Attributes (ScyllaDB's Alternator tests, run against AWS).
    const appended = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'u' } }, UpdateExpression: 'SET #l[9] = :z', ExpressionAttributeNames: { '#l': 'list' }, ExpressionAttributeValues: { ':z': { S: 'z' } }, ReturnValues: 'UPDATED_NEW' }));
    assert.equal(appended.Attributes, undefined);
    const shifted = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'u' } }, UpdateExpression: 'REMOVE #l[1]', ExpressionAttributeNames: { '#l': 'list' }, ReturnValues: 'UPDATED_NEW' }));
    assert.deepEqual(shifted.Attributes, { list: { L: [{ S: 'z' }] } });
  });

  it('sets may hold an empty member and read back in DynamoDB\'s order; parentheses may hold SET arithmetic', async () => {
    const name = await table();
    const empty = Buffer.alloc(0);
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 's' }, ss: { SS: ['é', 'b', ''] }, ns: { NS: ['10', '-1', '9.5'] }, bs: { BS: [Buffer.from([2]), empty] }, c: { N: '10' } } }));
    const r = await ddb.send(new UpdateItemCommand({
      TableName: name, Key: { pk: { S: 's' } }, UpdateExpression: 'SET c = (c - :v) ADD ss :a, ns :n, bs :b',
      ExpressionAttributeValues: { ':v': { N: '3' }, ':a': { SS: ['a'] }, ':n': { NS: ['0'] }, ':b': { BS: [Buffer.from([1])] } }, ReturnValues: 'ALL_NEW',
    }));
    const a = r.Attributes!;
    assert.deepEqual(a.ss?.SS, ['', 'a', 'b', 'é']);
    assert.deepEqual(a.ns?.NS, ['-1', '0', '9.5', '10']);
    assert.deepEqual(a.bs?.BS?.map((b) => [...b]), [[], [1], [2]]);
    assert.equal(a.c?.N, '7');
    const gone = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 's' } }, UpdateExpression: 'DELETE ss :d', ExpressionAttributeValues: { ':d': { SS: ['', 'a', 'b', 'é'] } }, ReturnValues: 'ALL_NEW' }));
    assert.equal(gone.Attributes?.ss, undefined);
    const dup = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 's' }, ss: { SS: ['', ''] } } })));
    assert.match(dup.message, /contains duplicates/);
  });

  it('UpdateItem creates the item when missing and refuses to change key attributes', async () => {
    const name = await table();
    const r = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'new' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }));
    assert.deepEqual(r.Attributes, { pk: { S: 'new' }, n: { N: '1' } });
    const err = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'new' } }, UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    assert.equal(err.message, 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key');
  });

  it('expression errors: syntax, reserved words, undefined and unused placeholders, overlapping paths', async () => {
    const name = await table();
    // UpdateItem, like PutItem and DeleteItem, reports these inside the validation envelope; Scan and GetItem do not.
    const update = (UpdateExpression: string, names?: Record<string, string>, values?: Record<string, { S: string }>) => rejects(ddb.send(new UpdateItemCommand({
      TableName: name, Key: { pk: { S: 'e' } }, UpdateExpression, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
    })));
    assert.equal((await update('SET a = ')).message, '1 validation error detected: Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="');
    assert.equal((await update('SET name = :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name');
    assert.equal((await update('SET a = :v')).message, '1 validation error detected: Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v');
    assert.equal((await update('SET #a = :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a');
    assert.equal((await update('SET a = :v', undefined, { ':v': { S: 'x' }, ':w': { S: 'y' } })).message, '1 validation error detected: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}');
    assert.equal((await update('SET a = :v', { '#n': 'n' }, { ':v': { S: 'x' } })).message, '1 validation error detected: Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}');
    assert.equal((await update('SET a = :v, a.b = :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]');
    assert.equal((await update('SET a = :v SET b = :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    assert.equal((await update('SET a = :v + :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S');
    assert.equal((await update('ADD a :v', undefined, { ':v': { S: 'x' } })).message, '1 validation error detected: Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING');
    const cond = await rejects(ddb.send(new ScanCommand({ TableName: name, ProjectionExpression: 'a', ExpressionAttributeValues: { ':x': { S: 'x' } } })));
    assert.equal(cond.message, 'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null');
    const unused = await rejects(ddb.send(new ScanCommand({ TableName: name, FilterExpression: 'a = :y', ExpressionAttributeValues: { ':x': { S: 'x' }, ':y': { S: 'y' } } })));
    assert.equal(unused.message, 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}');
    const badKey = await rejects(ddb.send(new ScanCommand({ TableName: name, FilterExpression: 'a = :y', ExpressionAttributeValues: { 'y': { S: 'y' } } })));
    assert.equal(badKey.message, 'ExpressionAttributeValues contains invalid key: Syntax error; key: "y"');
    const legacy = await rejects(ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'e' } }, AttributesToGet: ['a'], ExpressionAttributeNames: { '#a': 'a' } })));
    assert.equal(legacy.message, 'ExpressionAttributeNames can only be specified when using expressions');
  });

  it('arithmetic on a missing attribute and invalid document paths fail without writing', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, s: { S: 'text' } } }));
    let err = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' } }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } })));
    assert.equal(err.message, 'The provided expression refers to an attribute that does not exist in the item');
    err = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' } }, UpdateExpression: 'SET s = s + :one', ExpressionAttributeValues: { ':one': { N: '1' } } })));
    assert.equal(err.message, 'An operand in the update expression has an incorrect data type');
    err = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' } }, UpdateExpression: 'SET nope.child = :one', ExpressionAttributeValues: { ':one': { N: '1' } } })));
    assert.equal(err.message, 'The document path provided in the update expression is invalid for update');
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'p' } } }));
    assert.deepEqual(got.Item, { pk: { S: 'p' }, s: { S: 'text' } });
  });

  it('REMOVE of a path through a missing or non-container attribute is an invalid document path, except on a missing item', async () => {
    const name = await table();
    const item = { pk: { S: 'r' }, s: { S: 'text' }, l: { L: [{ S: 'x' }] }, m: { M: { k: { S: 'v' } } } };
    await ddb.send(new PutItemCommand({ TableName: name, Item: item }));
    const remove = (pk: string, UpdateExpression: string) => ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: pk } }, UpdateExpression }));
    for (const expr of ['REMOVE s.c', 'REMOVE l.c', 'REMOVE nope.c', 'REMOVE s[0]', 'REMOVE nope[0]', 'REMOVE m[0]']) {
      const err = await rejects(remove('r', expr));
      assert.equal(err.message, 'The document path provided in the update expression is invalid for update', expr);
    }
    // A missing leaf is no error: nothing to remove.
    for (const expr of ['REMOVE m.nope', 'REMOVE l[7]', 'REMOVE nope']) await remove('r', expr);
    assert.deepEqual((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'r' } } }))).Item, item);
    await remove('missing', 'REMOVE x.y');
  });

  it('ProjectionExpression returns nested paths and list elements', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, a: { M: { b: { S: 'x' }, c: { S: 'y' } } }, l: { L: [{ S: '0' }, { S: '1' }, { S: '2' }] }, other: { S: 'o' } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'p' } }, ProjectionExpression: 'a.b, l[2], #o', ExpressionAttributeNames: { '#o': 'other' } }));
    assert.deepEqual(got.Item, { a: { M: { b: { S: 'x' } } }, l: { L: [{ S: '2' }] }, other: { S: 'o' } });
  });

  it('legacy parameters: Expected, AttributeUpdates and AttributesToGet', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'l' }, v: { N: '1' } }, Expected: { pk: { Exists: false } } }));
    const err = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'l' } }, Expected: { v: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '5' }] } } })));
    assert.equal(err.name, 'ConditionalCheckFailedException');
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'l' } }, AttributeUpdates: { v: { Action: 'ADD', Value: { N: '2' } }, w: { Action: 'PUT', Value: { S: 'w' } } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'l' } }, AttributesToGet: ['v', 'w'] }));
    assert.deepEqual(got.Item, { v: { N: '3' }, w: { S: 'w' } });
    const mixed = await rejects(ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'l' } }, AttributesToGet: ['v'], ProjectionExpression: 'v' })));
    assert.equal(mixed.message, 'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}');
  });

  it('ScanFilter and QueryFilter EQ and NE compare lists, maps and booleans', async () => {
    const name = await table();
    const doc = { L: [{ N: '1' }, { M: { k: { S: 'v' } } }] };
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, l: doc, m: { M: { x: { N: '1' } } }, b: { BOOL: true } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' }, l: { L: [] }, m: { M: {} }, b: { BOOL: false } } }));
    const scan = async (ComparisonOperator: 'EQ' | 'NE', attr: string, value: AttributeValue) =>
      (await ddb.send(new ScanCommand({ TableName: name, ScanFilter: { [attr]: { ComparisonOperator, AttributeValueList: [value] } } }))).Items!.map((i) => i.pk!.S).sort();
    for (const [attr, value] of [['l', doc], ['m', { M: { x: { N: '1' } } }], ['b', { BOOL: true }]] as [string, AttributeValue][]) {
      assert.deepEqual(await scan('EQ', attr, value), ['a'], attr);
      assert.deepEqual(await scan('NE', attr, value), ['b'], attr);
    }
    const q = await ddb.send(new QueryCommand({ TableName: name, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'b' }] } }, QueryFilter: { l: { ComparisonOperator: 'EQ', AttributeValueList: [{ L: [] }] } } }));
    assert.equal(q.Count, 1);
  });

  it('AttributeUpdates: ADD appends to a list, and a type clash is "Type mismatch for attribute to update"', async () => {
    const name = await table();
    const key = { pk: { S: 'm' } };
    const legacy = (AttributeUpdates: Record<string, { Action: 'ADD' | 'DELETE'; Value: AttributeValue }>) => ddb.send(new UpdateItemCommand({ TableName: name, Key: key, AttributeUpdates }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { ...key, l: { L: [{ N: '1' }] }, ss: { SS: ['dog'] }, n: { N: '2' } } }));
    await legacy({ l: { Action: 'ADD', Value: { L: [{ N: '1' }, { S: 'x' }] } }, fresh: { Action: 'ADD', Value: { L: [{ N: '7' }] } } });
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: key, AttributesToGet: ['l', 'fresh'] }));
    assert.deepEqual(got.Item, { l: { L: [{ N: '1' }, { N: '1' }, { S: 'x' }] }, fresh: { L: [{ N: '7' }] } });
    const clashes: [string, 'ADD' | 'DELETE', AttributeValue][] = [['ss', 'ADD', { N: '2' }], ['ss', 'ADD', { L: [{ S: 'cat' }] }], ['ss', 'ADD', { NS: ['1'] }], ['l', 'ADD', { SS: ['cat'] }], ['n', 'ADD', { L: [] }], ['ss', 'DELETE', { NS: ['1'] }], ['n', 'DELETE', { NS: ['2'] }]];
    for (const [attr, Action, Value] of clashes) {
      const err = await rejects(legacy({ [attr]: { Action, Value } }));
      assert.equal(err.message, 'Type mismatch for attribute to update', `${Action} ${JSON.stringify(Value)} to ${attr}`);
    }
    // The same clash in an UpdateExpression keeps the expression wording.
    const expr = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: key, UpdateExpression: 'DELETE ss :v', ExpressionAttributeValues: { ':v': { NS: ['1'] } } })));
    assert.equal(expr.message, 'An operand in the update expression has an incorrect data type');
  });

  it('an update that only removes attributes creates no item; an update with no action creates the key-only item', async () => {
    const name = await table();
    const get = async (pk: string) => (await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: pk } } }))).Item;
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'remove' } }, UpdateExpression: 'REMOVE a, b.c DELETE s :v', ExpressionAttributeValues: { ':v': { SS: ['x'] } } }));
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'legacy' } }, AttributeUpdates: { a: { Action: 'DELETE' }, s: { Action: 'DELETE', Value: { SS: ['x'] } } } }));
    const r = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'nothing' } }, UpdateExpression: 'REMOVE a', ReturnValues: 'ALL_NEW' }));
    assert.equal(r.Attributes, undefined);
    for (const pk of ['remove', 'legacy', 'nothing']) assert.equal(await get(pk), undefined, pk);
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'empty' } }, AttributeUpdates: {} }));
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'mixed' } }, UpdateExpression: 'REMOVE a SET b = :b', ExpressionAttributeValues: { ':b': { S: 'b' } } }));
    assert.deepEqual(await get('empty'), { pk: { S: 'empty' } });
    assert.deepEqual(await get('mixed'), { pk: { S: 'mixed' }, b: { S: 'b' } });
  });

  it('the document client round-trips native values', async () => {
    const name = await table();
    await doc.send(new PutCommand({ TableName: name, Item: { pk: 'doc', n: 42, list: [1, 'two', { three: true }], set: new Set(['a', 'b']), nothing: null } }));
    await doc.send(new UpdateCommand({ TableName: name, Key: { pk: 'doc' }, UpdateExpression: 'SET n = n + :x', ExpressionAttributeValues: { ':x': 2 } }));
    const got = await doc.send(new GetCommand({ TableName: name, Key: { pk: 'doc' } }));
    assert.equal(got.Item?.['n'], 44);
    assert.deepEqual(got.Item?.['list'], [1, 'two', { three: true }]);
    assert.deepEqual([...(got.Item?.['set'] as Set<string>)].sort(), ['a', 'b']);
    assert.equal(got.Item?.['nothing'], null);
  });

  it('Query reads a partition in sort-key order with key conditions, filters, Limit and pages', async () => {
    const name = await table({}, { name: 'sk', type: 'N' });
    for (const sk of ['10', '-5', '2.5', '100', '-0.5', '3']) {
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { N: sk }, odd: { BOOL: Number(sk) % 2 !== 0 } } }));
    }
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'other' }, sk: { N: '1' } } }));
    const all = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    assert.deepEqual(all.Items?.map((i) => i.sk?.N), ['-5', '-0.5', '2.5', '3', '10', '100']);
    const desc = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { N: '-1' }, ':b': { N: '10' } }, ScanIndexForward: false }));
    assert.deepEqual(desc.Items?.map((i) => i.sk?.N), ['10', '3', '2.5', '-0.5']);
    const filtered = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p AND sk > :z', FilterExpression: 'odd = :t', ExpressionAttributeValues: { ':p': { S: 'p' }, ':z': { N: '0' }, ':t': { BOOL: true } } }));
    assert.deepEqual(filtered.Items?.map((i) => i.sk?.N), ['2.5', '3']);
    assert.equal(filtered.Count, 2);
    assert.equal(filtered.ScannedCount, 4);
    const p1 = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 4 }));
    assert.deepEqual(p1.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '3' } });
    const p2 = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 4, ExclusiveStartKey: p1.LastEvaluatedKey }));
    assert.deepEqual(p2.Items?.map((i) => i.sk?.N), ['10', '100']);
    assert.equal(p2.LastEvaluatedKey, undefined);
    const count = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Select: 'COUNT' }));
    assert.equal(count.Count, 6);
    assert.equal(count.Items, undefined);
    const q = { TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } };
    assert.equal((await rejects(ddb.send(new QueryCommand({ ...q, Select: 'ALL_ATTRIBUTES', ProjectionExpression: 'sk' })))).message, 'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES');
    assert.equal((await rejects(ddb.send(new QueryCommand({ ...q, Select: 'SPECIFIC_ATTRIBUTES' })))).message, 'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES');
    assert.equal((await rejects(ddb.send(new QueryCommand({ ...q, Select: 'ALL_PROJECTED_ATTRIBUTES' })))).message, 'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  });

  it('Query returns random number sort keys in numeric order, forwards and backwards', async () => {
    const name = await table({}, { name: 'sk', type: 'N' });
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 38 });
    const numbers = fc.sample(fc.tuple(fc.boolean(), digits, fc.integer({ min: -120, max: 80 })).map(([neg, d, e]) => `${neg ? '-' : ''}${d}E${e}`), { numRuns: 60, seed: 42 });
    const stored = new Set<string>();
    for (const n of numbers) {
      const r = await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' }, sk: { N: n } }, UpdateExpression: 'SET original = :o', ExpressionAttributeValues: { ':o': { S: n } }, ReturnValues: 'ALL_NEW' }));
      stored.add(r.Attributes!.sk!.N!);
    }
    const expected = [...stored].sort((a, b) => new Decimal(a).cmp(new Decimal(b)));
    const forward = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    const got = forward.Items!.map((i) => i.sk!.N!);
    assert.deepEqual(got, expected);
    const backward = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ScanIndexForward: false }));
    assert.deepEqual(backward.Items!.map((i) => i.sk!.N!), [...got].reverse());
  });

  it('Query orders string keys by UTF-8 bytes and supports begins_with', async () => {
    const name = await table({}, { name: 'sk', type: 'S' });
    for (const sk of ['b', 'a', 'ab', 'B', '\u00e9', 'a\uffff', 'a\u{1F600}']) {
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: sk } } }));
    }
    const all = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    assert.deepEqual(all.Items?.map((i) => i.sk?.S), ['B', 'a', 'ab', 'a\uffff', 'a\u{1F600}', 'b', '\u00e9']);
    const prefixed = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)', ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { S: 'a' } } }));
    assert.equal(prefixed.Count, 4);
  });

  it('Query key condition errors', async () => {
    const name = await table({}, { name: 'sk', type: 'N' });
    const q = (KeyConditionExpression: string, values: Record<string, { S: string } | { N: string }>) => rejects(ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression, ExpressionAttributeValues: values })));
    assert.equal((await q('sk = :v', { ':v': { N: '1' } })).message, 'Query condition missed key schema element: pk');
    assert.equal((await q('pk = :v', { ':v': { N: '1' } })).message, 'One or more parameter values were invalid: Condition parameter type does not match schema type');
    assert.equal((await q('pk = :v AND begins_with(sk, :n)', { ':v': { S: 'a' }, ':n': { N: '1' } })).name, 'ValidationException');
    assert.equal((await q('pk = :v OR sk = :n', { ':v': { S: 'a' }, ':n': { N: '1' } })).message, 'Invalid operator used in KeyConditionExpression: OR');
    assert.equal((await q('pk = :v AND sk <> :n', { ':v': { S: 'a' }, ':n': { N: '1' } })).message, 'Invalid operator used in KeyConditionExpression: <>');
    assert.equal((await q('pk = :v AND pk = :v', { ':v': { S: 'a' } })).message, 'Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key');
    assert.equal((await q('pk > :v', { ':v': { S: 'a' } })).message, 'Query key condition not supported');
    assert.equal((await q('pk = :v AND colour = :n', { ':v': { S: 'a' }, ':n': { N: '1' } })).message, 'Query condition missed key schema element: sk');
    const flipped = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: ':v = pk AND :n < sk', ExpressionAttributeValues: { ':v': { S: 'a' }, ':n': { N: '1' } } }));
    assert.equal(flipped.Count, 0);
    const filterOnKey = await rejects(ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :v', FilterExpression: 'sk > :n', ExpressionAttributeValues: { ':v': { S: 'a' }, ':n': { N: '1' } } })));
    assert.equal(filterOnKey.message, 'Filter Expression can only contain non-primary key attributes: Primary key attribute: sk');
    const legacyFilterOnKey = await rejects(ddb.send(new QueryCommand({ TableName: name, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } }, QueryFilter: { sk: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '1' }] } } })));
    assert.equal(legacyFilterOnKey.message, 'QueryFilter can only contain non-primary key attributes: Primary key attribute: sk');
    const otherPartition = await rejects(ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'a' } }, ExclusiveStartKey: { pk: { S: 'b' }, sk: { N: '1' } } })));
    assert.equal(otherPartition.message, 'The provided starting key is outside query boundaries based on provided conditions');
    const emptyName = await rejects(ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: '#p = :v', ExpressionAttributeNames: { '#p': '' }, ExpressionAttributeValues: { ':v': { S: 'a' } } })));
    assert.equal(emptyName.message, 'ExpressionAttributeNames contains invalid value: Empty attribute name for key #p');
    const lonelyOperator = await rejects(ddb.send(new ScanCommand({ TableName: name, ConditionalOperator: 'OR' })));
    assert.equal(lonelyOperator.message, 'ConditionalOperator cannot be used without Filter or Expected');
    const ix = await rejects(ddb.send(new QueryCommand({ TableName: name, IndexName: 'nope', KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } })));
    assert.equal(ix.message, 'The table does not have the specified index: nope');
  });

  it('global and local secondary indexes are queryable, sparse and projected', async () => {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }, { AttributeName: 'l', AttributeType: 'N' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      LocalSecondaryIndexes: [{ IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: '1' }, g: { S: 'G' }, l: { N: '3' }, extra: { S: 'e' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: '2' }, l: { N: '1' } } }));
    const byG = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } }));
    assert.deepEqual(byG.Items, [{ pk: { S: 'p' }, sk: { S: '1' }, g: { S: 'G' } }]);
    const byL = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'byL', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    assert.deepEqual(byL.Items?.map((i) => i.sk?.S), ['2', '1']);
    const gsiAll = await rejects(ddb.send(new QueryCommand({ TableName: name, IndexName: 'byG', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } })));
    assert.equal(gsiAll.message, 'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL');
    const scan = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'byG', ReturnConsumedCapacity: 'INDEXES' }));
    assert.equal(scan.Count, 1);
    assert.deepEqual(scan.ConsumedCapacity?.GlobalSecondaryIndexes, { byG: { CapacityUnits: 0.5 } });
    const err = await rejects(ddb.send(new QueryCommand({ TableName: name, IndexName: 'byG', ConsistentRead: true, KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } })));
    assert.equal(err.message, 'Consistent reads are not supported on global secondary indexes');
    const mismatch = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: '3' }, g: { N: '1' } } })));
    assert.equal(mismatch.message, 'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG');
    const updateMismatch = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } }, UpdateExpression: 'SET g = :n', ExpressionAttributeValues: { ':n': { N: '1' } } })));
    assert.equal(updateMismatch.message, 'The update expression attempted to update the secondary index key to unsupported type');
    // The legacy AttributeUpdates are worded as a PutItem is (ScyllaDB's Alternator test_gsi.py, run against AWS).
    const legacyMismatch = await rejects(ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'p' }, sk: { S: '1' } }, AttributeUpdates: { g: { Action: 'PUT', Value: { N: '1' } } } })));
    assert.equal(legacyMismatch.message, 'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG');
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(d.Table?.GlobalSecondaryIndexes?.[0]?.ItemCount, 1);
    assert.equal(d.Table?.ItemCount, 2);
  });

  it('a KEYS_ONLY local index returns keys, and fetches the rest from the table when asked', async () => {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'l', AttributeType: 'N' }],
      LocalSecondaryIndexes: [{ IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { S: '1' }, l: { N: '5' }, extra: { S: 'e' } } }));
    const q = { TableName: name, IndexName: 'byL', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } };
    assert.deepEqual((await ddb.send(new QueryCommand(q))).Items, [{ pk: { S: 'p' }, sk: { S: '1' }, l: { N: '5' } }]);
    assert.equal((await ddb.send(new QueryCommand({ ...q, Select: 'ALL_ATTRIBUTES' }))).Items?.[0]?.extra?.S, 'e');
    assert.deepEqual((await ddb.send(new QueryCommand({ ...q, ProjectionExpression: 'extra' }))).Items, [{ extra: { S: 'e' } }]);
  });

  it('UpdateTable adds a GSI backfilled from existing items', async () => {
    const name = await table();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, color: { S: 'red' } } }));
    const updated = await ddb.send(new UpdateTableCommand({
      TableName: name, AttributeDefinitions: [{ AttributeName: 'color', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byColor', KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    }));
    assert.equal(updated.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexStatus, 'CREATING');
    const described = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(described.Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus, 'ACTIVE');
    const r = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'byColor', KeyConditionExpression: 'color = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } }));
    assert.deepEqual(r.Items, [{ pk: { S: 'a' }, color: { S: 'red' } }]);
  });

  it('UpdateTable removes a GSI, one online index change a call: answered as DELETING, then gone from the description and no longer queryable; removing it twice fails', async () => {
    const name = await table({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'color', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byColor', KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, color: { S: 'red' } } }));
    const query = () => ddb.send(new QueryCommand({ TableName: name, IndexName: 'byColor', KeyConditionExpression: 'color = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } }));
    assert.equal((await query()).Count, 1);
    const two = await rejects(ddb.send(new UpdateTableCommand({
      TableName: name, AttributeDefinitions: [{ AttributeName: 'size', AttributeType: 'N' }],
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byColor' } }, { Create: { IndexName: 'bySize', KeySchema: [{ AttributeName: 'size', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    })));
    assert.equal(two.name, 'LimitExceededException');
    assert.equal(two.message, 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table');
    assert.equal((await query()).Count, 1);
    // The answer still lists the index, as DELETING; the next read no longer does.
    const deleting = await ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byColor' } }] }));
    assert.deepEqual(deleting.TableDescription?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.IndexStatus]), [['byColor', 'DELETING']]);
    assert.equal(deleting.TableDescription?.TableStatus, 'UPDATING');
    const described = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(described.Table?.GlobalSecondaryIndexes, undefined);
    const gone = await rejects(query());
    assert.equal(gone.name, 'ValidationException');
    assert.equal(gone.message, 'The table does not have the specified index: byColor');
    const twice = await rejects(ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byColor' } }] })));
    assert.equal(twice.name, 'ResourceNotFoundException');
    assert.equal(twice.message, `Requested resource not found: Index: byColor not found in table: ${name}`);
    // The item itself stays, and a GetItem still finds it.
    assert.deepEqual((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }))).Item, { pk: { S: 'a' }, color: { S: 'red' } });
  });

  it('a GSI added by UpdateTable needs its keys in the request\'s AttributeDefinitions and may not redefine a type; deleting the GSI frees its attribute', async () => {
    const name = await table({}, { name: 'sk', type: 'S' });
    const create = (attr: string, type: 'S' | 'N' | undefined, index = `by-${attr}-${type}`) => ddb.send(new UpdateTableCommand({
      TableName: name, ...(type ? { AttributeDefinitions: [{ AttributeName: attr, AttributeType: type }] } : {}),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index, KeySchema: [{ AttributeName: attr, KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    }));
    const undefinedKey = await rejects(create('sk', undefined));
    assert.equal(undefinedKey.name, 'ValidationException');
    assert.equal(undefinedKey.message, 'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [sk], AttributeDefinitions: []');
    const retyped = await rejects(create('sk', 'N'));
    assert.equal(retyped.message, 'One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. '
      + 'Existing schema: Schema:[SchemaElement: key{pk:S:HASH}, SchemaElement: key{sk:S:RANGE}] New schema: Schema:[SchemaElement: key{sk:N:HASH}]');
    await create('sk', 'S');
    await create('size', 'N', 'bySize');
    await ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'bySize' } }] }));
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.deepEqual(d.Table?.AttributeDefinitions?.map((a) => a.AttributeName).sort(), ['pk', 'sk']);
    await create('size', 'S', 'bySizeText');
  });

  it('NonKeyAttributes beside an ALL projection are accepted on a local index and refused on a global one', async () => {
    const indexed = (kind: 'LocalSecondaryIndexes' | 'GlobalSecondaryIndexes') => table({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'a', AttributeType: 'S' }],
      [kind]: [{ IndexName: 'byA', KeySchema: kind === 'LocalSecondaryIndexes' ? [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'a', KeyType: 'RANGE' }] : [{ AttributeName: 'a', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['x'] } }],
    }, { name: 'sk', type: 'S' });
    await indexed('LocalSecondaryIndexes');
    assert.equal((await rejects(indexed('GlobalSecondaryIndexes'))).message, 'One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified');
  });

  it('an attribute keying both a global and a local index is judged, and named, by the global one', async () => {
    const name = await table({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'both', AttributeType: 'S' }],
      LocalSecondaryIndexes: [{ IndexName: 'lsi1', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'both', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      GlobalSecondaryIndexes: [{ IndexName: 'gsi1', KeySchema: [{ AttributeName: 'both', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }, { name: 'sk', type: 'S' });
    const typed = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, sk: { S: 'b' }, both: { N: '1' } } })));
    assert.equal(typed.message, 'One or more parameter values were invalid: Type mismatch for Index Key both Expected: S Actual: N IndexName: gsi1');
    const empty = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, sk: { S: 'b' }, both: { S: '' } } })));
    assert.match(empty.message, /IndexName: gsi1, IndexKey: both$/);
  });

  it('OnDemandThroughput maxima show in DescribeTable, change with UpdateTable (-1 clears one), and are refused on a PROVISIONED table', async () => {
    const name = unique('tbl');
    await table({ TableName: name, OnDemandThroughput: { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 5 } });
    const described = async () => (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.OnDemandThroughput;
    assert.deepEqual(await described(), { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 5 });
    await ddb.send(new UpdateTableCommand({ TableName: name, OnDemandThroughput: { MaxReadRequestUnits: 20 } }));
    assert.deepEqual(await described(), { MaxReadRequestUnits: 20, MaxWriteRequestUnits: 5 });
    await ddb.send(new UpdateTableCommand({ TableName: name, OnDemandThroughput: { MaxWriteRequestUnits: -1 } }));
    assert.deepEqual(await described(), { MaxReadRequestUnits: 20 });
    const zero = await rejects(ddb.send(new UpdateTableCommand({ TableName: name, OnDemandThroughput: { MaxReadRequestUnits: 0 } })));
    assert.equal(zero.message, 'One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range');
    const provisioned = await rejects(table({ BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, OnDemandThroughput: { MaxReadRequestUnits: 10 } }));
    assert.equal(provisioned.message, 'One or more parameter values were invalid: MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED');
  });

  it('UpdateTable adding a GSI keeps only the definitions its keys use, and the stored type of an attribute it does not key on', async () => {
    const name = await table({}, { name: 'sk', type: 'S' });
    await ddb.send(new UpdateTableCommand({
      TableName: name, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }, { AttributeName: 'g1', AttributeType: 'S' }, { AttributeName: 'extraUnused', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byG1', KeySchema: [{ AttributeName: 'g1', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
    }));
    const defs = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!.AttributeDefinitions!;
    assert.deepEqual(defs.sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)), [
      { AttributeName: 'g1', AttributeType: 'S' }, { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
    ]);
  });

  it('a GSI added by UpdateTable leaves out items whose key attribute is empty or longer than a key may be', async () => {
    const name = await table();
    const long = (n: number) => 'x'.repeat(n);
    for (const [pk, v] of [['p2048', long(2048)], ['p2049', long(2049)], ['p1024', long(1024)], ['p1025', long(1025)], ['empty', '']]) {
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: pk! }, g: { S: 'same' }, v: { S: v! } } }));
    }
    const add = (index: string, keys: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]) => ddb.send(new UpdateTableCommand({
      TableName: name, AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' as const })),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index, KeySchema: keys, Projection: { ProjectionType: 'KEYS_ONLY' } } }],
    }));
    const indexed = async (index: string) => (await ddb.send(new ScanCommand({ TableName: name, IndexName: index }))).Items!.map((i) => i.pk!.S).sort();
    await add('byV', [{ AttributeName: 'v', KeyType: 'HASH' }]);
    assert.deepEqual(await indexed('byV'), ['p1024', 'p1025', 'p2048']);
    await add('byGV', [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 'v', KeyType: 'RANGE' }]);
    assert.deepEqual(await indexed('byGV'), ['p1024']);
  });

  it('tags: a bare name and an index ARN are refused, and CreateTable with more than 50 tags makes no table', async () => {
    const name = await table({}, { name: 'sk', type: 'S' });
    const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
    const bare = await rejects(ddb.send(new TagResourceCommand({ ResourceArn: name, Tags: [{ Key: 'k', Value: 'v' }] })));
    assert.equal(bare.name, 'ValidationException');
    assert.equal(bare.message, `One or more parameter values were invalid: ARNs must start with 'arn:': ${name}`);
    const index = await rejects(ddb.send(new ListTagsOfResourceCommand({ ResourceArn: `${arn}/index/byX` })));
    assert.equal(index.name, 'ValidationException');
    assert.equal(index.message, `One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}/index/byX`);
    assert.deepEqual((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags, []);
    for (const other of ['arn:aws:s3:::bucket', `${arn}/backup/01796290592162-1a2b3c4d`]) {
      const e = await rejects(ddb.send(new ListTagsOfResourceCommand({ ResourceArn: other })));
      assert.equal(e.message, `One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: ${other}`);
    }
    const west = arn.replace('us-east-1', 'us-west-2');
    assert.equal((await rejects(ddb.send(new ListTagsOfResourceCommand({ ResourceArn: west })))).message, `Invalid TableArn: Invalid ResourceArn provided as input ${west}`);
    const tagged = unique('tbl');
    const many = await rejects(table({ TableName: tagged, Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }));
    assert.equal(many.name, 'ValidationException');
    assert.equal(many.message, 'Number of Tags exceed the current limit for the provided ResourceArn');
    assert.equal((await rejects(ddb.send(new DescribeTableCommand({ TableName: tagged })))).name, 'ResourceNotFoundException');
    await table({ Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) });
    const badTag = await rejects(table({ TableName: tagged, Tags: [{ Key: 'ok', Value: '100%' }] }));
    assert.equal(badTag.message, 'The Tag Value provided is invalid, Value: 100%');
    assert.equal((await rejects(ddb.send(new DescribeTableCommand({ TableName: tagged })))).name, 'ResourceNotFoundException');
  });

  it('tags: keys and values are letters, digits, spaces and _.:/=+-@ of any script, and a request with one bad tag applies none', async () => {
    const name = await table();
    const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
    const good = [{ Key: 'ключ', Value: 'café 表' }, { Key: 'a+b-c=d', Value: 'e.f_g:h/i@j' }, { Key: 'k'.repeat(128), Value: 'v'.repeat(256) }, { Key: 'empty', Value: '' }];
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: good }));
    const refused = async (Tags: { Key?: string; Value?: string }[]) => {
      const e = await rejects(ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'fresh', Value: 'x' }, ...Tags] as { Key: string; Value: string }[] })));
      assert.equal(e.name, 'ValidationException');
      return e.message;
    };
    assert.equal(await refused([{ Key: 'a,b', Value: 'v' }]), 'The Tag Key provided is invalid, Key: a,b');
    assert.equal(await refused([{ Key: '', Value: 'v' }]), 'The Tag Key provided is invalid, Key: ');
    assert.equal(await refused([{ Key: 'k'.repeat(129), Value: 'v' }]), `The Tag Key provided is invalid, Key: ${'k'.repeat(129)}`);
    assert.equal(await refused([{ Value: 'v' }]), 'The Tag Key provided is invalid, Key: null');
    assert.equal(await refused([{ Key: 'k' }]), 'The Tag Value provided is invalid, Value: null');
    assert.equal(await refused([{ Key: 'k', Value: '🔑' }]), 'The Tag Value provided is invalid, Value: 🔑');
    assert.equal(await refused([{ Key: 'aws:owner', Value: 'v' }]), 'Tag Key cannot be prefixed with aws:, Key: aws:owner');
    assert.equal(await refused([{ Key: 'fresh', Value: 'y' }]), 'Duplicate Tag Keys provided as input: Duplicate Tag Key found fresh');
    assert.equal(await refused(Array.from({ length: 46 }, (_, i) => ({ Key: `n${i}`, Value: 'v' }))), 'Number of Tags exceed the current limit for the provided ResourceArn');
    const untag = await rejects(ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['empty', ''] })));
    assert.equal(untag.message, 'The Tag Key provided is invalid, Key: ');
    const listed = (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags!;
    assert.deepEqual(listed.map((t) => t.Key).sort(), good.map((t) => t.Key).sort());
  });

  it('Scan pages through every item once, also split into parallel segments', async () => {
    const name = await table();
    for (let i = 0; i < 25; i++) await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `k${i}` }, n: { N: String(i) } } }));
    const seen: string[] = [];
    let start: Record<string, any> | undefined;
    do {
      const page = await ddb.send(new ScanCommand({ TableName: name, Limit: 7, ExclusiveStartKey: start }));
      seen.push(...page.Items!.map((i) => i.pk!.S!));
      start = page.LastEvaluatedKey;
    } while (start);
    assert.equal(new Set(seen).size, 25);
    const segs = await Promise.all([0, 1, 2].map((Segment) => ddb.send(new ScanCommand({ TableName: name, Segment, TotalSegments: 3 }))));
    assert.equal(segs.reduce((n, s) => n + s.Count!, 0), 25);
    const filtered = await ddb.send(new ScanCommand({ TableName: name, FilterExpression: 'n >= :ten', ExpressionAttributeValues: { ':ten': { N: '10' } } }));
    assert.equal(filtered.Count, 15);
    assert.equal(filtered.ScannedCount, 25);
    const err = await rejects(ddb.send(new ScanCommand({ TableName: name, Segment: 3, TotalSegments: 3 })));
    assert.equal(err.message, 'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3');
    // A segment's page resumes in that segment only.
    const Segment = segs.findIndex((s) => s.Count! >= 2);
    const first = await ddb.send(new ScanCommand({ TableName: name, Segment, TotalSegments: 3, Limit: 1 }));
    const rest = await ddb.send(new ScanCommand({ TableName: name, Segment, TotalSegments: 3, ExclusiveStartKey: first.LastEvaluatedKey }));
    assert.equal(rest.Count, segs[Segment]!.Count! - 1);
    const elsewhere = await rejects(ddb.send(new ScanCommand({ TableName: name, Segment: (Segment + 1) % 3, TotalSegments: 3, ExclusiveStartKey: first.LastEvaluatedKey })));
    assert.equal(elsewhere.message, 'The provided Exclusive start key does not map to the provided Segment and TotalSegments values.');
  });

  it('Query pages stop at 1 MB of data read', async () => {
    const name = await table({}, { name: 'sk', type: 'N' });
    const blob = 'x'.repeat(300 * 1024);
    for (let i = 0; i < 5; i++) await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { N: String(i) }, blob: { S: blob } } }));
    const r = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
    assert.equal(r.Count, 3);
    assert.deepEqual(r.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '2' } });
  });

  it('binary sort keys order bytewise and key sizes are limited', async () => {
    const name = await table({}, { name: 'sk', type: 'B' });
    for (const bytes of [[0xff], [0x01, 0x02], [0x00], [0x01], [0x00, 0x00], [0x80]]) {
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { B: new Uint8Array(bytes) } } }));
    }
    const r = await ddb.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p AND sk >= :lo', ExpressionAttributeValues: { ':p': { S: 'p' }, ':lo': { B: new Uint8Array([0x00, 0x00]) } } }));
    assert.deepEqual(r.Items?.map((i) => Buffer.from(i.sk!.B!).toString('hex')), ['0000', '01', '0102', '80', 'ff']);
    const bigHash = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'h'.repeat(2049) }, sk: { B: new Uint8Array([1]) } } })));
    assert.equal(bigHash.message, 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes');
    const bigRange = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { B: new Uint8Array(1025) } } })));
    assert.equal(bigRange.message, 'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
    const emptyBin = await rejects(ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'p' }, sk: { B: new Uint8Array(0) } } })));
    assert.equal(emptyBin.message, 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk');
    // The same words for a Key parameter (the Parity Suite's recordings of GetItem, DeleteItem, UpdateItem).
    const emptyKey = await rejects(ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'p' }, sk: { B: new Uint8Array(0) } } })));
    assert.equal(emptyKey.message, 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk');
  });

  it('tables and items survive a restart of a persistent Nimbus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-'));
    try {
      let local = await start({ ephemeral: false, dataDir });
      let c = new DynamoDBClient(clientConfig(local));
      await c.send(new CreateTableCommand({ TableName: 'kept', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      await c.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' }, n: { N: '12345678901234567890.5' }, b: { B: Buffer.from('bin') } } }));
      await local.stop();
      local = await start({ ephemeral: false, dataDir });
      c = new DynamoDBClient(clientConfig(local));
      const got = await c.send(new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' } } }));
      assert.equal(got.Item?.n?.N, '12345678901234567890.5');
      assert.equal(Buffer.from(got.Item!.b!.B!).toString(), 'bin');
      await local.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the AWS CLI creates a table, puts, gets and queries items', async () => {
    const name = unique('cli');
    const created = await aws(nimbus, ['dynamodb', 'create-table', '--table-name', name, '--attribute-definitions', 'AttributeName=id,AttributeType=S',
      '--key-schema', 'AttributeName=id,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.TableDescription.TableName, name);
    assert.equal((await aws(nimbus, ['dynamodb', 'wait', 'table-exists', '--table-name', name])).code, 0);
    const put = await aws(nimbus, ['dynamodb', 'put-item', '--table-name', name, '--item', '{"id":{"S":"1"},"n":{"N":"5"}}']);
    assert.equal(put.code, 0, put.stderr);
    const got = await aws(nimbus, ['dynamodb', 'get-item', '--table-name', name, '--key', '{"id":{"S":"1"}}']);
    assert.deepEqual(got.json.Item, { id: { S: '1' }, n: { N: '5' } });
    const q = await aws(nimbus, ['dynamodb', 'query', '--table-name', name, '--key-condition-expression', 'id = :id', '--expression-attribute-values', '{":id":{"S":"1"}}']);
    assert.equal(q.json.Count, 1);
    const bad = await aws(nimbus, ['dynamodb', 'get-item', '--table-name', 'missing-cli', '--key', '{"id":{"S":"1"}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ResourceNotFoundException/);
  });
});
