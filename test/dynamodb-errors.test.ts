import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/**
 * DynamoDB's errors on the wire: `__type` is the error's absolute shape id, as Coral (the
 * framework behind DynamoDB) writes it, and the SDK and the CLI still name the error by its code.
 */

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;
const AUTH = 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00';

/** One request as raw HTTP: the status and the parsed error body. */
async function post(nimbus: Nimbus, target: string, body?: string, signed = true): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(nimbus.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0', ...(signed ? { authorization: AUTH } : {}) },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('DynamoDB error types', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  let table: string;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    table = unique('errors');
    await ddb.send(new CreateTableCommand({
      TableName: table, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
    }));
  });
  after(() => nimbus.stop());

  it("a missing table is ResourceNotFoundException in DynamoDB's namespace, and by its code to the SDK and the CLI", async () => {
    const res = await post(nimbus, 'DynamoDB_20120810.DescribeTable', '{"TableName":"absent-table"}');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found: Table: absent-table not found' });
    const err = await rejects(ddb.send(new DescribeTableCommand({ TableName: 'absent-table' })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.match(err.message, /Requested resource not found/);
    const cli = await aws(nimbus, ['dynamodb', 'describe-table', '--table-name', 'absent-table']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeTable operation.*: Requested resource not found/);
  });

  it("invalid input is Coral's ValidationException, with a lowercase message member, and ValidationException to the CLI", async () => {
    const res = await post(nimbus, 'DynamoDB_20120810.ListTables', '{"Limit":0}');
    assert.equal(res.status, 400);
    assert.equal(res.body['__type'], 'com.amazon.coral.validate#ValidationException');
    assert.match(res.body['message'] as string, /^1 validation error detected: Value '0' at 'limit'/);
    const cli = await aws(nimbus, ['dynamodb', 'put-item', '--table-name', table, '--item', '{"other":{"S":"x"}}']);
    assert.match(cli.stderr, /An error occurred \(ValidationException\) when calling the PutItem operation.*: One or more parameter values were invalid: Missing the key pk in the item/);
  });

  it("malformed JSON is Coral's SerializationException, its message under Message", async () => {
    const res = await post(nimbus, 'DynamoDB_20120810.ListTables', '{"Limit": "three"}');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { __type: 'com.amazon.coral.service#SerializationException', Message: 'STRING_VALUE cannot be converted to Integer' });
  });

  it("an unknown operation is Coral's UnknownOperationException", async () => {
    const res = await post(nimbus, 'DynamoDB_20120810.DropEverything', '{}');
    assert.equal(res.status, 400);
    assert.equal(res.body['__type'], 'com.amazon.coral.service#UnknownOperationException');
  });

  it('a failed condition is ConditionalCheckFailedException on the wire and to the SDK, with the item asked for', async () => {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'taken' }, v: { N: '1' } } }));
    const body = JSON.stringify({ TableName: table, Item: { pk: { S: 'taken' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    const res = await post(nimbus, 'DynamoDB_20120810.PutItem', body);
    assert.deepEqual(res.body, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { pk: { S: 'taken' }, v: { N: '1' } } });
    const err = await rejects(ddb.send(new PutItemCommand(JSON.parse(body))));
    assert.ok(err instanceof ConditionalCheckFailedException);
    assert.deepEqual(err.Item, { pk: { S: 'taken' }, v: { N: '1' } });
  });

  it('a cancelled transaction is TransactionCanceledException with Message and CancellationReasons', async () => {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'held' } } }));
    const items = [{ Put: { TableName: table, Item: { pk: { S: 'held' } }, ConditionExpression: 'attribute_not_exists(pk)' } }];
    const res = await post(nimbus, 'DynamoDB_20120810.TransactWriteItems', JSON.stringify({ TransactItems: items }));
    assert.deepEqual(res.body, {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
    });
    const err = await rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: items })));
    assert.equal(err.name, 'TransactionCanceledException');
    assert.deepEqual(err.CancellationReasons, [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
  });

  it('an empty body is a SerializationException, even to an operation without required members', async () => {
    for (const target of ['DynamoDB_20120810.ListTables', 'DynamoDB_20120810.PutItem']) {
      const res = await post(nimbus, target);
      assert.equal(res.status, 400);
      assert.equal(res.body['__type'], 'com.amazon.coral.service#SerializationException');
    }
    assert.deepEqual(Object.keys((await post(nimbus, 'DynamoDB_20120810.ListTables', '{}')).body), ['TableNames']);
  });

  it('an unsigned request is refused for its missing signature before its body is read', async () => {
    for (const body of [undefined, '{"TableName": 5', '{}']) {
      const res = await post(nimbus, 'DynamoDB_20120810.ListTables', body, false);
      assert.equal(res.status, 400);
      assert.equal(res.body['__type'], 'com.amazon.coral.service#MissingAuthenticationTokenException');
      assert.equal(res.body['message'], 'Request is missing Authentication Token');
    }
  });

  it('an operation without output (TagResource, UntagResource) answers 200 with no body, as DynamoDB does', async () => {
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table!.TableArn!;
    for (const [target, body] of [['TagResource', { ResourceArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }], ['UntagResource', { ResourceArn: arn, TagKeys: ['k'] }]] as const) {
      const res = await fetch(nimbus.endpoint, {
        method: 'POST', body: JSON.stringify(body),
        headers: { 'x-amz-target': `DynamoDB_20120810.${target}`, 'content-type': 'application/x-amz-json-1.0', authorization: AUTH },
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
    }
  });

  it('an empty body to an operation DynamoDB does not have is still UnknownOperationException', async () => {
    const res = await post(nimbus, 'DynamoDB_20120810.DropEverything');
    assert.equal(res.body['__type'], 'com.amazon.coral.service#UnknownOperationException');
  });
});

describe('DynamoDB Streams error types', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start();
  });
  after(() => nimbus.stop());

  it("a missing stream is ResourceNotFoundException in DynamoDB's namespace; an expired iterator is Streams' own", async () => {
    const missing = await post(nimbus, 'DynamoDBStreams_20120810.DescribeStream', '{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/none/stream/2024-01-01T00:00:00.000"}');
    assert.equal(missing.status, 400);
    assert.equal(missing.body['__type'], 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');

    const ddb = new DynamoDBClient(clientConfig(nimbus));
    const streams = new DynamoDBStreamsClient(clientConfig(nimbus));
    const created = await ddb.send(new CreateTableCommand({
      TableName: unique('streamed'), KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    }));
    const streamArn = created.TableDescription!.LatestStreamArn!;
    const described = await post(nimbus, 'DynamoDBStreams_20120810.DescribeStream', JSON.stringify({ StreamArn: streamArn }));
    const shardId = (described.body['StreamDescription'] as { Shards: { ShardId: string }[] }).Shards[0]!.ShardId;
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '16m' }) });
    const expired = await post(nimbus, 'DynamoDBStreams_20120810.GetRecords', JSON.stringify({ ShardIterator }));
    assert.equal(expired.status, 400);
    assert.equal(expired.body['__type'], 'com.amazonaws.dynamodb.streams.v20120810#ExpiredIteratorException');
  });
});
