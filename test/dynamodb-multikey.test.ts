import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchExecuteStatementCommand, CreateTableCommand, DescribeTableCommand, DynamoDBClient, ExecuteStatementCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand, UpdateTableCommand,
  type AttributeValue, type CreateTableCommandInput, type KeySchemaElement, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { Nimbus } from '../src/index.js';
import { partBytes, tupleElement } from '../src/services/dynamodb/table.js';
import { clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const hash = (...names: string[]) => names.map((AttributeName): KeySchemaElement => ({ AttributeName, KeyType: 'HASH' }));
const range = (...names: string[]) => names.map((AttributeName): KeySchemaElement => ({ AttributeName, KeyType: 'RANGE' }));

describe('tuple encoding of multi-attribute key parts', () => {
  const values = fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a));
  const sign = (n: number) => Math.sign(n);

  it('concatenated elements compare as their lists do, value by value', () => {
    fc.assert(fc.property(fc.array(values, { minLength: 2, maxLength: 4 }), fc.array(values, { minLength: 2, maxLength: 4 }), (a, b) => {
      const n = Math.min(a.length, b.length);
      const [x, y] = [a.slice(0, n), b.slice(0, n)];
      const i = x.findIndex((v, k) => !v.equals(y[k]!));
      const expected = i < 0 ? 0 : Buffer.compare(x[i]!, y[i]!);
      assert.equal(sign(Buffer.compare(partBytes(x), partBytes(y))), sign(expected));
    }));
  });

  it('no element is a prefix of another', () => {
    fc.assert(fc.property(values, values, (a, b) => {
      fc.pre(!a.equals(b));
      const [x, y] = [tupleElement(a), tupleElement(b)];
      assert.ok(!y.subarray(0, x.length).equals(x));
    }));
  });

  it('a part of one attribute keeps that attribute\'s own bytes', () => {
    assert.deepEqual(partBytes([Buffer.from('abc')]), Buffer.from('abc'));
  });
});

describe('DynamoDB global secondary indexes with multi-attribute keys', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /** A table keyed by `pk` with one GSI `gsi` of the given key schema; every other attribute is typed by `types`. */
  async function table(keySchema: KeySchemaElement[], types: Record<string, 'S' | 'N' | 'B'> = {}, extra: Partial<CreateTableCommandInput> = {}): Promise<string> {
    const name = unique('multikey');
    const attrs = ['pk', ...keySchema.map((k) => k.AttributeName!)];
    await ddb.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attrs.map((a) => ({ AttributeName: a, AttributeType: types[a] ?? 'S' })),
      KeySchema: hash('pk'),
      GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: keySchema, Projection: { ProjectionType: 'ALL' } }],
      ...extra,
    }));
    return name;
  }

  async function put(name: string, item: Record<string, AttributeValue>) {
    await ddb.send(new PutItemCommand({ TableName: name, Item: item }));
  }

  async function query(name: string, KeyConditionExpression: string, values: Record<string, AttributeValue>, extra: Partial<QueryCommandInput> = {}) {
    return ddb.send(new QueryCommand({ TableName: name, IndexName: 'gsi', KeyConditionExpression, ExpressionAttributeValues: values, ...extra }));
  }

  const pks = (r: { Items?: Record<string, AttributeValue>[] }) => (r.Items ?? []).map((i) => i.pk!.S);

  it('CreateTable accepts up to four HASH and four RANGE attributes, and DescribeTable lists them in order', async () => {
    const schema = [...hash('h1', 'h2', 'h3', 'h4'), ...range('r1', 'r2', 'r3', 'r4')];
    const name = await table(schema);
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.deepEqual(d.Table?.GlobalSecondaryIndexes?.[0]?.KeySchema, schema);
  });

  it('CreateTable refuses a fifth RANGE attribute, a HASH after a RANGE, a repeated attribute, and more than two in a local index', async () => {
    const tooMany = await rejects(table([...hash('h'), ...range('a', 'b', 'c', 'd', 'e')]));
    assert.equal(tooMany.name, 'ValidationException');
    assert.equal(tooMany.message, 'One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key attributes');
    const misordered = await rejects(table([...hash('h'), ...range('a'), ...hash('g')]));
    assert.equal(misordered.message, 'One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema');
    const name = unique('multikey');
    const repeated = await rejects(ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: hash('pk'),
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'a', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [...hash('pk'), ...range('a', 'a')], Projection: { ProjectionType: 'ALL' } }],
    })));
    assert.equal(repeated.message, 'The KeySchema contains multiple key attributes with the same name');
    const local = await rejects(ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [...hash('pk'), ...range('sk')],
      AttributeDefinitions: ['pk', 'sk', 'a'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [...hash('pk'), ...range('sk', 'a')], Projection: { ProjectionType: 'ALL' } }],
    })));
    assert.match(local.message, /at 'localSecondaryIndexes.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2$/);
  });

  it('Query orders by the RANGE attributes one after another, narrows by a prefix of equalities and a last range condition', async () => {
    const name = await table([...hash('h'), ...range('a', 'n', 'c')], { n: 'N' });
    const rows: Array<[string, string, number, string | undefined]> = [
      ['p1', 'x', 10, 'b'], ['p2', 'x', 9, 'z'], ['p3', 'x', 10, 'a'], ['p4', 'w', 100, 'a'], ['p5', 'x', -1, 'a'], ['p6', 'x', 10, undefined],
    ];
    for (const [pk, a, n, c] of rows) await put(name, { pk: S(pk), h: S('o'), a: S(a), n: N(n), ...(c ? { c: S(c) } : {}) });
    // Numbers order by value, not as text; the item without c is not in the index.
    assert.deepEqual(pks(await query(name, 'h = :h', { ':h': S('o') })), ['p4', 'p5', 'p2', 'p3', 'p1']);
    assert.deepEqual(pks(await query(name, 'h = :h', { ':h': S('o') }, { ScanIndexForward: false })), ['p1', 'p3', 'p2', 'p5', 'p4']);
    assert.deepEqual(pks(await query(name, 'h = :h AND a = :a AND n >= :n', { ':h': S('o'), ':a': S('x'), ':n': N(9) })), ['p2', 'p3', 'p1']);
    assert.deepEqual(pks(await query(name, 'n = :n AND a = :a AND h = :h AND c < :c', { ':h': S('o'), ':a': S('x'), ':n': N(10), ':c': S('b') })), ['p3']);
    assert.deepEqual(pks(await query(name, 'h = :h AND a = :a AND n BETWEEN :lo AND :hi', { ':h': S('o'), ':a': S('x'), ':lo': N(-1), ':hi': N(9) })), ['p5', 'p2']);
    assert.deepEqual(pks(await query(name, 'h = :h AND begins_with(a, :a)', { ':h': S('o'), ':a': S('w') })), ['p4']);
    assert.deepEqual(pks(await query(name, 'h = :h AND a > :a', { ':h': S('o'), ':a': S('w') })), ['p5', 'p2', 'p3', 'p1']);
    const legacy = await ddb.send(new QueryCommand({
      TableName: name, IndexName: 'gsi',
      KeyConditions: { h: { ComparisonOperator: 'EQ', AttributeValueList: [S('o')] }, a: { ComparisonOperator: 'EQ', AttributeValueList: [S('x')] }, n: { ComparisonOperator: 'GT', AttributeValueList: [N(9)] } },
    }));
    assert.deepEqual(pks(legacy), ['p3', 'p1']);
  });

  it('Query pages carry every key attribute in LastEvaluatedKey and resume from it', async () => {
    const name = await table([...hash('h'), ...range('a', 'b')]);
    for (let i = 0; i < 5; i++) await put(name, { pk: S(`p${i}`), h: S('o'), a: S(i < 3 ? 'x' : 'y'), b: S(String(9 - i)) });
    const seen: Array<string | undefined> = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await query(name, 'h = :h', { ':h': S('o') }, { Limit: 2, ExclusiveStartKey: start });
      seen.push(...pks(page));
      start = page.LastEvaluatedKey;
      if (start) assert.deepEqual(Object.keys(start).sort(), ['a', 'b', 'h', 'pk']);
    } while (start);
    assert.deepEqual(seen, ['p2', 'p1', 'p0', 'p4', 'p3']);
    const scanned = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'gsi', Limit: 4 }));
    assert.deepEqual(Object.keys(scanned.LastEvaluatedKey ?? {}).sort(), ['a', 'b', 'h', 'pk']);
    const rest = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'gsi', ExclusiveStartKey: scanned.LastEvaluatedKey }));
    assert.equal(new Set([...pks(scanned), ...pks(rest)]).size, 5);
  });

  it('every HASH attribute needs an equality, and RANGE attributes are named left to right with equalities before the last', async () => {
    const name = await table([...hash('h1', 'h2'), ...range('a', 'b', 'c')]);
    await put(name, { pk: S('p'), h1: S('x'), h2: S('y'), a: S('1'), b: S('2'), c: S('3') });
    assert.deepEqual(pks(await query(name, 'h1 = :x AND h2 = :y AND a = :a', { ':x': S('x'), ':y': S('y'), ':a': S('1') })), ['p']);
    assert.deepEqual(pks(await query(name, 'h1 = :x AND h2 = :x', { ':x': S('x') })), []);
    const missing = await rejects(query(name, 'h1 = :x', { ':x': S('x') }));
    assert.equal(missing.message, 'Query condition missed key schema element: h2');
    const gap = await rejects(query(name, 'h1 = :x AND h2 = :y AND c = :c', { ':x': S('x'), ':y': S('y'), ':c': S('3') }));
    assert.equal(gap.message, 'RANGE key attributes a, b must have equality conditions specified in the query because a condition is present on key attribute c');
    const early = await rejects(query(name, 'h1 = :x AND h2 = :y AND a < :a AND b = :b', { ':x': S('x'), ':y': S('y'), ':a': S('1'), ':b': S('2') }));
    assert.equal(early.message, 'RANGE key attributes a must have equality conditions specified in the query because a condition is present on key attribute b');
    const hashRange = await rejects(query(name, 'h1 = :x AND h2 > :y', { ':x': S('x'), ':y': S('y') }));
    assert.equal(hashRange.message, 'Query key condition not supported');
  });

  it('a write with an index key attribute of the wrong type is refused, naming the index', async () => {
    const name = await table([...hash('h'), ...range('a', 'n')], { n: 'N' });
    const e = await rejects(put(name, { pk: S('p'), h: S('o'), a: S('x'), n: S('ten') }));
    assert.equal(e.message, 'One or more parameter values were invalid: Type mismatch for Index Key n Expected: N Actual: S IndexName: gsi');
  });

  it('an update that completes the key puts the item in the index, and one that removes a key attribute takes it out', async () => {
    const name = await table([...hash('h'), ...range('a', 'b')]);
    await put(name, { pk: S('p'), h: S('o'), a: S('x') });
    assert.deepEqual(pks(await query(name, 'h = :h', { ':h': S('o') })), []);
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('p') }, UpdateExpression: 'SET b = :b', ExpressionAttributeValues: { ':b': S('y') } }));
    assert.deepEqual(pks(await query(name, 'h = :h AND a = :a AND b = :b', { ':h': S('o'), ':a': S('x'), ':b': S('y') })), ['p']);
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('p') }, UpdateExpression: 'REMOVE a' }));
    assert.deepEqual(pks(await query(name, 'h = :h', { ':h': S('o') })), []);
  });

  it('UpdateTable creates a multi-attribute index and fills it from the items already there', async () => {
    const name = unique('multikey');
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: hash('pk'), AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
    await put(name, { pk: S('p1'), h1: S('a'), h2: S('b'), r: S('2') });
    await put(name, { pk: S('p2'), h1: S('a'), h2: S('b'), r: S('1') });
    await put(name, { pk: S('p3'), h1: S('a'), r: S('0') });
    const tooMany = await rejects(ddb.send(new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: ['h1', 'h2', 'h3', 'h4', 'h5'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'gsi', KeySchema: hash('h1', 'h2', 'h3', 'h4', 'h5'), Projection: { ProjectionType: 'ALL' } } }],
    })));
    assert.equal(tooMany.message, 'One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes');
    await ddb.send(new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: ['h1', 'h2', 'r'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'gsi', KeySchema: [...hash('h1', 'h2'), ...range('r')], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
    }));
    const r = await query(name, 'h2 = :b AND h1 = :a', { ':a': S('a'), ':b': S('b') });
    assert.deepEqual(r.Items, [{ pk: S('p2'), h1: S('a'), h2: S('b'), r: S('1') }, { pk: S('p1'), h1: S('a'), h2: S('b'), r: S('2') }]);
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(d.Table?.GlobalSecondaryIndexes?.[0]?.ItemCount, 2);
  });

  it('PartiQL reads no multi-attribute index, in a batch only that statement failing, while the table and its other indexes read', async () => {
    const name = await table([...hash('h1', 'h2'), ...range('r')], {}, {
      AttributeDefinitions: ['pk', 'h1', 'h2', 'r', 'g'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      GlobalSecondaryIndexes: [
        { IndexName: 'gsi', KeySchema: [...hash('h1', 'h2'), ...range('r')], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'single', KeySchema: hash('g'), Projection: { ProjectionType: 'ALL' } },
      ],
    });
    await put(name, { pk: S('p'), h1: S('a'), h2: S('b'), r: S('c'), g: S('d') });
    const refused = 'PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.';
    for (const where of [`WHERE h1 = 'a' AND h2 = 'b'`, `WHERE h1 = 5`, '']) {
      const e = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."gsi" ${where}` })));
      assert.equal(e.name, 'ValidationException');
      assert.equal(e.message, refused);
    }
    // A function in the SELECT list is refused after the index is judged, before it without one.
    const count = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT COUNT(*) FROM "${name}"."gsi" WHERE h1 = 'a'` })));
    assert.equal(count.message, refused);
    for (const from of [`"${name}"."single"`, `"${name}"`]) {
      const other = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT COUNT(*) FROM ${from} WHERE g = 'd'` })));
      assert.equal(other.message, 'Unexpected path component at 1:8:5');
    }
    const cut = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."gsi" WHERE` })));
    assert.equal(cut.message, "Statement wasn't well formed, can't be processed: Unexpected term");
    assert.equal((await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."single" WHERE g = 'd'` }))).Items?.length, 1);
    const batch = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
      { Statement: `SELECT * FROM "${name}"."gsi" WHERE pk = 'p'` },
      { Statement: `SELECT * FROM "${name}"."single" WHERE g = 'd'` },
      { Statement: `SELECT * FROM "${name}" WHERE pk = 'p'` },
    ] }));
    assert.deepEqual(batch.Responses?.map((r) => r.Error?.Message), [
      refused, 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.', undefined,
    ]);
    assert.deepEqual(batch.Responses?.[2]?.Item?.pk, S('p'));
  });
});
