import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchExecuteStatementCommand, BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DynamoDBClient, ExecuteStatementCommand,
  ExecuteTransactionCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, TransactGetItemsCommand, TransactWriteItemsCommand, UpdateItemCommand,
  UpdateTableCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { clientConfig, start, withBody } from './helpers.js';

/**
 * Mutated requests: valid inputs of the data-plane operations with members dropped, renamed, set
 * to null or to values of other types, strings cut and spliced with expression tokens, lists
 * padded with nulls, values nested deep. Each must be answered as AWS answers: a result, or an
 * AWS-shaped client error, never a 5xx (an InternalFailure is a handler that crashed). The random
 * source is seeded, so a failure replays; the bodies go out as written, signed by the SDK.
 */

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
const T = 'fuzzed';

const SEEDS = {
  PutItem: [PutItemCommand, { TableName: T, Item: { pk: S('a'), sk: N('1'), v: { M: { a: { L: [S('x'), N('2'), { BOOL: true }, { NULL: true }, { SS: ['a', 'b'] }] } } } }, ConditionExpression: 'attribute_not_exists(#p) OR size(#v.a[0]) > :n', ExpressionAttributeNames: { '#p': 'pk', '#v': 'v' }, ExpressionAttributeValues: { ':n': N('1') }, ReturnValues: 'ALL_OLD' }],
  GetItem: [GetItemCommand, { TableName: T, Key: { pk: S('a'), sk: N('1') }, ProjectionExpression: '#v.a[1], pk', ExpressionAttributeNames: { '#v': 'v' } }],
  UpdateItem: [UpdateItemCommand, { TableName: T, Key: { pk: S('a'), sk: N('1') }, UpdateExpression: 'SET #c = if_not_exists(#c, :z) + :one, l = list_append(if_not_exists(l, :e), :l) REMOVE r ADD s :s DELETE t :t', ExpressionAttributeNames: { '#c': 'c' }, ExpressionAttributeValues: { ':z': N('0'), ':one': N('1'), ':e': { L: [] }, ':l': { L: [S('q')] }, ':s': { NS: ['1'] }, ':t': { SS: ['x'] } }, ReturnValues: 'UPDATED_NEW' }],
  DeleteItem: [DeleteItemCommand, { TableName: T, Key: { pk: S('b'), sk: N('1') }, ConditionExpression: 'attribute_exists(pk) AND begins_with(pk, :p)', ExpressionAttributeValues: { ':p': S('b') } }],
  Query: [QueryCommand, { TableName: T, IndexName: 'bySort', KeyConditionExpression: 'pk = :p AND g BETWEEN :a AND :b', FilterExpression: 'contains(#v, :x) OR attribute_type(c, :t)', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':p': S('a'), ':a': S('0'), ':b': S('9'), ':x': S('q'), ':t': S('N') }, Limit: 5, ScanIndexForward: false }],
  Scan: [ScanCommand, { TableName: T, Segment: 0, TotalSegments: 2, FilterExpression: 'NOT (c IN (:a, :b))', ExpressionAttributeValues: { ':a': N('1'), ':b': N('2') }, Select: 'COUNT' }],
  BatchWriteItem: [BatchWriteItemCommand, { RequestItems: { [T]: [{ PutRequest: { Item: { pk: S('c'), sk: N('2') } } }, { DeleteRequest: { Key: { pk: S('d'), sk: N('2') } } }] } }],
  BatchGetItem: [BatchGetItemCommand, { RequestItems: { [T]: { Keys: [{ pk: S('a'), sk: N('1') }], ProjectionExpression: 'pk' } } }],
  TransactWriteItems: [TransactWriteItemsCommand, { TransactItems: [{ Put: { TableName: T, Item: { pk: S('e'), sk: N('1') } } }, { Update: { TableName: T, Key: { pk: S('f'), sk: N('1') }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': S('y') } } }, { ConditionCheck: { TableName: T, Key: { pk: S('a'), sk: N('1') }, ConditionExpression: 'attribute_exists(pk)' } }], ClientRequestToken: 'token' }],
  TransactGetItems: [TransactGetItemsCommand, { TransactItems: [{ Get: { TableName: T, Key: { pk: S('a'), sk: N('1') } } }] }],
  ExecuteStatement: [ExecuteStatementCommand, { Statement: `SELECT * FROM "${T}" WHERE pk = ? AND sk > ?`, Parameters: [S('a'), N('0')] }],
  BatchExecuteStatement: [BatchExecuteStatementCommand, { Statements: [{ Statement: `UPDATE "${T}" SET x = 1 WHERE pk = 'a' AND sk = 1` }, { Statement: `INSERT INTO "${T}" VALUE {'pk': 'g', 'sk': 1}` }] }],
  ExecuteTransaction: [ExecuteTransactionCommand, { TransactStatements: [{ Statement: `DELETE FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: [S('g'), N('1')] }] }],
  UpdateTable: [UpdateTableCommand, { TableName: T, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }],
} as const;

/** A seeded linear congruential generator: the same seed, the same requests. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const ODD: unknown[] = [null, true, 0, -1, 1e308, 1.5, '', ' ', 'x'.repeat(5000), '\u0000', '😀', '#', ':', 'a.b[0]', '((((', [], {}, [null], S(''), N('abc'), N('1e400'),
  { B: '***' }, { SS: [] }, { SS: ['a', 'a'] }, { L: null }, { M: { '': S('x') } }, { BOOL: 'yes' }, { NULL: false }, { S: 'a', N: '1' }, { NS: ['1', '1.0'] },
  '__proto__', 'constructor', 'ALL_OLD', 'REMOVE x', 'SET a = :a', 'pk = :p', 'attribute_exists(', 'size(a) > :n AND ', 'a IN ()', 'SELECT * FROM',
  `SELECT * FROM "${T}" WHERE pk = 'a' OR pk = 'b'`, `EXISTS(SELECT * FROM "${T}")`, 'arn:', 99999999999];
const TOKENS = ['(', ')', ' ', ',', ':', '#', '.', '[', ']', '0', 'AND', 'OR', '=', '<>', ' BETWEEN ', '"', "'", '\\', '\n', 'é'];

function mutator(rnd: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const deep = (n: number): unknown => {
    let v: unknown = S('x');
    for (let i = 0; i < n; i++) v = rnd() < 0.5 ? { M: { a: v } } : { L: [v] };
    return v;
  };
  const mutate = (v: unknown): unknown => {
    if (rnd() < 0.06) return pick(ODD);
    if (rnd() < 0.01) return deep(Math.floor(rnd() * 80));
    if (Array.isArray(v)) {
      const out = v.map(mutate);
      if (rnd() < 0.1 && v.length) out.push(mutate(pick(v)));
      if (rnd() < 0.05) out.splice(Math.floor(rnd() * (out.length + 1)), 0, null);
      return out;
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) {
        if (rnd() < 0.06) continue;
        out[rnd() < 0.03 ? pick(['', k.toLowerCase(), `${k}x`, 'S', 'N', 'M', 'L']) : k] = rnd() < 0.03 ? null : mutate(e);
      }
      if (rnd() < 0.05) out[pick(['S', 'N', 'Extra', 'ReturnValues', 'Select', 'IndexName', 'Limit', 'ConsistentRead'])] = pick(ODD);
      return out;
    }
    if (typeof v === 'string' && rnd() < 0.15) {
      const i = Math.floor(rnd() * (v.length + 1));
      return v.slice(0, i) + pick(TOKENS) + v.slice(i + (rnd() < 0.5 ? 1 : 0));
    }
    return v;
  };
  return { pick, mutate };
}

describe('DynamoDB under mutated requests', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
    await ddb.send(new CreateTableCommand({
      TableName: T, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }, { AttributeName: 'g', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      LocalSecondaryIndexes: [{ IndexName: 'bySort', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'g', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }));
    await ddb.send(new PutItemCommand({ TableName: T, Item: { pk: S('a'), sk: N('1'), g: S('g'), c: N('5'), s: { NS: ['1', '2'] }, t: { SS: ['x', 'y'] }, l: { L: [S('z')] } } }));
  });
  after(() => nimbus.stop());

  /** The body sent as given, signed by the SDK; the error's HTTP status, name and message, or 200. */
  async function attempt(command: new (input: never) => GetItemCommand, body: unknown): Promise<{ status: number; name: string; message: string }> {
    try {
      await ddb.send(withBody(new command({} as never), JSON.stringify(body)));
      return { status: 200, name: '', message: '' };
    } catch (e) {
      const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { status: err.$metadata?.httpStatusCode ?? 0, name: err.name, message: err.message };
    }
  }

  for (const seed of [1, 2, 3]) {
    it(`answers 1000 mutated requests (seed ${seed}) with results or AWS-shaped client errors, never a 5xx`, async () => {
      const rnd = random(seed);
      const { pick, mutate } = mutator(rnd);
      const names = Object.keys(SEEDS) as (keyof typeof SEEDS)[];
      const wrong: string[] = [];
      for (let n = 0; n < 1000; n++) {
        const [command, input] = SEEDS[pick(names)];
        const body = mutate(input);
        const r = await attempt(command as unknown as new (input: never) => GetItemCommand, body);
        if (r.status >= 500 || r.status === 0 || (r.status !== 200 && !/^[A-Z][A-Za-z]+$/.test(r.name))) wrong.push(`${command.name} ${r.status} ${r.name}: ${r.message} <- ${JSON.stringify(body).slice(0, 300)}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});
