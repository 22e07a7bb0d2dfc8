import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Nimbus } from '../src/index.js';
import { clientConfig, rejects, start } from './helpers.js';

/**
 * What Nimbus keeps in memory between requests (the tables item operations name, the access keys
 * signed requests name) must follow every change: its own writes, a reset, and the commits of
 * another Nimbus on the same data directory.
 */
const ACCOUNT = '000000000000';

async function twoOnOneDataDirectory(run: (a: Nimbus, b: Nimbus) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-caches-'));
  const a = await start({ ephemeral: false, dataDir });
  const b = await start({ ephemeral: false, dataDir });
  try {
    await run(a, b);
  } finally {
    await a.stop();
    await b.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const keyedBy = (name: string, attribute: string) => new CreateTableCommand({
  TableName: name, KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: attribute, AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
});

async function userKey(nimbus: Nimbus, user: string) {
  const iam = new IAMClient(clientConfig(nimbus));
  await iam.send(new CreateUserCommand({ UserName: user }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
  return { iam, key, sts: new STSClient(clientConfig(nimbus, { credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } })) };
}

/** The caller's ARN, asked twice: a key's first request records its last use, a write that would hide a stale cache. */
async function callerTwice(sts: STSClient): Promise<string | undefined> {
  await sts.send(new GetCallerIdentityCommand({}));
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
}

describe('caches of state', () => {
  it('an item operation uses the key schema of a table another Nimbus on the same data directory re-created', async () => {
    await twoOnOneDataDirectory(async (a, b) => {
      const ddbA = new DynamoDBClient(clientConfig(a));
      const ddbB = new DynamoDBClient(clientConfig(b));
      await ddbA.send(keyedBy('shared', 'pk'));
      await ddbA.send(new PutItemCommand({ TableName: 'shared', Item: { pk: { S: 'x' } } }));
      await ddbB.send(new DeleteTableCommand({ TableName: 'shared' }));
      await ddbB.send(keyedBy('shared', 'id'));
      const e = await rejects(ddbA.send(new PutItemCommand({ TableName: 'shared', Item: { pk: { S: 'x' } } })));
      assert.equal(e.name, 'ValidationException');
      await ddbA.send(new PutItemCommand({ TableName: 'shared', Item: { id: { S: 'y' } } }));
      assert.deepEqual((await ddbB.send(new GetItemCommand({ TableName: 'shared', Key: { id: { S: 'y' } } }))).Item, { id: { S: 'y' } });
    });
  });

  it('an item operation on a table this Nimbus deleted fails, and one on its re-creation uses the new key schema', async () => {
    const nimbus = await start();
    try {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      await ddb.send(keyedBy('again', 'pk'));
      await ddb.send(new PutItemCommand({ TableName: 'again', Item: { pk: { S: 'x' } } }));
      await ddb.send(new DeleteTableCommand({ TableName: 'again' }));
      assert.equal((await rejects(ddb.send(new GetItemCommand({ TableName: 'again', Key: { pk: { S: 'x' } } })))).name, 'ResourceNotFoundException');
      await ddb.send(keyedBy('again', 'id'));
      assert.equal((await rejects(ddb.send(new PutItemCommand({ TableName: 'again', Item: { pk: { S: 'x' } } })))).name, 'ValidationException');
    } finally {
      await nimbus.stop();
    }
  });

  it('an item written after UpdateTable added a global secondary index is in the index', async () => {
    const nimbus = await start();
    try {
      const ddb = new DynamoDBClient(clientConfig(nimbus));
      await ddb.send(keyedBy('indexed', 'pk'));
      await ddb.send(new PutItemCommand({ TableName: 'indexed', Item: { pk: { S: 'before' } } }));
      await ddb.send(new UpdateTableCommand({
        TableName: 'indexed', AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
      }));
      await ddb.send(new PutItemCommand({ TableName: 'indexed', Item: { pk: { S: 'after' }, g: { S: 'v' } } }));
      const q = await ddb.send(new QueryCommand({ TableName: 'indexed', IndexName: 'by-g', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'v' } } }));
      assert.deepEqual(q.Items, [{ pk: { S: 'after' }, g: { S: 'v' } }]);
    } finally {
      await nimbus.stop();
    }
  });

  it('an access key another Nimbus on the same data directory turned off stops working at once', async () => {
    await twoOnOneDataDirectory(async (a, b) => {
      const { key, sts } = await userKey(a, 'shared-user');
      assert.equal(await callerTwice(sts), `arn:aws:iam::${ACCOUNT}:user/shared-user`);
      await new IAMClient(clientConfig(b)).send(new UpdateAccessKeyCommand({ UserName: 'shared-user', AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
      assert.equal((await rejects(sts.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
    });
  });

  it('an access key turned off stops working, and a deleted one, like every key after a reset, is no longer the user\'s', async () => {
    const nimbus = await start();
    try {
      const first = await userKey(nimbus, 'deleted-key');
      assert.equal(await callerTwice(first.sts), `arn:aws:iam::${ACCOUNT}:user/deleted-key`);
      await first.iam.send(new UpdateAccessKeyCommand({ UserName: 'deleted-key', AccessKeyId: first.key.AccessKeyId!, Status: 'Inactive' }));
      assert.equal((await rejects(first.sts.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
      await first.iam.send(new DeleteAccessKeyCommand({ UserName: 'deleted-key', AccessKeyId: first.key.AccessKeyId! }));
      assert.equal((await first.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);

      const second = await userKey(nimbus, 'reset-key');
      assert.equal(await callerTwice(second.sts), `arn:aws:iam::${ACCOUNT}:user/reset-key`);
      assert.equal((await fetch(`${nimbus.endpoint}/_nimbus/reset`, { method: 'POST' })).status, 200);
      assert.equal((await second.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    } finally {
      await nimbus.stop();
    }
  });
});
