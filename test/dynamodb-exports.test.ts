import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand, DeleteItemCommand, DescribeExportCommand, DynamoDBClient, ExportTableToPointInTimeCommand, ListExportsCommand, PutItemCommand,
  UpdateContinuousBackupsCommand, type ExportDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

describe('DynamoDB exports to S3', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  let s3: S3Client;
  before(async () => {
    nimbus = await start({ port: 0, ephemeral: true });
    ddb = new DynamoDBClient(clientConfig(nimbus));
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  /** A table with point-in-time recovery (unless `recovery` is false), its ARN, and a bucket. */
  async function setup(recovery = true): Promise<{ name: string; arn: string; bucket: string }> {
    const name = unique('exp');
    const arn = (await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }))).TableDescription!.TableArn!;
    if (recovery) await ddb.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const bucket = unique('exports').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return { name, arn, bucket };
  }

  /** DescribeExport until the export is no longer IN_PROGRESS (S3 reports each object through the event bus). */
  async function settled(exportArn: string): Promise<ExportDescription> {
    for (let i = 0; i < 50; i++) {
      const d = (await ddb.send(new DescribeExportCommand({ ExportArn: exportArn }))).ExportDescription!;
      if (d.ExportStatus !== 'IN_PROGRESS') return d;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`export ${exportArn} stayed IN_PROGRESS`);
  }

  async function object(bucket: string, key: string): Promise<Buffer> {
    return Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  }

  it('an export answers IN_PROGRESS, completes, and writes gzipped DynamoDB JSON and both manifests under the prefix', async () => {
    const { name, arn, bucket } = await setup();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, n: { N: '1' }, b: { B: Buffer.from([1, 2, 3]) } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' }, l: { L: [{ S: 'x' }] } } }));
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, S3Prefix: 'backups/daily' }))).ExportDescription!;
    assert.equal(started.ExportStatus, 'IN_PROGRESS');
    assert.match(started.ExportArn!, new RegExp(`^${arn}/export/\\d{14}-[0-9a-f]{8}$`));
    assert.equal(started.ExportFormat, 'DYNAMODB_JSON');
    const id = started.ExportArn!.split('/').pop()!;
    const done = await settled(started.ExportArn!);
    assert.equal(done.ExportStatus, 'COMPLETED');
    assert.equal(done.ItemCount, 2);
    assert.equal(done.ExportManifest, `backups/daily/AWSDynamoDB/${id}/manifest-summary.json`);
    const summary = JSON.parse((await object(bucket, done.ExportManifest!)).toString());
    assert.equal(summary.exportArn, started.ExportArn);
    assert.equal(summary.itemCount, 2);
    assert.equal(summary.outputFormat, 'DYNAMODB_JSON');
    const files = (await object(bucket, summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(files.length, 1);
    assert.match(files[0].dataFileS3Key, new RegExp(`^backups/daily/AWSDynamoDB/${id}/data/[a-z0-9]+\\.json\\.gz$`));
    const lines = gunzipSync(await object(bucket, files[0].dataFileS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.sort((x, y) => x.Item.pk.S.localeCompare(y.Item.pk.S)), [
      { Item: { pk: { S: 'a' }, n: { N: '1' }, b: { B: 'AQID' } } },
      { Item: { pk: { S: 'b' }, l: { L: [{ S: 'x' }] } } },
    ]);
  });

  it('ExportTime exports the table as it was then', async () => {
    const { name, arn, bucket } = await setup();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'kept' } } }));
    await new Promise((r) => setTimeout(r, 5));
    const then = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'kept' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'later' } } }));
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, ExportTime: then }))).ExportDescription!;
    const done = await settled(started.ExportArn!);
    const summary = JSON.parse((await object(bucket, done.ExportManifest!)).toString());
    const [file] = (await object(bucket, summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    const lines = gunzipSync(await object(bucket, file.dataFileS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines, [{ Item: { pk: { S: 'kept' } } }]);
  });

  it('an incremental export writes each item changed in the window once, with its new and old images, under the shared data folder', async () => {
    const { name, arn, bucket } = await setup();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'untouched' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'changed' }, v: { N: '1' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'removed' } } }));
    nimbus.clock.advance(60_000);
    const from = new Date(nimbus.clock.now());
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'changed' }, v: { N: '2' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'changed' }, v: { N: '3' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'removed' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'added' } } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'fleeting' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'fleeting' } } }));
    nimbus.clock.advance(20 * 60_000);
    const to = new Date(nimbus.clock.now());
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'after-the-window' } } }));
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({
      TableArn: arn, S3Bucket: bucket, S3Prefix: 'cdc', ExportType: 'INCREMENTAL_EXPORT', IncrementalExportSpecification: { ExportFromTime: from, ExportToTime: to },
    }))).ExportDescription!;
    assert.equal(started.ExportType, 'INCREMENTAL_EXPORT');
    assert.equal(started.ExportTime, undefined);
    assert.deepEqual(started.IncrementalExportSpecification, { ExportFromTime: from, ExportToTime: to, ExportViewType: 'NEW_AND_OLD_IMAGES' });
    const done = await settled(started.ExportArn!);
    assert.equal(done.ItemCount, 3);
    const summary = JSON.parse((await object(bucket, done.ExportManifest!)).toString());
    assert.equal(summary.exportType, 'INCREMENTAL_EXPORT');
    assert.equal(summary.outputView, 'NEW_AND_OLD_IMAGES');
    assert.equal(summary.exportFromTime, from.toISOString());
    const [file] = (await object(bucket, summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.match(file.dataFileS3Key, /^cdc\/AWSDynamoDB\/data\/[a-z0-9]+\.json\.gz$/);
    const lines = gunzipSync(await object(bucket, file.dataFileS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    for (const line of lines) assert.match(line.Metadata.WriteTimestampMicros.N, /^\d{16}$/);
    const shapes = lines.map(({ Metadata: _, ...rest }) => rest).sort((x, y) => x.Keys.pk.S.localeCompare(y.Keys.pk.S));
    assert.deepEqual(shapes, [
      { Keys: { pk: { S: 'added' } }, NewImage: { pk: { S: 'added' } } },
      { Keys: { pk: { S: 'changed' } }, NewImage: { pk: { S: 'changed' }, v: { N: '3' } }, OldImage: { pk: { S: 'changed' }, v: { N: '1' } } },
      { Keys: { pk: { S: 'removed' } }, OldImage: { pk: { S: 'removed' } } },
    ]);
    const tooShort = await rejects(ddb.send(new ExportTableToPointInTimeCommand({
      TableArn: arn, S3Bucket: bucket, ExportType: 'INCREMENTAL_EXPORT', IncrementalExportSpecification: { ExportFromTime: from, ExportToTime: new Date(from.getTime() + 60_000) },
    })));
    assert.equal(tooShort.name, 'ValidationException');
    const noFrom = await rejects(ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, ExportType: 'INCREMENTAL_EXPORT' })));
    assert.equal(noFrom.message, 'Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification');
  });

  it('a table without point-in-time recovery cannot be exported', async () => {
    const { arn, bucket, name } = await setup(false);
    const err = await rejects(ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket })));
    assert.equal(err.name, 'PointInTimeRecoveryUnavailableException');
    assert.equal(err.message, `Point in time recovery is not enabled for table '${name}'`);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('an ION export writes each item as an Ion line, in the developer guide\'s type mapping, under .ion.gz', async () => {
    const { name, arn, bucket } = await setup();
    await ddb.send(new PutItemCommand({
      TableName: name,
      Item: {
        pk: { S: 'a "quoted" é' }, Id: { N: '103' }, PageCount: { N: '600' }, Price: { N: '-0.0015' }, Big: { N: '1E+40' }, Bin: { B: Buffer.from('hi') },
        Authors: { SS: ['Author1', 'Author2'] }, Sizes: { NS: ['2000', '1.5'] }, Blobs: { BS: [Buffer.from([1])] }, InPublication: { BOOL: false },
        Nothing: { NULL: true }, 'my-attr': { L: [{ S: 'x' }, { M: { inner: { N: '0' } } }] },
      },
    }));
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, ExportFormat: 'ION' }))).ExportDescription!;
    assert.equal(started.ExportFormat, 'ION');
    const done = await settled(started.ExportArn!);
    assert.equal(done.ExportStatus, 'COMPLETED');
    assert.equal(done.ExportFormat, 'ION');
    const summary = JSON.parse((await object(bucket, done.ExportManifest!)).toString());
    assert.equal(summary.outputFormat, 'ION');
    const [file] = (await object(bucket, summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.match(file.dataFileS3Key, /\/data\/[a-z0-9]+\.ion\.gz$/);
    const text = gunzipSync(await object(bucket, file.dataFileS3Key)).toString();
    assert.equal(text, '$ion_1_0 {Item:{pk:"a \\"quoted\\" é",Id:103.,PageCount:6d2,Price:-0.0015,Big:1d40,Bin:{{aGk=}},Authors:$dynamodb_SS::["Author1","Author2"],'
      + 'Sizes:$dynamodb_NS::[1.5,2d3],Blobs:$dynamodb_BS::[{{AQ==}}],InPublication:false,Nothing:null,\'my-attr\':["x",{inner:0.}]}}\n');
  });

  it('an incremental ION export writes each change as an Ion line of Metadata, Keys and images', async () => {
    const { name, arn, bucket } = await setup();
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'changed' }, v: { N: '1' } } }));
    nimbus.clock.advance(60_000);
    const from = new Date(nimbus.clock.now());
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'changed' }, v: { N: '20' } } }));
    nimbus.clock.advance(20 * 60_000);
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({
      TableArn: arn, S3Bucket: bucket, ExportFormat: 'ION', ExportType: 'INCREMENTAL_EXPORT', IncrementalExportSpecification: { ExportFromTime: from, ExportToTime: new Date(nimbus.clock.now()) },
    }))).ExportDescription!;
    const done = await settled(started.ExportArn!);
    assert.equal(done.ExportFormat, 'ION');
    const summary = JSON.parse((await object(bucket, done.ExportManifest!)).toString());
    const [file] = (await object(bucket, summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.match(file.dataFileS3Key, /^AWSDynamoDB\/data\/[a-z0-9]+\.ion\.gz$/);
    const text = gunzipSync(await object(bucket, file.dataFileS3Key)).toString();
    assert.match(text, /^\$ion_1_0 \{Metadata:\{WriteTimestampMicros:\d+(\.|d\d+)\},Keys:\{pk:"changed"\},NewImage:\{pk:"changed",v:2d1\},OldImage:\{pk:"changed",v:1\.\}\}\n$/);
  });

  it('a missing table and an export time in the future are refused', async () => {
    const { arn, bucket } = await setup();
    const missing = await rejects(ddb.send(new ExportTableToPointInTimeCommand({ TableArn: `${arn}-gone`, S3Bucket: bucket })));
    assert.equal(missing.name, 'TableNotFoundException');
    const future = await rejects(ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, ExportTime: new Date(Date.now() + 3_600_000) })));
    assert.equal(future.name, 'InvalidExportTimeException');
  });

  it('an export to a bucket that does not exist fails with S3NoSuchBucket', async () => {
    const { arn } = await setup();
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: 'no-such-bucket-for-exports' }))).ExportDescription!;
    const d = await settled(started.ExportArn!);
    assert.equal(d.ExportStatus, 'FAILED');
    assert.equal(d.FailureCode, 'S3NoSuchBucket');
  });

  it('an export to a bucket of another owner than S3BucketOwner fails, and writes nothing', async () => {
    const { arn, bucket } = await setup();
    const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: bucket, S3BucketOwner: '999999999999' }))).ExportDescription!;
    assert.equal(started.S3BucketOwner, '999999999999');
    assert.equal((await settled(started.ExportArn!)).ExportStatus, 'FAILED');
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount, 0);
  });

  it('a repeated ClientToken answers the same export, and with other parameters is ExportConflictException', async () => {
    const { arn, bucket } = await setup();
    const request = { TableArn: arn, S3Bucket: bucket, S3Prefix: 'p', ClientToken: unique('token') };
    const first = (await ddb.send(new ExportTableToPointInTimeCommand(request))).ExportDescription!;
    const again = (await ddb.send(new ExportTableToPointInTimeCommand(request))).ExportDescription!;
    assert.equal(again.ExportArn, first.ExportArn);
    const conflict = await rejects(ddb.send(new ExportTableToPointInTimeCommand({ ...request, S3Prefix: 'other' })));
    assert.equal(conflict.name, 'ExportConflictException');
    const listed = (await ddb.send(new ListExportsCommand({ TableArn: arn }))).ExportSummaries!;
    assert.deepEqual(listed.map((e) => e.ExportArn), [first.ExportArn]);
    // Without a token of their own, the SDK gives each call a new one: two exports.
    const { ClientToken: _, ...untokened } = request;
    const a = (await ddb.send(new ExportTableToPointInTimeCommand(untokened))).ExportDescription!;
    const b = (await ddb.send(new ExportTableToPointInTimeCommand(untokened))).ExportDescription!;
    assert.notEqual(a.ExportArn, b.ExportArn);
  });

  it('DescribeExport of an unknown export is ExportNotFoundException', async () => {
    const { arn } = await setup();
    const err = await rejects(ddb.send(new DescribeExportCommand({ ExportArn: `${arn}/export/01700000000000-deadbeef` })));
    assert.equal(err.name, 'ExportNotFoundException');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('ListExports lists newest first, filters by table and pages', async () => {
    const a = await setup();
    const b = await setup();
    const first = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: a.arn, S3Bucket: a.bucket }))).ExportDescription!.ExportArn!;
    await new Promise((r) => setTimeout(r, 2));
    const second = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: a.arn, S3Bucket: a.bucket }))).ExportDescription!.ExportArn!;
    const other = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: b.arn, S3Bucket: b.bucket }))).ExportDescription!.ExportArn!;
    await settled(second);
    const ofA = await ddb.send(new ListExportsCommand({ TableArn: a.arn }));
    assert.deepEqual(ofA.ExportSummaries!.map((s) => s.ExportArn), [second, first]);
    assert.equal(ofA.ExportSummaries![1]!.ExportType, 'FULL_EXPORT');
    const page = await ddb.send(new ListExportsCommand({ TableArn: a.arn, MaxResults: 1 }));
    assert.deepEqual(page.ExportSummaries!.map((s) => s.ExportArn), [second]);
    const rest = await ddb.send(new ListExportsCommand({ TableArn: a.arn, MaxResults: 1, NextToken: page.NextToken }));
    assert.deepEqual(rest.ExportSummaries!.map((s) => s.ExportArn), [first]);
    assert.equal(rest.NextToken, undefined);
    assert.ok((await ddb.send(new ListExportsCommand({}))).ExportSummaries!.some((s) => s.ExportArn === other));
    assert.equal((await rejects(ddb.send(new ListExportsCommand({ MaxResults: 26 })))).name, 'ValidationException');
  });

  it('the AWS CLI exports a table and describes the export', async () => {
    const { arn, bucket } = await setup();
    const started = await aws(nimbus, ['dynamodb', 'export-table-to-point-in-time', '--table-arn', arn, '--s3-bucket', bucket]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.json.ExportDescription.ExportStatus, 'IN_PROGRESS');
    await settled(started.json.ExportDescription.ExportArn);
    const d = await aws(nimbus, ['dynamodb', 'describe-export', '--export-arn', started.json.ExportDescription.ExportArn]);
    assert.equal(d.json.ExportDescription.ExportStatus, 'COMPLETED');
    const listed = await aws(nimbus, ['dynamodb', 'list-exports', '--table-arn', arn]);
    assert.equal(listed.json.ExportSummaries.length, 1);
    const missing = await aws(nimbus, ['dynamodb', 'describe-export', '--export-arn', `${arn}/export/01700000000000-deadbeef`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ExportNotFoundException/);
  });
});
