import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand, DeleteResourcePolicyCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, GetResourcePolicyCommand,
  BatchWriteItemCommand, PutItemCommand, PutResourcePolicyCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand, type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

const ACCOUNT = '000000000000';
const OTHER = '222222222222';
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;
const arnOf = (table: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table}`;
/** A statement letting `principal` do `action` on `resource`. */
const grant = (principal: string, action: string | string[], resource: string | string[]) => ({ Effect: 'Allow', Principal: { AWS: principal }, Action: action, Resource: resource });

function tableInput(name: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput {
  return {
    TableName: name, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    ...extra,
  };
}

describe('DynamoDB resource-based policies', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start({ port: 0, ephemeral: true });
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  async function table(extra: Partial<CreateTableCommandInput> = {}): Promise<string> {
    const name = unique('pol');
    await ddb.send(new CreateTableCommand(tableInput(name, extra)));
    return name;
  }

  it('PutResourcePolicy returns a revision id that GetResourcePolicy shows with the document', async () => {
    const name = await table();
    const policy = doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)));
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: policy }));
    assert.match(put.RevisionId!, /^\d{13}$/);
    const got = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) }));
    assert.equal(got.Policy, policy);
    assert.equal(got.RevisionId, put.RevisionId);
  });

  it('the same document keeps its revision; a changed one gets a later revision', async () => {
    const name = await table();
    const first = doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)));
    const r1 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: first }))).RevisionId!;
    const r2 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: first }))).RevisionId!;
    assert.equal(r2, r1);
    const r3 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:PutItem', arnOf(name))) }))).RevisionId!;
    assert.ok(Number(r3) > Number(r1), `${r3} after ${r1}`);
  });

  it('GetResourcePolicy of a table without a policy fails with PolicyNotFoundException', async () => {
    const name = await table();
    const err = await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })));
    assert.equal(err.name, 'PolicyNotFoundException');
    assert.equal(err.message, `Resource-based policy not found for the provided ResourceArn: ${arnOf(name)}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('the policy operations on a missing table fail with ResourceNotFoundException', async () => {
    const arn = arnOf('no-such-table');
    // One call at a time: a rejection not yet awaited would count as unhandled.
    for (const call of [
      () => ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn })),
      () => ddb.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc(grant(ACCOUNT, 'dynamodb:GetItem', arn)) })),
      () => ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arn })),
    ]) {
      const err = await rejects(call());
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, 'Requested resource not found: Table: no-such-table not found');
    }
  });

  it('ExpectedRevisionId must be the current revision, else PolicyNotFoundException', async () => {
    const name = await table();
    const r1 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name))) }))).RevisionId!;
    const r2 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:PutItem', arnOf(name))), ExpectedRevisionId: r1 }))).RevisionId!;
    const err = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:Query', arnOf(name))), ExpectedRevisionId: r1 })));
    assert.equal(err.name, 'PolicyNotFoundException');
    assert.equal(err.message, `Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id ${r1}, but the policy associated to target table ${name} has revision id ${r2}.`);
    assert.equal((await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) }))).RevisionId, r2);
  });

  it('ExpectedRevisionId NO_POLICY attaches only where there is no policy yet', async () => {
    const name = await table();
    const policy = doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)));
    const r1 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: policy, ExpectedRevisionId: 'NO_POLICY' }))).RevisionId!;
    const err = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: policy, ExpectedRevisionId: 'NO_POLICY' })));
    assert.equal(err.name, 'PolicyNotFoundException');
    assert.equal(err.message, `Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table ${name}, but a policy exists with revision id ${r1}.`);
  });

  it('a policy over 20 KB, invalid JSON or without a principal is refused with ValidationException', async () => {
    const name = await table();
    const big = doc({ ...grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)), Sid: 'x'.repeat(20 * 1024) });
    const tooBig = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: big })));
    assert.equal(tooBig.name, 'ValidationException');
    assert.equal(tooBig.message, 'One or more parameter values were invalid: Maximum policy size of 20480 bytes exceeded');
    const notJson = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: '{"Version": ' })));
    assert.equal(notJson.name, 'ValidationException');
    assert.equal(notJson.message, 'One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json');
    const noPrincipal = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: arnOf(name) }) })));
    assert.equal(noPrincipal.name, 'ValidationException');
    assert.match(noPrincipal.message, /^One or more parameter values were invalid: Invalid policy document: /);
    await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })));
  });

  it("a policy is refused in DynamoDB's words: empty, null, no Resource, repeated Sids, actions no table has, and public access", async () => {
    const name = await table();
    const refused = async (Policy: string) => {
      const e = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy })));
      assert.equal(e.name, 'ValidationException');
      return e.message;
    };
    const invalid = 'One or more parameter values were invalid: Invalid policy document: ';
    assert.equal(await refused('{}'), `${invalid}Syntax error at position (1,3)`);
    assert.equal(await refused('null'), `${invalid}This text appears not to be a policy`);
    assert.equal(await refused(doc()), `${invalid}Could not parse the policy: Statement is empty!`);
    assert.equal(await refused(doc({}, grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)))), `${invalid}Missing required field Effect`);
    assert.equal(await refused(doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'dynamodb:GetItem' })), `${invalid}Missing required field Resource`);
    const sid = { ...grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)), Sid: 'one' };
    assert.equal(await refused(doc(sid, sid)), `${invalid}The Statement Ids in the policy are not unique`);
    assert.equal(await refused(doc(grant(ACCOUNT, ['dynamodb:GetRecords', 'dynamodb:Get*', 'dynamodb:RestoreTableFromBackup'], arnOf(name)))),
      `${invalid}The following action names are invalid: "dynamodb:GetRecords", "dynamodb:RestoreTableFromBackup"`);
    const unbounded = 'Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure least-privilege form of access';
    assert.equal(await refused(doc({ Effect: 'Allow', Principal: '*', Action: 'dynamodb:GetItem', Resource: arnOf(name) })), unbounded);
    assert.equal(await refused(doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'dynamodb:*', Resource: '*', Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' } } })), unbounded);
    await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })));
    // Anyone, narrowed by a trusted condition key to one account, is not public; a Deny for anyone never is.
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(
      { Effect: 'Allow', Principal: '*', Action: ['dynamodb:Get*', 'dynamodb:Query'], Resource: arnOf(name), Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } },
      { Effect: 'Deny', Principal: '*', Action: 'dynamodb:DeleteTable', Resource: arnOf(name) },
    ) }));
  });

  it('a ResourceArn that is a name, an index, or another account is refused with ValidationException', async () => {
    const name = await table();
    const bare = await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: name })));
    assert.equal(bare.name, 'ValidationException');
    assert.equal(bare.message, `One or more parameter values were invalid: ARNs must start with 'arn:': ${name}`);
    const index = await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: `${arnOf(name)}/index/by-g` })));
    assert.equal(index.message, `One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arnOf(name)}/index/by-g`);
    const other = await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:${OTHER}:table/${name}` })));
    assert.equal(other.name, 'ValidationException');
    assert.equal(other.message, 'This action is only supported by accounts that match the resource owner’s account.');
  });

  it('DeleteResourcePolicy returns the removed revision; deleting again is no error unless a revision is expected', async () => {
    const name = await table();
    const r1 = (await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name))) }))).RevisionId!;
    const stale = await rejects(ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arnOf(name), ExpectedRevisionId: 'unknown' })));
    assert.equal(stale.name, 'PolicyNotFoundException');
    assert.equal(stale.message, `Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id unknown, but the policy associated to target table ${name} has revision id ${r1}.`);
    assert.equal((await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arnOf(name), ExpectedRevisionId: r1 }))).RevisionId, r1);
    assert.equal((await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })))).name, 'PolicyNotFoundException');
    assert.equal((await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arnOf(name) }))).RevisionId, undefined);
    const expected = await rejects(ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arnOf(name), ExpectedRevisionId: r1 })));
    assert.equal(expected.name, 'PolicyNotFoundException');
  });

  it("a stream's policy is its own: the table's stays absent, and an unknown stream label is not found", async () => {
    const name = await table({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } });
    const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!.LatestStreamArn!;
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: streamArn, Policy: doc(grant(ACCOUNT, 'dynamodb:GetRecords', streamArn)) }));
    assert.equal((await ddb.send(new GetResourcePolicyCommand({ ResourceArn: streamArn }))).RevisionId, put.RevisionId);
    assert.equal((await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })))).name, 'PolicyNotFoundException');
    const bogus = await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: `${arnOf(name)}/stream/2000-01-01T00:00:00.000` })));
    assert.equal(bogus.name, 'ResourceNotFoundException');
    assert.equal(bogus.message, `Requested resource not found: Stream: 2000-01-01T00:00:00.000 not found for Table: ${name}`);
  });

  it("CreateTable's ResourcePolicy is attached; an invalid one fails and creates no table", async () => {
    const name = unique('pol');
    const policy = doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name)));
    await ddb.send(new CreateTableCommand(tableInput(name, { ResourcePolicy: policy })));
    const got = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) }));
    assert.equal(got.Policy, policy);
    const bad = unique('pol');
    const err = await rejects(ddb.send(new CreateTableCommand(tableInput(bad, { ResourcePolicy: 'not json' }))));
    assert.equal(err.name, 'ValidationException');
    assert.equal((await rejects(ddb.send(new DescribeTableCommand({ TableName: bad })))).name, 'ResourceNotFoundException');
  });

  it('DeleteTable removes the policy: a new table of the same name has none', async () => {
    const name = await table();
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name))) }));
    await ddb.send(new DeleteTableCommand({ TableName: name }));
    await ddb.send(new CreateTableCommand(tableInput(name)));
    assert.equal((await rejects(ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) })))).name, 'PolicyNotFoundException');
  });

  it('a policy that denies its author PutResourcePolicy needs ConfirmRemoveSelfResourceAccess', async () => {
    const name = await table();
    const policy = doc({ Effect: 'Deny', Principal: '*', Action: 'dynamodb:PutResourcePolicy', Resource: arnOf(name) });
    const err = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: policy })));
    assert.equal(err.name, 'AccessDeniedException');
    assert.equal(err.message, 'The new resource policy will not allow you to update the resource policy in the future.');
    assert.equal(err.$metadata.httpStatusCode, 400);
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: policy, ConfirmRemoveSelfResourceAccess: true }));
    assert.equal((await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arnOf(name) }))).Policy, policy);
  });
});

interface Keys { accessKeyId: string; secretAccessKey: string }

describe('DynamoDB resource-based policies under IAM enforcement', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start({ port: 0, ephemeral: true, enforceIam: true });
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /** A user of `account` with the given inline identity policies, and its access key. */
  async function user(name: string, policies: string[] = [], account = ACCOUNT): Promise<Keys> {
    const iam = new IAMClient(clientConfig(nimbus, { credentials: { accessKeyId: account === ACCOUNT ? 'test' : account, secretAccessKey: 'x' } }));
    await iam.send(new CreateUserCommand({ UserName: name }));
    for (const [i, p] of policies.entries()) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `p${i}`, PolicyDocument: p }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
  }
  const as = (keys: Keys) => new DynamoDBClient(clientConfig(nimbus, { credentials: keys }));

  async function tableWithItem(): Promise<string> {
    const name = unique('shared');
    await ddb.send(new CreateTableCommand(tableInput(name)));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, g: { S: 'x' }, v: { S: 'hello' } } }));
    return name;
  }

  it("another account's user reads a table by ARN once the table's policy grants it, and only what it grants", async () => {
    const name = await tableWithItem();
    const userName = unique('partner');
    const partner = as(await user(userName, [doc({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' })], OTHER));
    const principal = `arn:aws:iam::${OTHER}:user/${userName}`;
    const denied = await rejects(partner.send(new GetItemCommand({ TableName: arnOf(name), Key: { pk: { S: 'a' } } })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.$metadata.httpStatusCode, 400);
    assert.equal(denied.message, `User: ${principal} is not authorized to perform: dynamodb:GetItem on resource: ${arnOf(name)} because no resource-based policy allows the dynamodb:GetItem action`);
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(principal, ['dynamodb:GetItem', 'dynamodb:Query'], [arnOf(name), `${arnOf(name)}/index/*`])) }));
    const got = await partner.send(new GetItemCommand({ TableName: arnOf(name), Key: { pk: { S: 'a' } } }));
    assert.deepEqual(got.Item, { pk: { S: 'a' }, g: { S: 'x' }, v: { S: 'hello' } });
    const byIndex = await partner.send(new QueryCommand({ TableName: arnOf(name), IndexName: 'by-g', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'x' } } }));
    assert.equal(byIndex.Count, 1);
    const write = await rejects(partner.send(new PutItemCommand({ TableName: arnOf(name), Item: { pk: { S: 'b' }, g: { S: 'y' } } })));
    assert.equal(write.name, 'AccessDeniedException');
    assert.match(write.message, /dynamodb:PutItem on resource: .* because no resource-based policy allows the dynamodb:PutItem action$/);
  });

  it("a grant to another account's user still needs that user's own identity policy", async () => {
    const name = await tableWithItem();
    const userName = unique('bare');
    const partner = as(await user(userName, [], OTHER));
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(`arn:aws:iam::${OTHER}:user/${userName}`, 'dynamodb:GetItem', arnOf(name))) }));
    const err = await rejects(partner.send(new GetItemCommand({ TableName: arnOf(name), Key: { pk: { S: 'a' } } })));
    assert.equal(err.name, 'AccessDeniedException');
    assert.match(err.message, /because no identity-based policy allows the dynamodb:GetItem action$/);
  });

  it('a same-account user without identity policies is allowed by the table policy alone', async () => {
    const name = await tableWithItem();
    const userName = unique('reader');
    const reader = as(await user(userName));
    const before = await rejects(reader.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } })));
    assert.equal(before.name, 'AccessDeniedException');
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(`arn:aws:iam::${ACCOUNT}:user/${userName}`, 'dynamodb:GetItem', arnOf(name))) }));
    assert.equal((await reader.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }))).Item?.['v']?.S, 'hello');
  });

  it("an explicit Deny in the table's policy beats the owner account user's identity allow", async () => {
    const name = await tableWithItem();
    const userName = unique('owner');
    const owner = as(await user(userName, [doc({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' })]));
    await owner.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }));
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc({ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${userName}` }, Action: 'dynamodb:GetItem', Resource: arnOf(name) }) }));
    const err = await rejects(owner.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } })));
    assert.equal(err.name, 'AccessDeniedException');
    assert.equal(err.message, `User: arn:aws:iam::${ACCOUNT}:user/${userName} is not authorized to perform: dynamodb:GetItem on resource: ${arnOf(name)} with an explicit deny in a resource-based policy`);
    await owner.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' }, g: { S: 'y' } } }));
  });

  it('the root user may delete a policy that denies everyone everything, which ends the denial', async () => {
    const name = await tableWithItem();
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc({ Effect: 'Deny', Principal: '*', Action: 'dynamodb:*', Resource: arnOf(name) }), ConfirmRemoveSelfResourceAccess: true }));
    const denied = await rejects(ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } })));
    assert.match(denied.message, /with an explicit deny in a resource-based policy$/);
    const put = await rejects(ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(ACCOUNT, 'dynamodb:GetItem', arnOf(name))) })));
    assert.equal(put.name, 'AccessDeniedException');
    await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: arnOf(name) }));
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }))).Item?.['v']?.S, 'hello');
  });

  // The AWS CLI of this machine (2.9) predates the policy operations; it meets their effect here.
  it('the AWS CLI of a granted user reads the table; an ungranted one sees the denial', async () => {
    const name = await tableWithItem();
    const granted = unique('cli');
    const keys = await user(granted);
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: arnOf(name), Policy: doc(grant(`arn:aws:iam::${ACCOUNT}:user/${granted}`, 'dynamodb:GetItem', arnOf(name))) }));
    const env = (k: Keys) => ({ AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey });
    const ok = await aws(nimbus, ['dynamodb', 'get-item', '--table-name', name, '--key', '{"pk":{"S":"a"}}'], env(keys));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.json.Item.v.S, 'hello');
    const other = await aws(nimbus, ['dynamodb', 'get-item', '--table-name', name, '--key', '{"pk":{"S":"a"}}'], env(await user(unique('cli'))));
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /AccessDeniedException.*is not authorized to perform: dynamodb:GetItem/);
  });

  it('fine-grained access: dynamodb:LeadingKeys holds a user to its own partition, dynamodb:Attributes and dynamodb:Select to named attributes', async () => {
    const name = unique('fgac');
    await ddb.send(new CreateTableCommand(tableInput(name)));
    for (const pk of ['alice', 'bob']) await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: pk }, g: { S: 'x' }, secret: { S: 's' } } }));
    const own = as(await user(unique('alice'), [doc({
      Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'], Resource: arnOf(name),
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['alice'] } },
    })]));
    assert.equal((await own.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'alice' } } }))).Item?.pk?.S, 'alice');
    const theirs = await rejects(own.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'bob' } } })));
    assert.equal(theirs.name, 'AccessDeniedException');
    assert.match(theirs.message, /is not authorized to perform: dynamodb:GetItem on resource: .* because no identity-based policy allows the dynamodb:GetItem action$/);
    assert.equal((await own.send(new QueryCommand({ TableName: name, KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'pk' }, ExpressionAttributeValues: { ':v': { S: 'alice' } } }))).Count, 1);
    assert.equal((await rejects(own.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'bob' } } })))).name, 'AccessDeniedException');
    await own.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'alice' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '1' } } }));
    const batch = await rejects(own.send(new BatchWriteItemCommand({ RequestItems: { [name]: [{ PutRequest: { Item: { pk: { S: 'alice' } } } }, { DeleteRequest: { Key: { pk: { S: 'bob' } } } }] } })));
    assert.equal(batch.name, 'AccessDeniedException');
    assert.equal((await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'bob' } } }))).Item?.pk?.S, 'bob');

    const narrow = as(await user(unique('narrow'), [doc({
      Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: arnOf(name),
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'g', 'n'] }, StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } },
    })]));
    const projected = await narrow.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'alice' } }, ProjectionExpression: 'pk, #g', ExpressionAttributeNames: { '#g': 'g' } }));
    assert.deepEqual(projected.Item, { pk: { S: 'alice' }, g: { S: 'x' } });
    assert.equal((await rejects(narrow.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'alice' } } })))).name, 'AccessDeniedException');
    assert.equal((await rejects(narrow.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'alice' } }, ProjectionExpression: 'secret' })))).name, 'AccessDeniedException');
    await narrow.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'alice' } }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    assert.equal((await rejects(narrow.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: 'alice' } }, UpdateExpression: 'REMOVE secret' })))).name, 'AccessDeniedException');
    const tx = await rejects(own.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: name, Item: { pk: { S: 'bob' } } } }] })));
    assert.equal(tx.name, 'AccessDeniedException');
  });
});
