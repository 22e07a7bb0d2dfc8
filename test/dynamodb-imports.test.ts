import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand, DescribeExportCommand, DescribeImportCommand, DescribeTableCommand, DynamoDBClient, ExportTableToPointInTimeCommand, GetItemCommand, ImportTableCommand,
  ListImportsCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateContinuousBackupsCommand, waitUntilTableExists,
  type AttributeValue, type ImportTableCommandInput, type ImportTableDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

const byPk = (a: Record<string, any>, b: Record<string, any>) => String(a['pk'].S ?? a['pk'].N).localeCompare(String(b['pk'].S ?? b['pk'].N));

describe('DynamoDB imports from S3', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  let s3: S3Client;
  before(async () => {
    nimbus = await start({ port: 0, ephemeral: true });
    ddb = new DynamoDBClient(clientConfig(nimbus));
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  /** A new bucket holding `files` (key -> body). */
  async function bucketWith(files: Record<string, string | Buffer>): Promise<string> {
    const bucket = unique('imports').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [key, body] of Object.entries(files)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return bucket;
  }

  const stringKey = { AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], BillingMode: 'PAY_PER_REQUEST' as const };

  function importInput(bucket: string, prefix: string, extra: Partial<ImportTableCommandInput> = {}): ImportTableCommandInput {
    return {
      S3BucketSource: { S3Bucket: bucket, S3KeyPrefix: prefix }, InputFormat: 'DYNAMODB_JSON',
      TableCreationParameters: { TableName: unique('imported'), ...stringKey }, ...extra,
    };
  }

  /** DescribeImport until the import is no longer IN_PROGRESS (S3 answers through the event bus). */
  async function settled(importArn: string): Promise<ImportTableDescription> {
    for (let i = 0; i < 200; i++) {
      const d = (await ddb.send(new DescribeImportCommand({ ImportArn: importArn }))).ImportTableDescription!;
      if (d.ImportStatus !== 'IN_PROGRESS') return d;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`import ${importArn} stayed IN_PROGRESS`);
  }

  async function scan(table: string): Promise<Record<string, any>[]> {
    return ((await ddb.send(new ScanCommand({ TableName: table }))).Items ?? []).sort(byPk);
  }

  it("an export's data files import into a new table with the same items", async () => {
    const source = unique('source');
    const arn = (await ddb.send(new CreateTableCommand({ TableName: source, ...stringKey }))).TableDescription!.TableArn!;
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: source, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const items: Record<string, AttributeValue>[] = [
      { pk: { S: 'a' }, n: { N: '1.5' }, b: { B: Buffer.from([1, 2, 3]) }, ss: { SS: ['x', 'y'] } },
      { pk: { S: 'b' }, l: { L: [{ S: 'x' }, { NULL: true }] }, m: { M: { deep: { BOOL: false } } } },
    ];
    for (const Item of items) await ddb.send(new PutItemCommand({ TableName: source, Item }));
    const bucket = await bucketWith({});
    const exported = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, S3Prefix: 'exports' }))).ExportDescription!;
    for (let i = 0; i < 100 && (await ddb.send(new DescribeExportCommand({ ExportArn: exported.ExportArn! }))).ExportDescription!.ExportStatus === 'IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const dataPrefix = `exports/AWSDynamoDB/${exported.ExportArn!.split('/').pop()}/data/`;
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: dataPrefix }))).KeyCount, 1);

    const input = importInput(bucket, dataPrefix, { InputCompressionType: 'GZIP' });
    const started = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    assert.equal(started.ImportStatus, 'IN_PROGRESS');
    assert.match(started.ImportArn!, new RegExp(`^${started.TableArn}/import/\\d{14}-[0-9a-f]{8}$`));
    assert.match(started.TableArn!, new RegExp(`:table/${input.TableCreationParameters!.TableName}$`));
    assert.ok(started.TableId);
    assert.ok(started.ClientToken);
    assert.deepEqual(started.S3BucketSource, input.S3BucketSource);
    assert.equal(started.InputFormat, 'DYNAMODB_JSON');
    assert.equal(started.InputCompressionType, 'GZIP');
    assert.equal(started.TableCreationParameters!.TableName, input.TableCreationParameters!.TableName);
    assert.ok(started.StartTime instanceof Date);

    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'COMPLETED');
    assert.equal(done.ProcessedItemCount, 2);
    assert.equal(done.ImportedItemCount, 2);
    assert.equal(done.ErrorCount, 0);
    assert.ok(done.ProcessedSizeBytes! > 0);
    assert.ok(done.EndTime! >= done.StartTime!);
    assert.equal(done.FailureCode, undefined);
    assert.deepEqual(await scan(input.TableCreationParameters!.TableName!), await scan(source));
  });

  it('the new table is CREATING while the import runs, its items not yet readable, so waitUntilTableExists returns with the items in', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ Item: { pk: { S: `k${i}` }, v: { N: String(i) } } })).join('\n');
    const bucket = await bucketWith({ 'big/part-1.json.gz': gzipSync(lines) });
    const input = importInput(bucket, 'big/', { InputCompressionType: 'GZIP' });
    const TableName = input.TableCreationParameters!.TableName!;
    const started = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    let creating = 0;
    let refused = 0;
    for (;;) {
      // Items are not readable (nor writable) until the table is ACTIVE: a GetItem that succeeds
      // means the import had ended before it.
      const read = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'k0' } } })).then(() => undefined, (e: Error) => e);
      const readImport = (await ddb.send(new DescribeImportCommand({ ImportArn: started.ImportArn! }))).ImportTableDescription!.ImportStatus;
      if (read) {
        assert.equal(read.name, 'ResourceNotFoundException');
        refused++;
      } else assert.notEqual(readImport, 'IN_PROGRESS');
      const status = (await ddb.send(new DescribeTableCommand({ TableName }))).Table!.TableStatus;
      const importStatus = (await ddb.send(new DescribeImportCommand({ ImportArn: started.ImportArn! }))).ImportTableDescription!.ImportStatus;
      // The table turns ACTIVE only once the import has ended.
      if (status === 'ACTIVE') {
        assert.notEqual(importStatus, 'IN_PROGRESS');
        break;
      }
      assert.equal(status, 'CREATING');
      creating++;
    }
    assert.ok(creating > 0, 'DescribeTable never answered CREATING');
    assert.ok(refused > 0, 'GetItem was never refused while the table was CREATING');
    const result = await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
    assert.equal(result.state, 'SUCCESS');
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportedItemCount, 4000);
    const q = await ddb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ':k': { S: 'k3999' } } }));
    assert.deepEqual(q.Items, [{ pk: { S: 'k3999' }, v: { N: '3999' } }]);
  });

  it('CSV: the first line is the header, key attributes take their defined types, every other column is a string; quoted fields may hold delimiters, quotes and newlines', async () => {
    const csv = 'pk,sk,name,price\n1,a,"Widget, large",10\n\n2,b,"say ""hi""",\r\n1,b,plain,3\n4,d,"two\nlines",5\n';
    const bucket = await bucketWith({ 'csv/one.csv': csv, 'csv/two.csv.gz': gzipSync('pk,sk,name,price\n3,c,gz,4\n'), 'other/skip.csv': 'pk,sk\n9,z\n' });
    const TableName = unique('csv');
    const params = {
      TableName, BillingMode: 'PAY_PER_REQUEST' as const,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' as const }, { AttributeName: 'sk', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }, { AttributeName: 'sk', KeyType: 'RANGE' as const }],
    };
    // Each object is read as the import's compression says: the plain one fails to inflate and counts as one error.
    const gz = (await ddb.send(new ImportTableCommand({ S3BucketSource: { S3Bucket: bucket, S3KeyPrefix: 'csv/' }, InputFormat: 'CSV', InputCompressionType: 'GZIP', TableCreationParameters: params })))
      .ImportTableDescription!;
    const gzDone = await settled(gz.ImportArn!);
    assert.equal(gzDone.ImportStatus, 'FAILED');
    assert.equal(gzDone.ErrorCount, 1);
    assert.equal(gzDone.ImportedItemCount, 1);

    const other = unique('csv');
    const started = (await ddb.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: bucket, S3KeyPrefix: 'csv/one' }, InputFormat: 'CSV', TableCreationParameters: { ...params, TableName: other },
    }))).ImportTableDescription!;
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'COMPLETED');
    assert.equal(done.ProcessedItemCount, 4);
    assert.equal(done.ImportedItemCount, 4);
    assert.equal(done.ProcessedSizeBytes, Buffer.byteLength(csv));
    const items = ((await ddb.send(new ScanCommand({ TableName: other }))).Items ?? []).sort((a, b) => `${a['pk']!.N}${a['sk']!.S}`.localeCompare(`${b['pk']!.N}${b['sk']!.S}`));
    assert.deepEqual(items, [
      { pk: { N: '1' }, sk: { S: 'a' }, name: { S: 'Widget, large' }, price: { S: '10' } },
      { pk: { N: '1' }, sk: { S: 'b' }, name: { S: 'plain' }, price: { S: '3' } },
      { pk: { N: '2' }, sk: { S: 'b' }, name: { S: 'say "hi"' } },
      { pk: { N: '4' }, sk: { S: 'd' }, name: { S: 'two\nlines' }, price: { S: '5' } },
    ]);
  });

  it('CSV with Delimiter and HeaderList reads the first line as data, and fills a global secondary index', async () => {
    const bucket = await bucketWith({ 'data.csv': 'a;x;1\nb;y;2\nc;;3\n' });
    const TableName = unique('csvh');
    const started = (await ddb.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: bucket }, InputFormat: 'CSV', InputFormatOptions: { Csv: { Delimiter: ';', HeaderList: ['pk', 'g', 'rank'] } },
      TableCreationParameters: {
        TableName, BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }, { AttributeName: 'rank', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 'rank', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      },
    }))).ImportTableDescription!;
    assert.deepEqual(started.InputFormatOptions, { Csv: { Delimiter: ';', HeaderList: ['pk', 'g', 'rank'] } });
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'COMPLETED');
    assert.equal(done.ImportedItemCount, 3);
    const q = await ddb.send(new QueryCommand({ TableName, IndexName: 'by-g', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'y' } } }));
    assert.deepEqual(q.Items, [{ pk: { S: 'b' }, g: { S: 'y' }, rank: { N: '2' } }]);
    // An empty field is no attribute: the item is in the table, not in the sparse index.
    assert.deepEqual((await scan(TableName)).find((i) => i['pk'].S === 'c'), { pk: { S: 'c' }, rank: { N: '3' } });
  });

  it('invalid items are skipped and counted, and the import ends FAILED with ItemValidationError and the valid items in', async () => {
    const good = (pk: string) => JSON.stringify({ Item: { pk: { S: pk } } });
    const lines = [
      good('ok-1'),
      JSON.stringify({ Item: { other: { S: 'no key' } } }),
      JSON.stringify({ Item: { pk: { N: '5' } } }),
      '{not json',
      JSON.stringify({ Item: { pk: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } } }),
      JSON.stringify({ Item: { pk: { S: 'bad-number' }, n: { N: 'abc' } } }),
      '',
      good('ok-2'),
    ];
    const bucket = await bucketWith({ 'in/items.json': lines.join('\n') });
    const input = importInput(bucket, 'in/');
    const started = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'FAILED');
    assert.equal(done.FailureCode, 'ItemValidationError');
    assert.equal(done.FailureMessage, 'Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.');
    assert.equal(done.ErrorCount, 5);
    assert.equal(done.ProcessedItemCount, 7);
    assert.equal(done.ImportedItemCount, 2);
    const TableName = input.TableCreationParameters!.TableName!;
    assert.equal((await ddb.send(new DescribeTableCommand({ TableName }))).Table!.TableStatus, 'ACTIVE');
    assert.deepEqual(await scan(TableName), [{ pk: { S: 'ok-1' } }, { pk: { S: 'ok-2' } }]);
  });

  it("S3 gives an import each object's current version under the prefix: no older versions, no deleted objects", async () => {
    const item = (pk: string) => JSON.stringify({ Item: { pk: { S: pk } } });
    const bucket = await bucketWith({});
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/a.json', Body: item('old') }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/a.json', Body: item('new') }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/b.json', Body: item('deleted') }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'v/b.json' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'w/c.json', Body: item('outside') }));
    const input = importInput(bucket, 'v/');
    const done = await settled((await ddb.send(new ImportTableCommand(input))).ImportTableDescription!.ImportArn!);
    assert.equal(done.ImportStatus, 'COMPLETED');
    assert.deepEqual(await scan(input.TableCreationParameters!.TableName!), [{ pk: { S: 'new' } }]);
  });

  it('ZSTD objects cannot be inflated here: each counts as an error', async () => {
    const bucket = await bucketWith({ 'z/items.json.zst': Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]) });
    const started = (await ddb.send(new ImportTableCommand(importInput(bucket, 'z/', { InputCompressionType: 'ZSTD' })))).ImportTableDescription!;
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'FAILED');
    assert.equal(done.FailureCode, 'ItemValidationError');
    assert.equal(done.ErrorCount, 1);
  });

  it('a missing bucket fails the import with S3NoSuchBucket; another owner than S3BucketOwner with S3AccessDenied', async () => {
    const missing = (await ddb.send(new ImportTableCommand(importInput(unique('no-such-bucket').toLowerCase(), '')))).ImportTableDescription!;
    const d = await settled(missing.ImportArn!);
    assert.equal(d.ImportStatus, 'FAILED');
    assert.equal(d.FailureCode, 'S3NoSuchBucket');
    assert.match(d.FailureMessage!, /^The specified bucket does not exist/);
    assert.equal(d.ImportedItemCount, 0);
    assert.ok(d.EndTime);

    const bucket = await bucketWith({ 'x.json': JSON.stringify({ Item: { pk: { S: 'a' } } }) });
    const other = (await ddb.send(new ImportTableCommand({ ...importInput(bucket, ''), S3BucketSource: { S3Bucket: bucket, S3BucketOwner: '999999999999' } }))).ImportTableDescription!;
    const o = await settled(other.ImportArn!);
    assert.equal(o.ImportStatus, 'FAILED');
    assert.equal(o.FailureCode, 'S3AccessDenied');
  });

  it('an existing table name is ResourceInUseException', async () => {
    const bucket = await bucketWith({});
    const input = importInput(bucket, '');
    await ddb.send(new CreateTableCommand({ TableName: input.TableCreationParameters!.TableName!, ...stringKey }));
    const e = await rejects(ddb.send(new ImportTableCommand(input)));
    assert.equal(e.name, 'ResourceInUseException');
    assert.match(e.message, /Table already exists/);
  });

  it('an ION export imports back into a new table with the same items', async () => {
    const source = unique('ion-source');
    const arn = (await ddb.send(new CreateTableCommand({ TableName: source, ...stringKey }))).TableDescription!.TableArn!;
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: source, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const items: Record<string, AttributeValue>[] = [
      { pk: { S: 'a' }, n: { N: '600' }, d: { N: '-12.5E-3' }, b: { B: Buffer.from([0, 255]) }, ss: { SS: ['x', 'y'] }, ns: { NS: ['1', '2.5'] }, bs: { BS: [Buffer.from([7])] } },
      { pk: { S: "b'\"\n" }, l: { L: [{ S: 'x' }, { NULL: true }, { N: '1E+100' }] }, m: { M: { 'odd name': { BOOL: false }, deep: { M: { t: { BOOL: true } } } } } },
    ];
    for (const Item of items) await ddb.send(new PutItemCommand({ TableName: source, Item }));
    const bucket = await bucketWith({});
    const exported = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, S3Prefix: 'ion', ExportFormat: 'ION' }))).ExportDescription!;
    for (let i = 0; i < 100 && (await ddb.send(new DescribeExportCommand({ ExportArn: exported.ExportArn! }))).ExportDescription!.ExportStatus === 'IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const input = importInput(bucket, `ion/AWSDynamoDB/${exported.ExportArn!.split('/').pop()}/data/`, { InputFormat: 'ION', InputCompressionType: 'GZIP' });
    const started = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    assert.equal(started.InputFormat, 'ION');
    const done = await settled(started.ImportArn!);
    assert.equal(done.ImportStatus, 'COMPLETED');
    assert.equal(done.ImportedItemCount, 2);
    assert.deepEqual(await scan(input.TableCreationParameters!.TableName!), await scan(source));
  });

  it('Ion lines may use any Ion text for a value; a value DynamoDB has no type for fails its line', async () => {
    const lines = [
      '$ion_1_0 {Item:{pk:"ints",i:42,neg:-0x10,f:2.5e0,d:1.50,sym:hello,quoted:\'a b\',n:null.string,list:[1,"two",{{AQ==}}],/* a comment */ m:{k:true}}}',
      '$ion_1_0 {Item:{pk:"sets",ss:$dynamodb_SS::["b","a"],ns:$dynamodb_NS::[1.0,2d1],bs:$dynamodb_BS::[{{AQ==}},{{Ag==}}]}}',
      '$ion_1_0 {Item:{pk:"when",t:2020-01-01T}}',
      '$ion_1_0 {Item:{pk:"bad-set",ss:$dynamodb_SS::["a",1]}}',
      '$ion_1_0 {Item:{nopk:"x"}}',
      '$ion_1_0 {NotItem:{pk:"x"}}',
    ];
    const bucket = await bucketWith({ 'items.ion': lines.join('\n') });
    const input = importInput(bucket, '', { InputFormat: 'ION' });
    const done = await settled((await ddb.send(new ImportTableCommand(input))).ImportTableDescription!.ImportArn!);
    assert.equal(done.ImportStatus, 'FAILED');
    assert.equal(done.FailureCode, 'ItemValidationError');
    assert.equal(done.ProcessedItemCount, 6);
    assert.equal(done.ImportedItemCount, 2);
    assert.equal(done.ErrorCount, 4);
    assert.deepEqual(await scan(input.TableCreationParameters!.TableName!), [
      {
        pk: { S: 'ints' }, i: { N: '42' }, neg: { N: '-16' }, f: { N: '2.5' }, d: { N: '1.5' }, sym: { S: 'hello' }, quoted: { S: 'a b' }, n: { NULL: true },
        list: { L: [{ N: '1' }, { S: 'two' }, { B: new Uint8Array([1]) }] }, m: { M: { k: { BOOL: true } } },
      },
      { pk: { S: 'sets' }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '20'] }, bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] } },
    ]);
  });

  it('a client token repeated with the same parameters is the same import; with others, ImportConflictException', async () => {
    const bucket = await bucketWith({ 'a.json': JSON.stringify({ Item: { pk: { S: 'a' } } }) });
    const input = importInput(bucket, '', { ClientToken: unique('token') });
    const first = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    const again = (await ddb.send(new ImportTableCommand(input))).ImportTableDescription!;
    assert.equal(again.ImportArn, first.ImportArn);
    assert.equal(again.ClientToken, input.ClientToken);
    const e = await rejects(ddb.send(new ImportTableCommand({ ...input, InputCompressionType: 'GZIP' })));
    assert.equal(e.name, 'ImportConflictException');
  });

  it('DescribeImport of an unknown ARN is ImportNotFoundException; ListImports pages newest first and filters by table', async () => {
    const bucket = await bucketWith({ 'a.json': JSON.stringify({ Item: { pk: { S: 'a' } } }) });
    const e = await rejects(ddb.send(new DescribeImportCommand({ ImportArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/nope/import/01700000000000-deadbeef' })));
    assert.equal(e.name, 'ImportNotFoundException');

    const arns: string[] = [];
    for (let i = 0; i < 3; i++) {
      arns.push((await ddb.send(new ImportTableCommand(importInput(bucket, '')))).ImportTableDescription!.ImportArn!);
      nimbus.clock.advance(1000);
    }
    const listed: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ddb.send(new ListImportsCommand({ PageSize: 2, NextToken }));
      assert.ok(page.ImportSummaryList!.length <= 2);
      listed.push(...page.ImportSummaryList!.map((s) => s.ImportArn!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(listed.filter((a) => arns.includes(a)), [...arns].reverse());
    const tableArn = arns[1]!.split('/import/')[0]!;
    const one = await ddb.send(new ListImportsCommand({ TableArn: tableArn }));
    assert.deepEqual(one.ImportSummaryList!.map((s) => s.ImportArn), [arns[1]]);
    assert.equal(one.ImportSummaryList![0]!.TableArn, tableArn);
    assert.equal(one.ImportSummaryList![0]!.InputFormat, 'DYNAMODB_JSON');
  });

  it('the AWS CLI imports a table, and describes and lists the import', async () => {
    const bucket = await bucketWith({ 'cli/items.json': `${JSON.stringify({ Item: { pk: { S: 'cli' }, n: { N: '7' } } })}\n` });
    const TableName = unique('cli');
    const started = await aws(nimbus, ['dynamodb', 'import-table', '--s3-bucket-source', `S3Bucket=${bucket},S3KeyPrefix=cli/`, '--input-format', 'DYNAMODB_JSON',
      '--table-creation-parameters', JSON.stringify({ TableName, ...stringKey })]);
    assert.equal(started.code, 0, started.stderr);
    const arn = started.json.ImportTableDescription.ImportArn;
    assert.equal(started.json.ImportTableDescription.ImportStatus, 'IN_PROGRESS');
    const waited = await aws(nimbus, ['dynamodb', 'wait', 'table-exists', '--table-name', TableName]);
    assert.equal(waited.code, 0, waited.stderr);
    const d = await aws(nimbus, ['dynamodb', 'describe-import', '--import-arn', arn]);
    assert.equal(d.json.ImportTableDescription.ImportStatus, 'COMPLETED');
    assert.equal(d.json.ImportTableDescription.ImportedItemCount, 1);
    const listed = await aws(nimbus, ['dynamodb', 'list-imports', '--table-arn', started.json.ImportTableDescription.TableArn]);
    assert.deepEqual(listed.json.ImportSummaryList.map((s: { ImportArn: string }) => s.ImportArn), [arn]);
    const missing = await aws(nimbus, ['dynamodb', 'describe-import', '--import-arn', `${arn.split('/import/')[0]}/import/01700000000000-deadbeef`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ImportNotFoundException/);
  });
});

describe('DynamoDB imports across a restart', () => {
  it('an import and its table survive a restart of a persistent Nimbus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-import-'));
    try {
      let nimbus = await start({ ephemeral: false, dataDir });
      let ddb = new DynamoDBClient(clientConfig(nimbus));
      const s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
      const bucket = unique('persist').toLowerCase();
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.json', Body: JSON.stringify({ Item: { pk: { S: 'kept' } } }) }));
      const TableName = unique('persist');
      const arn = (await ddb.send(new ImportTableCommand({
        S3BucketSource: { S3Bucket: bucket }, InputFormat: 'DYNAMODB_JSON', TableCreationParameters: { TableName, ...{ AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' } },
      }))).ImportTableDescription!.ImportArn!;
      await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
      await nimbus.stop();
      nimbus = await start({ ephemeral: false, dataDir });
      ddb = new DynamoDBClient(clientConfig(nimbus));
      try {
        const d = (await ddb.send(new DescribeImportCommand({ ImportArn: arn }))).ImportTableDescription!;
        assert.equal(d.ImportStatus, 'COMPLETED');
        assert.equal(d.ImportedItemCount, 1);
        assert.deepEqual((await ddb.send(new ScanCommand({ TableName }))).Items, [{ pk: { S: 'kept' } }]);
      } finally {
        await nimbus.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a redelivered answer from S3 resumes after the last committed lines and imports nothing twice; an object whose blob has gone counts as an error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-import-'));
    try {
      let nimbus = await start({ ephemeral: false, dataDir });
      let ddb = new DynamoDBClient(clientConfig(nimbus));
      const s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
      const bucket = unique('redeliver').toLowerCase();
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const lines = Array.from({ length: 1200 }, (_, i) => `${JSON.stringify({ Item: { pk: { S: `k${i}` } } })}\n`);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'items.json', Body: lines.join('') }));
      const TableName = unique('redeliver');
      const arn = (await ddb.send(new ImportTableCommand({
        S3BucketSource: { S3Bucket: bucket }, InputFormat: 'DYNAMODB_JSON',
        TableCreationParameters: { TableName, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
      }))).ImportTableDescription!.ImportArn!;
      await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
      await nimbus.stop();

      // As if the process had died after committing the first 500 lines: the import is IN_PROGRESS
      // with their counts, and S3's answer is still on the bus, twice (at-least-once delivery).
      const db = new Database(join(dataDir, 'nimbus.db'));
      const blobId = db.prepare('SELECT blob_id FROM s3_objects WHERE bucket = ? AND key = ?').pluck().get(bucket, 'items.json');
      const firstBytes = Buffer.byteLength(lines.slice(0, 500).join(''));
      db.prepare(`UPDATE dynamodb_imports SET status = 'IN_PROGRESS', objects_done = 0, lines_done = 500, processed_items = 500, imported_items = 500,
        processed_bytes = ?, ended_at = NULL WHERE arn = ?`).run(firstBytes, arn);
      // A second object whose blob went (overwritten or deleted) between S3's listing and the reading.
      const objects = [{ key: 'items.json', blobId, size: Buffer.byteLength(lines.join('')) }, { key: 'gone.json', blobId: 'f'.repeat(32), size: 10 }];
      const answer = JSON.stringify({ importArn: arn, objects });
      for (let i = 0; i < 2; i++) db.prepare(`INSERT INTO nimbus_events (topic, payload, due_at) VALUES ('dynamodb:import-objects', ?, 0)`).run(answer);
      db.close();

      nimbus = await start({ ephemeral: false, dataDir });
      ddb = new DynamoDBClient(clientConfig(nimbus));
      try {
        let d: ImportTableDescription | undefined;
        for (let i = 0; i < 200 && d?.ImportStatus !== 'FAILED'; i++) {
          await new Promise((r) => setTimeout(r, 20));
          d = (await ddb.send(new DescribeImportCommand({ ImportArn: arn }))).ImportTableDescription!;
        }
        assert.equal(d!.ImportStatus, 'FAILED');
        assert.equal(d!.FailureCode, 'ItemValidationError');
        assert.equal(d!.ErrorCount, 1);
        assert.equal(d!.ProcessedItemCount, 1200);
        assert.equal(d!.ImportedItemCount, 1200);
        assert.equal(d!.ProcessedSizeBytes, Buffer.byteLength(lines.join('')));
        assert.equal((await ddb.send(new DescribeTableCommand({ TableName }))).Table!.ItemCount, 1200);
      } finally {
        await nimbus.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
