import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchExecuteStatementCommand, CreateTableCommand, DynamoDBClient, ExecuteStatementCommand, ExecuteTransactionCommand, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ExecuteStatementCommand as DocExecute } from '@aws-sdk/lib-dynamodb';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

const NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: ";

describe('DynamoDB PartiQL', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start();
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /** The ValidationException a statement is refused with: its message. */
  async function refusal(statement: string, Parameters?: AttributeValue[]): Promise<string> {
    const err = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: statement, Parameters })));
    assert.equal(err.name, 'ValidationException');
    return err.message;
  }

  async function table(): Promise<string> {
    const name = unique('tbl');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    }));
    return name;
  }

  it('INSERT, SELECT with WHERE, UPDATE with RETURNING and DELETE', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x', 'y'>>, 'n': 10}` }));
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': ?, 'sk': ?, 'n': 20}`, Parameters: [{ S: 'a' }, { N: '2' }] }));
    const dup = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'a', 'sk': 1}` })));
    assert.equal(dup.name, 'DuplicateItemException');
    const sel = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT pk, sk, n FROM "${name}" WHERE pk = 'a' AND n > 15` }));
    assert.deepEqual(sel.Items, [{ pk: { S: 'a' }, sk: { N: '2' }, n: { N: '20' } }]);
    const upd = await ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET n = n + 5 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *` }));
    assert.equal(upd.Items?.[0]?.n?.N, '15');
    const missing = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET n = 1 WHERE pk = 'zz' AND sk = 1` })));
    assert.equal(missing.name, 'ConditionalCheckFailedException');
    await ddb.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "${name}" WHERE pk = 'a' AND sk = 2` }));
    const all = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"` }));
    assert.equal(all.Items?.length, 1);
    const noKey = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "${name}" WHERE pk = 'a'` })));
    assert.equal(noKey.name, 'ValidationException');
    const bad = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELEKT * FROM "${name}"` })));
    assert.equal(bad.name, 'ValidationException');
    assert.match(bad.message, /^Statement wasn't well formed, can't be processed/);
    const noTable = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "no-such-table"' })));
    assert.equal(noTable.name, 'ResourceNotFoundException');
  });

  it('comments are whitespace, numbers may start with a point, and ORDER BY the sort key DESC reads the partition backwards', async () => {
    const name = await table();
    for (const sk of ['1', '2', '3']) await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'o', 'sk': ${sk}}` }));
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'o', 'sk': .75e1}` }));
    const sks = async (statement: string) => (await ddb.send(new ExecuteStatementCommand({ Statement: statement }))).Items?.map((i) => i['sk']?.N);
    assert.deepEqual(await sks(`-- a note\nSELECT sk FROM "${name}" /* a note */ WHERE pk = 'o' -- a note`), ['1', '2', '3', '7.5']);
    assert.deepEqual(await sks(`SELECT sk FROM "${name}" -- WHERE is still read\nWHERE pk = 'o' AND sk = -.1e1`), []);
    assert.deepEqual(await sks(`SELECT sk FROM "${name}" WHERE pk = 'o' ORDER BY sk DESC`), ['7.5', '3', '2', '1']);
    assert.deepEqual(await sks(`SELECT sk FROM "${name}" WHERE pk = 'o' ORDER BY sk ASC`), ['1', '2', '3', '7.5']);
    const hash = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'o' # a note` })));
    assert.equal(hash.name, 'ValidationException');
  });

  it("malformed statements are refused in DynamoDB's words: leftover tokens, aliases, unreadable literals, and numbers named by their path", async () => {
    const name = await table();
    const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = 'a' foo`), `${NOT_WELL_FORMED}Unexpected token after expression`);
    assert.equal(await refusal(`SELECT * FROM "${name}" ORDER BY sk WHERE pk = 'a'`), `${NOT_WELL_FORMED}Unexpected token after expression`);
    assert.equal(await refusal(`INSERT INTO "${name}" t VALUE {'pk': 'a', 'sk': 1}`), `${NOT_WELL_FORMED}Unexpected token after expression`);
    assert.equal(await refusal(`SELECT * FROM "${name}" AS t WHERE pk = 'a'`), 'Aliasing is not supported');
    assert.equal(await refusal(`UPDATE "${name}" t SET a = 3 WHERE pk = 'a' AND sk = 1`), 'Aliasing is not supported');
    assert.equal(await refusal(`DELETE FROM "${name}" t WHERE pk = 'a' AND sk = 1`), 'Aliasing is not supported');
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = 'a' /* note`), NOT_WELL_FORMED);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE sk = 1e2147483648`), NOT_WELL_FORMED);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE sk = 1.5e-2147483647`), NOT_WELL_FORMED);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE sk = 1e126`), `${OVERFLOW} under root`);
    assert.equal(await refusal(`INSERT INTO "${name}" VALUE {'pk': 'a', 'sk': 1e126}`), `${OVERFLOW} under root`);
    assert.equal(await refusal(`INSERT INTO "${name}" VALUE {'pk': 'a', 'sk': 1, 'm': {'x': 1e126}}`), `${OVERFLOW} under root.x`);
    assert.equal(await refusal(`INSERT INTO "${name}" VALUE {'pk': 'a', 'sk': 1, 'l': [1, 1e126]}`), `${OVERFLOW} under root[1]`);
  });

  it('number parameters are read as BigDecimal reads them; a batch reports an unreadable parameter as that statement\'s ValidationError', async () => {
    const name = await table();
    const refusal = async (n: string) => (await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'p' AND n = ?`, Parameters: [{ N: n }] })))).message;
    assert.equal(await refusal('1e99999999999'), 'The parameter cannot be converted to a numeric value: 1e99999999999');
    assert.equal(await refusal('1e-2147483648'), 'The parameter cannot be converted to a numeric value: 1e-2147483648');
    assert.equal(await refusal('1e2147483647'), 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
    // An empty number has nothing to echo, so its message stops before the colon.
    assert.equal(await refusal(''), 'The parameter cannot be converted to a numeric value');
    // Parameters are checked before the statement is read.
    const unread = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'p' AND`, Parameters: [{ SS: ['a', 'a'] }] })));
    assert.equal(unread.message, 'One or more parameter values were invalid: Input collection [a, a] contains duplicates.');
    const inList = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'p' AND n = ?`, Parameters: [{ L: [{ N: '1' }, { NS: ['1', '1e99999999999'] }] }] })));
    assert.equal(inList.message, 'The parameter cannot be converted to a numeric value: 1e99999999999');
    const batch = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
      { Statement: `SELECT * FROM "${name}" WHERE pk = 'p' AND sk = 1 AND n = ?`, Parameters: [{ N: '1e99999999999' }] },
      { Statement: `SELECT * FROM "${name}" WHERE pk = 'p' AND sk = 1` },
    ] }));
    assert.deepEqual(batch.Responses?.map((r) => r.Error), [{ Code: 'ValidationError', Message: 'The parameter cannot be converted to a numeric value: 1e99999999999' }, undefined]);
  });

  it('ExecuteTransaction of writes answers an empty Responses list, with its capacity when asked', async () => {
    const name = await table();
    const r = await ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 'w', 'sk': 1}` },
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 'w', 'sk': 2}` },
    ], ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(r.Responses, []);
    assert.deepEqual(r.ConsumedCapacity, [{ TableName: name, CapacityUnits: 4, WriteCapacityUnits: 4 }]);
  });

  it('WHERE compares a condition function with a boolean and tests types with IS <type>', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'f', 'sk': 1, 'flag': true, 's': 'str'}` }));
    const count = async (where: string) => (await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'f' AND ${where}` }))).Items?.length;
    assert.equal(await count('attribute_exists(flag) = true'), 1);
    assert.equal(await count('attribute_exists(flag) = false'), 0);
    assert.equal(await count('attribute_exists(nope) <> true'), 1);
    assert.equal(await count('flag IS BOOL'), 1);
    assert.equal(await count('s IS STRING'), 1);
    assert.equal(await count('s IS NOT STRING'), 0);
    assert.equal(await count('s IS BOOL'), 0);
  });

  it('an ordering operator refuses an operand of a type with no order; equality takes any type', async () => {
    const name = await table();
    const select = (where: string, Parameters: AttributeValue[]) => ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'o' AND ${where}`, Parameters }));
    for (const [where, params, op, type] of [
      ['v < ?', [{ BOOL: true }], '<', 'BOOL'],
      ['v >= ?', [{ SS: ['a'] }], '>=', 'SS'],
      ['v BETWEEN ? AND ?', [{ N: '1' }, { L: [] }], 'BETWEEN', 'L'],
    ] as [string, AttributeValue[], string, string][]) {
      const err = await rejects(select(where, params));
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.message, `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${type}`);
    }
    assert.deepEqual((await select('v = ?', [{ M: { a: { S: 'b' } } }])).Items, []);
    assert.deepEqual((await select('v < ?', [{ N: '5' }])).Items, []);
  });

  it('attribute_exists and attribute_not_exists take exactly one document path', async () => {
    const name = await table();
    const refusal = async (where: string, Parameters?: AttributeValue[]) => {
      const err = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'e' AND ${where}`, Parameters })));
      assert.equal(err.name, 'ValidationException');
      return err.message;
    };
    assert.equal(await refusal("attribute_exists('a')"), 'Operator or function requires a document path; operator or function: attribute_exists');
    assert.equal(await refusal('attribute_not_exists(?)', [{ S: 'a' }]), 'Operator or function requires a document path; operator or function: attribute_not_exists');
    assert.equal(await refusal('attribute_exists()'), 'Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 0');
    assert.equal(await refusal('attribute_exists(a, b)'), 'Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2');
  });

  it('ExecuteTransaction with a ClientRequestToken runs once: a replay answers again and writes nothing, other statements under it are refused', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'c', 'sk': 1, 'n': 0}` }));
    const increment = [{ Statement: `UPDATE "${name}" SET n = n + 1 WHERE pk = 'c' AND sk = 1` }];
    await ddb.send(new ExecuteTransactionCommand({ TransactStatements: increment, ClientRequestToken: 'once' }));
    await ddb.send(new ExecuteTransactionCommand({ TransactStatements: increment, ClientRequestToken: 'once' }));
    const item = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'c' }, sk: { N: '1' } } }));
    assert.equal(item.Item?.n?.N, '1');
    const other = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `UPDATE "${name}" SET n = 5 WHERE pk = 'c' AND sk = 1` }], ClientRequestToken: 'once' })));
    assert.equal(other.name, 'IdempotentParameterMismatchException');
  });

  it('SELECT pages with Limit and NextToken; the document client binds native parameters', async () => {
    const name = await table();
    const doc = DynamoDBDocumentClient.from(ddb);
    for (let i = 0; i < 5; i++) await doc.send(new DocExecute({ Statement: `INSERT INTO "${name}" VALUE {'pk': ?, 'sk': ?}`, Parameters: ['p', i] }));
    const first = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT sk FROM "${name}" WHERE pk = 'p'`, Limit: 3 }));
    assert.deepEqual(first.Items?.map((i) => i.sk?.N), ['0', '1', '2']);
    const second = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT sk FROM "${name}" WHERE pk = 'p'`, Limit: 3, NextToken: first.NextToken }));
    assert.deepEqual(second.Items?.map((i) => i.sk?.N), ['3', '4']);
    assert.equal(second.NextToken, undefined);
    // A NextToken pages the statement it came from, no other.
    const elsewhere = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}" WHERE pk = 'p'`, Limit: 3, NextToken: first.NextToken })));
    assert.equal(elsewhere.name, 'ValidationException');
    const r = await doc.send(new DocExecute({ Statement: `SELECT * FROM "${name}" WHERE pk = ? AND sk BETWEEN ? AND ?`, Parameters: ['p', 1, 2] }));
    assert.deepEqual(r.Items?.map((i) => i['sk']), [1, 2]);
  });

  it('BatchExecuteStatement reports errors per statement', async () => {
    const name = await table();
    const r = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 'b', 'sk': 1}` },
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 'b', 'sk': 1}` },
    ] }));
    assert.equal(r.Responses?.[0]?.Error, undefined);
    assert.equal(r.Responses?.[1]?.Error?.Code, 'DuplicateItem');
    const reads = await ddb.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM "${name}" WHERE pk = 'b' AND sk = 1` }] }));
    assert.deepEqual(reads.Responses?.[0]?.Item, { pk: { S: 'b' }, sk: { N: '1' } });
  });

  it('ExecuteTransaction is all or nothing', async () => {
    const name = await table();
    await ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 't', 'sk': 1}` },
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 't', 'sk': 2}` },
    ] }));
    const err = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
      { Statement: `INSERT INTO "${name}" VALUE {'pk': 't', 'sk': 3}` },
      { Statement: `UPDATE "${name}" SET v = 1 WHERE pk = 't' AND sk = 99` },
    ] })));
    assert.equal(err.name, 'TransactionCanceledException');
    assert.deepEqual(err.CancellationReasons?.map((r: { Code: string }) => r.Code), ['None', 'ConditionalCheckFailed']);
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 't' }, sk: { N: '3' } } }))).Item, undefined);
    const cli = await aws(nimbus, ['dynamodb', 'execute-statement', '--statement', `SELECT * FROM "${name}" WHERE pk = 't'`]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.json.Items.length, 2);
  });

  it('set_add and set_delete in an UPDATE SET add and remove members; removing the last member removes the attribute', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 's', 'sk': 1, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>}` }));
    const update = (set: string, Parameters?: AttributeValue[]) => ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET ${set} WHERE pk = 's' AND sk = 1`, Parameters }));
    await update("ss = set_add(ss, <<'c', 'a'>>)");
    await update('ns = SET_DELETE(ns, ?)', [{ NS: ['2', '7'] }]);
    await update("fresh = set_add(fresh, <<'x'>>)");
    await update("gone = set_delete(gone, <<'x'>>)");
    let item = (await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 's' }, sk: { N: '1' } } }))).Item!;
    assert.deepEqual([...item['ss']!.SS!].sort(), ['a', 'b', 'c']);
    assert.deepEqual(item['ns'], { NS: ['1'] });
    assert.deepEqual(item['fresh'], { SS: ['x'] });
    assert.equal(item['gone'], undefined);
    await update('ns = set_delete(ns, <<1>>)');
    item = (await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 's' }, sk: { N: '1' } } }))).Item!;
    assert.equal(item['ns'], undefined);
    const missing = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET ss = set_add(ss, <<'x'>>) WHERE pk = 'none' AND sk = 1` })));
    assert.equal(missing.name, 'ConditionalCheckFailedException');
  });

  it('a misused set_add or set_delete is refused with the position of the function or of its first argument', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 's', 'sk': 1, 'ss': <<'a'>>}` }));
    const refusal = async (set: string) => {
      const err = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET ${set} WHERE pk = 's' AND sk = 1` })));
      assert.equal(err.name, 'ValidationException');
      return err.message;
    };
    // The column counts from 1 in the whole statement; `UPDATE "<name>" SET ` comes first.
    const col = (offset: number) => `UPDATE "${name}" SET `.length + offset + 1;
    assert.equal(await refusal("other = set_add(ss, <<'x'>>)"), `The first argument to SET_ADD must equal the assignment value at 1:${col(8)}:7`);
    assert.equal(await refusal("ss = set_delete(<<'a'>>, <<'b'>>)"), `The first argument to SET_DELETE must equal the assignment value at 1:${col(5)}:10`);
    assert.equal(await refusal('ss = set_add(ss)'), `SET_ADD must have exactly two arguments at 1:${col(5)}:7`);
    assert.equal(await refusal("ss = set_add(ss, ['x'])"), `The second argument to SET_ADD must be a value with type SET at 1:${col(13)}:2`);
    assert.equal(await refusal(`"ss" = set_delete("ss", 'x')`), `The second argument to SET_DELETE must be a value with type SET at 1:${col(18)}:4`);
    assert.equal(await refusal('ss = set_add(ss, <<>>)'), 'Empty bags are not supported');
    assert.equal(await refusal('ss = set_add(ss, <<1>>)'), 'An operand in the update expression has an incorrect data type');
    const multiline = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}"\nSET ss = set_add(ss, 'x')\nWHERE pk = 's' AND sk = 1` })));
    assert.equal(multiline.message, 'The second argument to SET_ADD must be a value with type SET at 2:18:2');
  });

  it('functions are refused where DynamoDB does not call them, with their position', async () => {
    const name = await table();
    const at = (statement: string, token: string) => `1:${statement.indexOf(token) + 1}:${token.length}`;
    const projection = `SELECT size(a) FROM "${name}" WHERE pk = 'f'`;
    assert.equal(await refusal(projection), `Unexpected path component at ${at(projection, 'size')}`);
    const exists = `SELECT * FROM "${name}" WHERE pk = 'f' AND EXISTS(a)`;
    assert.equal(await refusal(exists), `Unrecognized function: exists at ${at(exists, 'EXISTS')}`);
    const setAdd = `SELECT * FROM "${name}" WHERE pk = 'f' AND set_add(a, <<'x'>>) = a`;
    assert.equal(await refusal(setAdd), `Unrecognized function: set_add at ${at(setAdd, 'set_add')}`);
    const insert = `INSERT INTO "${name}" VALUE {'pk': 'f', 'sk': 1, 'a': set_add(<<'x'>>, <<'y'>>)}`;
    assert.equal(await refusal(insert), `Unsupported data type: set_add under key root at ${at(insert, 'set_add')}`);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = 'f' AND attribute_exists(m.inner)`), "Statement wasn't well formed, can't be processed: Invalid path dot component");
  });

  it('FROM ... WHERE ... SET|REMOVE updates the item its WHERE names, and needs that WHERE', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'ff', 'sk': 1, 'a': 1, 'b': 'x'}` }));
    const r = await ddb.send(new ExecuteStatementCommand({ Statement: `from "${name}" where pk = ? AND sk = 1 AND a = 1 set c = ? remove b returning all new *`, Parameters: [{ S: 'ff' }, { N: '3' }] }));
    assert.deepEqual(r.Items, [{ pk: { S: 'ff' }, sk: { N: '1' }, a: { N: '1' }, c: { N: '3' } }]);
    const failed = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `FROM "${name}" WHERE pk = 'ff' AND sk = 1 AND a = 2 SET c = 4` })));
    assert.equal(failed.name, 'ConditionalCheckFailedException');
    const absent = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `FROM "${name}" WHERE pk = 'none' AND sk = 1 SET c = 4` })));
    assert.equal(absent.name, 'ConditionalCheckFailedException');
    const noWhere = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `FROM "${name}" SET c = 4` })));
    assert.equal(noWhere.message, 'Where clause does not contain a mandatory equality on all key attributes');
    const whereLast = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `FROM "${name}" SET c = 4 WHERE pk = 'ff' AND sk = 1` })));
    assert.equal(whereLast.message, "Statement wasn't well formed, can't be processed: Unexpected token after expression");
  });

  it('a read in ExecuteTransaction or BatchExecuteStatement names the whole primary key and nothing else', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'k', 'sk': 1, 'flag': 'on'}` }));
    const read = (where: string) => ({ Statement: `SELECT * FROM "${name}" WHERE ${where}` });
    const ok = await ddb.send(new ExecuteTransactionCommand({ TransactStatements: [read("(sk = 1) AND pk IN ['k'] AND pk = 'k'")] }));
    assert.equal(ok.Responses?.[0]?.Item?.['flag']?.S, 'on');
    for (const where of ["pk = 'k'", "pk = 'k' AND sk = 1 AND flag = 'on'", "pk = 'k' AND sk = 1 AND pk = 'j'", "pk = 'k' AND sk = 1 AND attribute_exists(flag)"]) {
      const err = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [read(where)] })));
      assert.equal(err.message, 'Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.', where);
    }
    const batch = await ddb.send(new BatchExecuteStatementCommand({ Statements: [read("pk = 'k' AND sk = 1"), read("pk = 'k'"), read("pk = 'k' AND sk = 1 AND flag = 'on'")] }));
    const refused = { Code: 'ValidationError', Message: 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.' };
    assert.deepEqual(batch.Responses?.map((r) => r.Error ?? r.Item?.['flag']?.S), ['on', refused, refused]);
    const parse = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [read("pk = 'k' AND sk = 1"), read("pk = 'k' AND sk = 2 foo")] })));
    assert.equal(parse.message, "Validation failed in TransactStatements[1]: Statement wasn't well formed, can't be processed: Unexpected token after expression");
  });

  it('EXISTS(SELECT ...) in ExecuteTransaction checks a condition on one item, and is refused elsewhere', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'x', 'sk': 1, 'flag': 'on'}` }));
    const exists = (condition: string) => ({ Statement: `EXISTS(SELECT * FROM "${name}" WHERE pk = 'x' AND sk = 1${condition})` });
    const write = { Statement: `UPDATE "${name}" SET v = 1 WHERE pk = 'x' AND sk = 2` };
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'x', 'sk': 2}` }));
    await ddb.send(new ExecuteTransactionCommand({ TransactStatements: [exists(" AND flag = 'on'"), write] }));
    const failed = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [exists(" AND flag = 'off'"), write] })));
    assert.deepEqual(failed.CancellationReasons?.map((r: { Code: string }) => r.Code), ['ConditionalCheckFailed', 'None']);
    const bare = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [exists(''), write] })));
    assert.equal(bare.message, 'Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition');
    const alone = await rejects(ddb.send(new ExecuteStatementCommand(exists(" AND flag = 'on'"))));
    assert.equal(alone.message, 'EXISTS can only be used in ExecuteTransaction write requests.');
  });

  it('a read of a global index that projects some attributes sees only those, and refuses a column outside them or a consistent read', async () => {
    const name = unique('idx');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['kept'] } }],
    }));
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'p', 'g': 'G', 'kept': 1, 'other': 2}` }));
    const all = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."byG" WHERE g = 'G'` }));
    assert.deepEqual(all.Items, [{ pk: { S: 'p' }, g: { S: 'G' }, kept: { N: '1' } }]);
    const err = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT other, kept, zz, other FROM "${name}"."byG"` })));
    assert.equal(err.message, 'One or more parameter values were invalid: Global secondary index byG does not project [other, zz]');
    const consistent = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."byG"`, ConsistentRead: true })));
    assert.equal(consistent.message, 'Strongly consistent read is not supported on Global Secondary Indexes');
    const unknown = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${name}"."nope"`, ConsistentRead: true })));
    assert.equal(unknown.message, 'The table does not have the specified index');
    assert.equal(await refusal(`SELECT * FROM "${name}"."byG"."more"`), 'A path may contain at most 2 components in the FROM clause');
    assert.equal(await refusal(`SELECT * FROM "${name}"."" WHERE g = 'G'`), 'Path component cannot be an empty string');
    assert.equal(await refusal(`SELECT * FROM "" WHERE g = 'G'`), 'Path component cannot be an empty string');
  });

  it("where a term must start, a refusal names what stands there instead, in PartiQL's words", async () => {
    const name = await table();
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE`), `${NOT_WELL_FORMED}Unexpected term`);
    assert.equal(await refusal(`UPDATE "${name}" SET a = 1 WHERE NOT;`), `${NOT_WELL_FORMED}Unexpected term`);
    assert.equal(await refusal('SELECT * FROM'), `${NOT_WELL_FORMED}Unexpected term`);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = 'a' OR`), `${NOT_WELL_FORMED}Missing right-hand side expression of infix operator`);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE ORDER BY pk`), `${NOT_WELL_FORMED}Unexpected keyword`);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = LIKE`), `${NOT_WELL_FORMED}Unexpected operator`);
    assert.equal(await refusal(`SELECT * FROM "${name}" WHERE pk = 'a' AND x IS FOO`), `${NOT_WELL_FORMED}Expected type name`);
    assert.equal(await refusal("DELETE FROM WHERE pk = 'a'"), `${NOT_WELL_FORMED}Expected identifier for simple path`);
    assert.equal(await refusal('x IS DOUBLE PRECISION'), 'Unsupported operation: IsType');
    // A statement that changes nothing: a misspelt SELECT reads as an operand times a FROM-first UPDATE.
    assert.equal(await refusal(`SLECT * FROM "${name}" WHERE pk = 'a'`), `${NOT_WELL_FORMED}Expected data manipulation`);
    assert.equal(await refusal(`FROM "${name}" WHERE pk = 'a' AND sk = 1`), `${NOT_WELL_FORMED}Expected data manipulation`);
    assert.equal(await refusal(`UPDATE "${name}" WHERE pk = 'a' AND sk = 1`), `${NOT_WELL_FORMED}Expected data manipulation`);
  });

  it('OR branches that read one partition over overlapping sort-key ranges are refused; a branch that makes the read a scan is not', async () => {
    const name = await table();
    for (const sk of [1, 2, 3]) await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'o', 'sk': ${sk}, 'f': 'x'}` }));
    const sks = async (where: string) => (await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT sk FROM "${name}" WHERE ${where}` }))).Items?.map((i) => i['sk']?.N).sort();
    for (const where of ["pk IN ['o', 'o']", "pk = 'o' OR pk = 'o'", "pk = 'o' AND (sk > 0 OR sk < 5)", "pk = 'o' AND (sk = 1 OR f = 'x')", "pk = 'o' AND f = 'x' OR pk = 'o' AND sk = 2", "pk = 'o' AND sk BETWEEN 1 AND 2 OR pk = 'o' AND sk >= 2"]) {
      const err = await rejects(sks(where));
      assert.equal(err.message, 'Overlapping conditions with range keys are not supported in where clause', where);
    }
    assert.deepEqual(await sks("pk = 'o' AND (sk < 2 OR sk > 2 OR sk = 2)"), ['1', '2', '3']);
    assert.deepEqual(await sks("pk = 'o' AND sk IN [1, 3]"), ['1', '3']);
    assert.deepEqual(await sks("pk = 'o' AND NOT sk = 1 OR pk = 'o' AND sk = 2"), ['2', '3']);
    assert.deepEqual(await sks("pk = 'o' AND sk <> 1 OR pk = 'o' AND sk = 2"), ['2', '3']);
    assert.deepEqual(await sks("pk = 'o' OR sk = 1"), ['1', '2', '3']);
    assert.deepEqual(await sks("pk = 'o' AND sk = 1 AND (f = 'x' OR f = 'y')"), ['1']);
    const tx = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT * FROM "${name}" WHERE pk IN ['o', 'o'] AND sk = 1` }] })));
    assert.equal(tx.message, 'Validation failed in TransactStatements[0]: Overlapping conditions with range keys are not supported in where clause');
  });

  it('a BatchExecuteStatement member answers its RETURNING item, is charged at its own consistency, and returns no item for a failed condition', async () => {
    const name = await table();
    for (const sk of [1, 2, 3]) await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'r', 'sk': ${sk}, 'v': 'old'}` }));
    const writes = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
      { Statement: `DELETE FROM "${name}" WHERE pk = 'r' AND sk = 1 RETURNING ALL OLD *` },
      { Statement: `UPDATE "${name}" SET v = 'new' WHERE pk = 'r' AND sk = 2 RETURNING MODIFIED NEW *` },
      { Statement: `UPDATE "${name}" REMOVE v WHERE pk = 'r' AND sk = 3 RETURNING MODIFIED NEW *` },
      { Statement: `UPDATE "${name}" SET v = 'x' WHERE pk = 'r' AND sk = 2 AND v = 'old'`, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
      { Statement: `DELETE FROM "${name}" WHERE pk = 'r' AND sk = 3 RETURNING ALL NEW *` },
    ] }));
    assert.deepEqual(writes.Responses, [
      { TableName: name, Item: { pk: { S: 'r' }, sk: { N: '1' }, v: { S: 'old' } } },
      { TableName: name, Item: { v: { S: 'new' } } },
      { TableName: name },
      { TableName: name, Error: { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } },
      { Error: { Code: 'ValidationError', Message: 'Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.' } },
    ]);
    const read = (sk: number, ConsistentRead?: boolean) => ({ Statement: `SELECT * FROM "${name}" WHERE pk = 'r' AND sk = ${sk}`, ConsistentRead });
    const reads = await ddb.send(new BatchExecuteStatementCommand({ Statements: [read(2, true), read(3), read(9)], ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(reads.ConsumedCapacity, [{ TableName: name, CapacityUnits: 2, ReadCapacityUnits: 2 }]);
  });

  it('a keyed read of an index refuses a WHERE naming an attribute the index does not hold, listing them as DynamoDB does', async () => {
    const name = unique('filt');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: ['pk', 'sk', 'g', 'l'].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['kept'] } }],
      LocalSecondaryIndexes: [{ IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    }));
    const refusal = async (from: string, where: string) => (await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT pk FROM "${name}"."${from}" WHERE ${where}` })))).message;
    const refused = (index: string, attrs: string) => `One or more parameter values were invalid: Secondary index ${index} does not project one or more filter attributes: [${attrs}]`;
    assert.equal(await refusal('byL', "pk = 'p' AND kept = 'x'"), refused('byL', 'kept'));
    // Listed in the order of a Java HashSet of the names, not as written.
    assert.equal(await refusal('byG', "g = 'y' AND b = '1' AND (a = '2' OR kept = '3')"), refused('byG', 'a, b'));
    assert.equal(await refusal('byG', "g = 'y' AND (zz = '1' OR aa = '2' OR mm = '3')"), refused('byG', 'zz, aa, mm'));
    // Of the branches that pin the index key, one is checked: the first in its values' hash order.
    assert.equal(await refusal('byG', "(g = 'b' AND u1 = '1') OR (g = 'q' AND u2 = '1')"), refused('byG', 'u2'));
    for (const where of ["(g = 'y' AND kept = '1') OR (g = 'z' AND other = '1')", "g > 'a' AND other = '1'", "(g = 'y' AND other = '1') OR other = '2'"]) {
      await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT pk FROM "${name}"."byG" WHERE ${where}` }));
    }
  });

  it('a write names one item: two values for a key attribute are refused, and in ExecuteTransaction an unusable key or a missing table cancels it', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'w', 'sk': 1}` }));
    const twice = await rejects(ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET a = 1 WHERE pk = 'w' AND sk = 1 AND pk = 'v'` })));
    assert.equal(twice.message, 'Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported');
    await ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "${name}" SET a = 1 WHERE pk = 'w' AND sk = 1 AND pk = 'w'` }));
    const update = (where: string) => ({ Statement: `UPDATE "${name}" SET b = 1 WHERE ${where}` });
    const keys = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
      update("pk = 'w'"), update("pk IN ['w'] AND sk = 1"), update("pk = 'w' AND sk = 'one'"), { Statement: `INSERT INTO "${name}" VALUE {'pk': 'w2'}` }, update("pk = 'w' AND sk = 1"),
    ] })));
    const mismatch = 'The provided key element does not match the schema';
    assert.deepEqual(keys.CancellationReasons?.map((r: { Code: string; Message?: string }) => [r.Code, r.Message]), [
      ['ValidationError', mismatch], ['ValidationError', mismatch], ['ValidationError', mismatch],
      ['ValidationError', 'One or more parameter values were invalid: Missing the key sk in the item'], ['None', undefined],
    ]);
    const missing = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `DELETE FROM "${name}-gone" WHERE pk = 'w' AND sk = 1` }, update("pk = 'w' AND sk = 1")] })));
    assert.deepEqual(missing.CancellationReasons?.map((r: { Code: string; Message?: string }) => [r.Code, r.Message]), [['ResourceNotFound', 'Requested resource not found'], ['None', undefined]]);
    const returning = await rejects(ddb.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `DELETE FROM "${name}-gone" WHERE pk = 'w' AND sk = 1` }, { Statement: `DELETE FROM "${name}" WHERE pk = 'w' AND sk = 1 RETURNING ALL OLD *` }] })));
    assert.equal(returning.message, 'Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction.');
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'w' }, sk: { N: '1' } } }))).Item?.['b'], undefined);
  });

  it('a list index is a non-negative 32-bit integer, a parameter is a whole value, and arithmetic refuses a literal that is not a number, each as it is read', async () => {
    const name = await table();
    await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'l', 'sk': 1, 'l': ['a', 'b'], 'n': 1}` }));
    assert.equal(await refusal(`SELECT l[-1] FROM "${name}" WHERE pk = 'l'`), 'List index is not within the allowable range; index: [-1] at 1:11:1');
    assert.equal(await refusal(`SELECT l[2147483648] FROM "${name}" WHERE pk = 'l'`), 'List index is not within the allowable range; index: [2147483648] at 1:10:10');
    const zero = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT l[-0] FROM "${name}" WHERE pk = 'l'` }));
    assert.equal(zero.Items?.length, 1);
    const list = `UPDATE "${name}" SET x = [?] WHERE pk = 'l' AND sk = 1`;
    assert.equal(await refusal(list, [{ S: 'v' }]), `Unsupported data type: Parameter under key root[0] at 1:${list.indexOf('?') + 1}:1`);
    const map = `INSERT INTO "${name}" VALUE {'pk': 'l2', 'sk': 1, 'm': {'k': ?}}`;
    assert.equal(await refusal(map, [{ S: 'v' }]), `Unsupported data type: Parameter under key root.k at 1:${map.indexOf('?') + 1}:1`);
    assert.equal(await refusal(`UPDATE "${name}" SET n = 'a' + 1 WHERE pk = 'l' AND sk = 1 AND nope = 'x'`), 'Incorrect operand type for operator or function; operator or function: +, operand type: S');
    assert.equal(await refusal(`UPDATE "${name}" SET n = n - null WHERE pk = 'l' AND sk = 1`), 'Incorrect operand type for operator or function; operator or function: -, operand type: NULL');
  });
});
