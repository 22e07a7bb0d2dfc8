import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand, CreateTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DescribeRegionsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand, ResourceNotFoundException as LambdaNotFound } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListBucketsCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsError, type Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/**
 * Each of the five protocol codecs, end to end through the real SDK v3 client and the AWS CLI,
 * with small handlers registered for real operations of each protocol's services.
 */
describe('protocol codecs', () => {
  let nimbus: Nimbus;
  const received: Record<string, unknown> = {};
  before(async () => {
    nimbus = await start({
      handlers: {
        dynamodb: {
          ListTables: (input) => {
            received['ListTables'] = input;
            // One page after the start name, so the CLI's paginator ends.
            return (input as { ExclusiveStartTableName?: string }).ExclusiveStartTableName ? { TableNames: ['alpha', 'beta'], LastEvaluatedTableName: 'beta' } : { TableNames: ['alpha', 'beta'] };
          },
          DescribeTable: (input: { TableName: string }) => {
            throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
          },
          CreateTable: () => ({}),
        },
        lambda: {
          ListFunctions: (input) => {
            received['ListFunctions'] = input;
            return { Functions: [{ FunctionName: 'f1', Runtime: 'nodejs20.x', MemorySize: 128, LastModified: '2024-01-01T00:00:00.000+0000' }] };
          },
          GetFunction: (input: { FunctionName: string }) => {
            throw new AwsError('ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${input.FunctionName}`, { fields: { Type: 'User' } });
          },
        },
        s3: {
          ListBuckets: () => ({
            Buckets: [{ Name: 'bucket-one', CreationDate: new Date('2024-05-01T12:00:00Z') }],
            Owner: { ID: 'owner-id', DisplayName: 'nimbus' },
          }),
          PutObject: async (input: { Bucket: string; Key: string; Body: Readable; Metadata?: Record<string, string> }) => {
            const chunks: Buffer[] = [];
            for await (const c of input.Body) chunks.push(c as Buffer);
            const body = Buffer.concat(chunks);
            received['PutObject'] = { bucket: input.Bucket, key: input.Key, body: body.toString(), metadata: input.Metadata };
            return { ETag: `"${createHash('md5').update(body).digest('hex')}"` };
          },
          GetObject: (input: { Key: string }) => {
            if (input.Key === 'missing') throw new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: input.Key } });
            return { Body: Buffer.from(`contents of ${input.Key}`), ContentType: 'text/plain', LastModified: new Date('2024-01-02T03:04:05Z'), Metadata: { color: 'blue' } };
          },
        },
        ec2: {
          DescribeRegions: () => ({
            Regions: [
              { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
              { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
            ],
          }),
          RunInstances: () => {
            throw new AwsError('InvalidAMIID.NotFound', "The image id '[ami-123]' does not exist");
          },
        },
        sqs: {
          ListQueues: (input) => {
            received['ListQueues'] = input;
            return { QueueUrls: [`${nimbus.endpoint}/000000000000/q1`] };
          },
        },
      },
    });
  });
  after(() => nimbus.stop());

  describe('json (DynamoDB)', () => {
    it('decodes input and encodes output', async () => {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      const out = await ddb.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: 'aaa' }));
      assert.deepEqual(out.TableNames, ['alpha', 'beta']);
      assert.equal(out.LastEvaluatedTableName, 'beta');
      assert.deepEqual(received['ListTables'], { Limit: 2, ExclusiveStartTableName: 'aaa' });
    });

    it('an error becomes the SDK exception class with its status', async () => {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      const err = await rejects(ddb.send(new DescribeTableCommand({ TableName: 'nope' })));
      assert.ok(err instanceof ResourceNotFoundException);
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.match(err.message, /Table: nope not found/);
    });

    it('a wrong enum value and an out-of-range number are ValidationException', async () => {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      const err = await rejects(ddb.send(new CreateTableCommand({
        TableName: 'tbl', BillingMode: 'CHEAP' as never,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      })));
      assert.equal(err.name, 'ValidationException');
      assert.match(err.message, /Value 'CHEAP' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: \[PROVISIONED, PAY_PER_REQUEST\]/);
      const range = await rejects(ddb.send(new ListTablesCommand({ Limit: 500 })));
      assert.equal(range.name, 'ValidationException');
      assert.match(range.message, /Member must have value less than or equal to 100/);
    });

    it('missing required members are listed in one ValidationException', async () => {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      const err = await rejects(ddb.send(new CreateTableCommand({ TableName: 'a$b', AttributeDefinitions: [{ AttributeName: 'id' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } as never)));
      assert.equal(err.name, 'ValidationException');
      assert.match(err.message, /^2 validation errors detected: /);
      assert.match(err.message, /Value null at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must not be null/);
      assert.match(err.message, /Value 'a\$b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    });

    it('works from the AWS CLI', async () => {
      const r = await aws(nimbus, ['dynamodb', 'list-tables']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.json.TableNames, ['alpha', 'beta']);
      const e = await aws(nimbus, ['dynamodb', 'describe-table', '--table-name', 'nope']);
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, /ResourceNotFoundException/);
    });
  });

  describe('rest-json (Lambda)', () => {
    it('decodes query-string members and encodes the body', async () => {
      const lambda = new LambdaClient(clientConfig(nimbus));
      const out = await lambda.send(new ListFunctionsCommand({ MaxItems: 5, Marker: 'm1' }));
      assert.equal(out.Functions?.[0]?.FunctionName, 'f1');
      assert.equal(out.Functions?.[0]?.MemorySize, 128);
      assert.deepEqual(received['ListFunctions'], { MaxItems: 5, Marker: 'm1' });
    });

    it('an error carries its code header and 404 status', async () => {
      const lambda = new LambdaClient(clientConfig(nimbus));
      const err = await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'ghost' })));
      assert.ok(err instanceof LambdaNotFound);
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.Type, 'User');
      assert.match(err.message, /function:ghost/);
    });

    it('works from the AWS CLI', async () => {
      const r = await aws(nimbus, ['lambda', 'list-functions']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.Functions[0].FunctionName, 'f1');
    });
  });

  describe('rest-xml (S3)', () => {
    const s3 = () => new S3Client(clientConfig(nimbus, { forcePathStyle: true }));

    it('encodes a list with timestamps', async () => {
      const out = await s3().send(new ListBucketsCommand({}));
      assert.equal(out.Buckets?.[0]?.Name, 'bucket-one');
      assert.equal(out.Buckets?.[0]?.CreationDate?.toISOString(), '2024-05-01T12:00:00.000Z');
      assert.equal(out.Owner?.DisplayName, 'nimbus');
    });

    it('streams a PutObject body, aws-chunked with a trailing checksum, to the handler', async () => {
      const { Readable } = await import('node:stream');
      const body = Readable.from([Buffer.from('hello '), Buffer.from('streaming world')]);
      const out = await s3().send(new PutObjectCommand({
        Bucket: 'bucket-one', Key: 'dir/a file+x.txt', Body: body, ContentLength: 21, Metadata: { owner: 'me' }, ChecksumAlgorithm: 'CRC32',
      }));
      assert.equal(out.ETag, `"${createHash('md5').update('hello streaming world').digest('hex')}"`);
      assert.deepEqual(received['PutObject'], { bucket: 'bucket-one', key: 'dir/a file+x.txt', body: 'hello streaming world', metadata: { owner: 'me' } });
    });

    it('answers a payload body with header-bound members', async () => {
      const out = await s3().send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'k/é ü' }));
      assert.equal(await out.Body!.transformToString(), 'contents of k/é ü');
      assert.equal(out.ContentType, 'text/plain');
      assert.equal(out.LastModified?.toISOString(), '2024-01-02T03:04:05.000Z');
      assert.deepEqual(out.Metadata, { color: 'blue' });
    });

    it('an error is S3-shaped and the SDK names it', async () => {
      const err = await rejects(s3().send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'missing' })));
      assert.ok(err instanceof NoSuchKey);
      assert.equal(err.$metadata.httpStatusCode, 404);
      const res = await fetch(`${nimbus.endpoint}/bucket-one/missing`);
      const text = await res.text();
      assert.match(text, /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>missing<\/Key><RequestId>/);
    });

    it('virtual-hosted addressing takes the bucket from the Host header', async () => {
      const { request } = await import('node:http');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: nimbus.port, path: '/some/key.txt', headers: { host: `bucket-one.s3.localhost:${nimbus.port}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'contents of some/key.txt');
    });

    it('works from the AWS CLI', async () => {
      const r = await aws(nimbus, ['s3api', 'list-buckets']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.Buckets[0].Name, 'bucket-one');
      const ls = await aws(nimbus, ['s3', 'ls']);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /bucket-one/);
    });
  });

  describe('ec2 (EC2)', () => {
    it('decodes and encodes EC2-style lists', async () => {
      const ec2 = new EC2Client(clientConfig(nimbus));
      const out = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-east-1', 'eu-west-1'] }));
      assert.deepEqual(out.Regions?.map((r) => r.RegionName), ['us-east-1', 'eu-west-1']);
      assert.equal(out.Regions?.[1]?.Endpoint, 'ec2.eu-west-1.amazonaws.com');
    });

    it('an error is EC2-shaped and the SDK names it', async () => {
      const ec2 = new EC2Client(clientConfig(nimbus));
      const err = await rejects(ec2.send(new RunInstancesCommand({ ImageId: 'ami-123', MinCount: 1, MaxCount: 1 })));
      assert.equal(err.name, 'InvalidAMIID.NotFound');
      assert.equal(err.$metadata.httpStatusCode, 400);
    });

    it('a missing required parameter is MissingParameter', async () => {
      const ec2 = new EC2Client(clientConfig(nimbus));
      const err = await rejects(ec2.send(new RunInstancesCommand({ ImageId: 'ami-123' } as never)));
      assert.equal(err.name, 'MissingParameter');
      assert.match(err.message, /The request must contain the parameter MaxCount|The request must contain the parameter MinCount/);
    });

    it('works from the AWS CLI', async () => {
      const r = await aws(nimbus, ['ec2', 'describe-regions']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.Regions.length, 2);
      const e = await aws(nimbus, ['ec2', 'run-instances', '--image-id', 'ami-123', '--count', '1']);
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, /InvalidAMIID\.NotFound/);
    });
  });

  describe('query (STS) and SQS over query', () => {
    it('SQS answers JSON to the SDK', async () => {
      const sqs = new SQSClient(clientConfig(nimbus));
      const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'q' }));
      assert.deepEqual(out.QueueUrls, [`${nimbus.endpoint}/000000000000/q1`]);
    });

    it('SQS accepts a query-protocol request from older clients and answers XML', async () => {
      const res = await fetch(`${nimbus.endpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
        },
        body: 'Action=ListQueues&Version=2012-11-05&QueueNamePrefix=q',
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /<ListQueuesResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ListQueuesResult><QueueUrl>http:\/\/[^<]+\/000000000000\/q1<\/QueueUrl><\/ListQueuesResult>/);
      assert.deepEqual(received['ListQueues'], { QueueNamePrefix: 'q' });
    });
  });
});

describe('generated routing index', () => {
  it('src/generated/routes.json is what scripts/gen-routes.mjs makes of services.json and the service folders', async () => {
    const gen = (await import(new URL('../../scripts/gen-routes.mjs', import.meta.url).href)) as {
      routesOf(index: unknown, implemented: string[]): unknown;
      implementedServices(): string[];
    };
    const generated = new URL('../../src/generated/', import.meta.url);
    const index = JSON.parse(readFileSync(new URL('services.json', generated), 'utf8')) as unknown;
    const routes = JSON.parse(readFileSync(new URL('routes.json', generated), 'utf8')) as unknown;
    assert.deepEqual(routes, gen.routesOf(index, gen.implementedServices()), 'run `node scripts/gen-routes.mjs`');
  });
});
