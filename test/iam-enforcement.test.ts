import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DescribeExportCommand, DescribeImportCommand, DynamoDBClient, ImportTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddUserToGroupCommand, AttachUserPolicyCommand, DeleteUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand,
  IAMClient, ListUsersCommand, TagUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, ListMFADevicesCommand, PutGroupPolicyCommand, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { totp } from '../src/iam/totp.js';
import { evaluate } from '../src/iam/evaluate.js';
import { contextOf } from '../src/iam/match.js';
import { parsePolicy } from '../src/iam/policy.js';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start, startProcess } from './helpers.js';

const ACCOUNT = '000000000000';
const OTHER = '222222222222';
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });
let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

interface Keys { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

/** Creates a user with inline policies and returns its access key. */
async function user(nimbus: Nimbus, name: string, policies: string[] = [], account = ACCOUNT): Promise<Keys> {
  const iam = new IAMClient(clientConfig(nimbus, { credentials: { accessKeyId: account === ACCOUNT ? 'test' : account, secretAccessKey: 'x' } }));
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const [i, p] of policies.entries()) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `p${i}`, PolicyDocument: p }));
  const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
}

const as = (nimbus: Nimbus, credentials: Keys) => clientConfig(nimbus, { credentials });

async function advance(nimbus: Nimbus, by: string) {
  const res = await fetch(`${nimbus.endpoint}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
}

describe('IAM enforcement', () => {
  let nimbus: Nimbus;
  let iam: IAMClient;
  let sqs: SQSClient;
  let queueUrl: string;
  const bucketPolicies = new Map<string, string>();
  before(async () => {
    nimbus = await start({
      enforceIam: true,
      // A bucket of account 000000000000 whose policy the tests set, served by a small GetObject,
      // so cross-account grants are tested whatever the S3 service does with other accounts.
      handlers: { s3: { GetObject: (input: { Bucket: string; Key: string }) => ({ Body: Buffer.from(`${input.Bucket}/${input.Key}`), ContentLength: input.Bucket.length + input.Key.length + 1 }) } },
      resourcePolicies: {
        s3: (_ctx, arn) => {
          const bucket = arn.slice('arn:aws:s3:::'.length).split('/')[0]!;
          const policy = bucketPolicies.get(bucket);
          return bucket.startsWith('shared-') ? { account: ACCOUNT, ...(policy ? { policy } : {}) } : undefined;
        },
      },
    });
    iam = new IAMClient(clientConfig(nimbus));
    sqs = new SQSClient(clientConfig(nimbus));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
  });
  after(() => nimbus.stop());

  it('the root user is allowed everything without any policy', async () => {
    await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    await iam.send(new ListUsersCommand({}));
  });

  it('a user with no policy is denied with AWS message and code', async () => {
    const name = unique('nobody');
    const client = new SQSClient(as(nimbus, await user(nimbus, name)));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.equal(err.message, `User: arn:aws:iam::${ACCOUNT}:user/${name} is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:orders because no identity-based policy allows the sqs:SendMessage action`);
  });

  it('GetCallerIdentity needs no permission', async () => {
    const name = unique('whoami');
    const id = await new STSClient(as(nimbus, await user(nimbus, name))).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/${name}`);
  });

  it('a group policy allows its members', async () => {
    const group = unique('senders');
    const name = unique('member');
    const keys = await user(nimbus, name);
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: 'send', PolicyDocument: doc(allow('sqs:SendMessage', `arn:aws:sqs:*:${ACCOUNT}:orders`)) }));
    const client = new SQSClient(as(nimbus, keys));
    await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: name }));
    const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    assert.ok(sent.MessageId);
  });

  it('an explicit deny in a second policy wins over an allow', async () => {
    const name = unique('denied');
    const client = new SQSClient(as(nimbus, await user(nimbus, name, [doc(allow('sqs:*')), doc(deny('sqs:SendMessage'))])));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.equal(err.message, `User: arn:aws:iam::${ACCOUNT}:user/${name} is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:orders with an explicit deny in an identity-based policy`);
  });

  it('AWS managed policies attached to a user take effect', async () => {
    const name = unique('reader');
    const keys = await user(nimbus, name);
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess' }));
    const client = new SQSClient(as(nimbus, keys));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.equal(err.name, 'AccessDenied');
  });

  it('a permissions boundary limits what the identity policy allows', async () => {
    const name = unique('bounded');
    const keys = await user(nimbus, name, [doc(allow('sqs:*'))]);
    const boundary = await iam.send(new CreatePolicyCommand({ PolicyName: unique('boundary'), PolicyDocument: doc(allow('sqs:GetQueueUrl')) }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: boundary.Policy!.Arn }));
    const client = new SQSClient(as(nimbus, keys));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.match(err.message, /because no permissions boundary allows the sqs:SendMessage action$/);
  });

  it('NotResource allows everything except the listed resources', async () => {
    const name = unique('notres');
    await sqs.send(new CreateQueueCommand({ QueueName: 'secret' }));
    const client = new SQSClient(as(nimbus, await user(nimbus, name, [doc({ Effect: 'Allow', Action: 'sqs:GetQueueUrl', NotResource: `arn:aws:sqs:us-east-1:${ACCOUNT}:secret` })])));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new GetQueueUrlCommand({ QueueName: 'secret' })));
    assert.equal(err.name, 'AccessDenied');
  });

  it('an aws:SourceIp condition admits the local address and not another range', async () => {
    const local = new SQSClient(as(nimbus, await user(nimbus, unique('ip-ok'), [doc(allow('sqs:GetQueueUrl', '*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }))])));
    await local.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const remote = new SQSClient(as(nimbus, await user(nimbus, unique('ip-no'), [doc(allow('sqs:GetQueueUrl', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))])));
    assert.equal((await rejects(remote.send(new GetQueueUrlCommand({ QueueName: 'orders' })))).name, 'AccessDenied');
  });

  it('an s3:prefix condition limits listing to the user own prefix', async () => {
    const s3root = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    const bucket = unique('home').toLowerCase();
    await s3root.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3root.send(new PutObjectCommand({ Bucket: bucket, Key: 'alice/notes.txt', Body: 'hi' }));
    const name = unique('alice');
    const policy = doc(allow('s3:ListBucket', `arn:aws:s3:::${bucket}`, { Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } }));
    const s3 = new S3Client({ ...as(nimbus, await user(nimbus, name, [policy])), forcePathStyle: true });
    const own = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${name}/` }));
    assert.equal(own.KeyCount, 0);
    const err = await rejects(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'alice/' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it('a bucket policy grants a second account user access; without it the user is denied', async () => {
    const bucket = unique('shared').toLowerCase();
    const name = unique('partner');
    const keys = await user(nimbus, name, [doc(allow('s3:GetObject'))], OTHER);
    const s3 = new S3Client({ ...as(nimbus, keys), forcePathStyle: true });
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'report.csv' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, `User: arn:aws:iam::${OTHER}:user/${name} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${bucket}/report.csv because no resource-based policy allows the s3:GetObject action`);
    bucketPolicies.set(bucket, doc(allow('s3:GetObject', `arn:aws:s3:::${bucket}/*`, { Principal: { AWS: `arn:aws:iam::${OTHER}:user/${name}` } })));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'report.csv' }));
    assert.equal(await got.Body!.transformToString(), `${bucket}/report.csv`);
  });

  it('a bucket policy deny beats the owner account identity allow', async () => {
    const bucket = unique('shared').toLowerCase();
    bucketPolicies.set(bucket, doc(deny('s3:GetObject', `arn:aws:s3:::${bucket}/private/*`, { Principal: '*' })));
    const s3 = new S3Client({ ...as(nimbus, await user(nimbus, unique('owner'), [doc(allow('s3:*'))])), forcePathStyle: true });
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/a' }));
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'private/a' })));
    assert.match(err.message, /with an explicit deny in a resource-based policy$/);
  });

  it('DynamoDB denies with AccessDeniedException (400)', async () => {
    const ddb = new DynamoDBClient(as(nimbus, await user(nimbus, unique('ddb'), [doc(allow('dynamodb:ListTables'))])));
    await ddb.send(new ListTablesCommand({}));
    const err = await rejects(ddb.send(new CreateTableCommand({ TableName: 't', AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' })));
    assert.equal(err.name, 'AccessDeniedException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /dynamodb:CreateTable on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/t because/);
  });

  it('DynamoDB authorizes an import against the table it creates, and DescribeImport/DescribeExport against their ARNs', async () => {
    const ddb = new DynamoDBClient(as(nimbus, await user(nimbus, unique('imp'), [doc(allow('dynamodb:ListTables'))])));
    const imported = await rejects(ddb.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: 'b' }, InputFormat: 'CSV',
      TableCreationParameters: { TableName: 'fresh', AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
    })));
    assert.match(imported.message, /dynamodb:ImportTable on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/fresh because/);
    for (const [command, arn] of [
      [new DescribeImportCommand({ ImportArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/fresh/import/01' }), 'table/fresh/import/01'],
      [new DescribeExportCommand({ ExportArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/export/01' }), 'table/t/export/01'],
    ] as const) {
      const err = await rejects(ddb.send(command as DescribeImportCommand));
      assert.match(err.message, new RegExp(`on resource: arn:aws:dynamodb:us-east-1:000000000000:${arn} because`));
    }
  });

  it('EC2 answers UnauthorizedOperation whose encoded message STS decodes', async () => {
    const name = unique('ec2');
    const keys = await user(nimbus, name, [doc(allow('sts:DecodeAuthorizationMessage'))]);
    const err = await rejects(new EC2Client(as(nimbus, keys)).send(new DescribeVpcsCommand({})));
    assert.equal(err.name, 'UnauthorizedOperation');
    assert.equal(err.$metadata.httpStatusCode, 403);
    const encoded = /Encoded authorization failure message: (\S+)/.exec(err.message)![1]!;
    const decoded = await new STSClient(as(nimbus, keys)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    const message = JSON.parse(decoded.DecodedMessage!);
    assert.equal(message.allowed, false);
    assert.equal(message.context.action, 'ec2:DescribeVpcs');
    assert.equal(message.context.principal.arn, `arn:aws:iam::${ACCOUNT}:user/${name}`);
  });

  it('AssumeRole: a trust policy naming someone else fails, one naming the user succeeds', async () => {
    const name = unique('assumer');
    const keys = await user(nimbus, name, [doc(allow('sts:AssumeRole'))]);
    const wrong = unique('wrong');
    await iam.send(new CreateRoleCommand({ RoleName: wrong, AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }) }));
    const sts = new STSClient(as(nimbus, keys));
    const err = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${wrong}`, RoleSessionName: 'sess' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.match(err.message, new RegExp(`User: arn:aws:iam::${ACCOUNT}:user/${name} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/${wrong}`));
    const right = unique('right');
    await iam.send(new CreateRoleCommand({ RoleName: right, AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${name}` }, Action: 'sts:AssumeRole' }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: right, PolicyName: 'q', PolicyDocument: doc(allow('sqs:*')) }));
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${right}`, RoleSessionName: 'sess' }));
    const session = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    await new SQSClient(as(nimbus, session)).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'from role' }));
    const missing = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${unique('ghost')}`, RoleSessionName: 'sess' })));
    assert.equal(missing.name, 'AccessDenied');
  });

  it('AssumeRole with an external id condition needs the right id', async () => {
    const role = unique('vendor');
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'abc-123' } } }) }));
    const sts = new STSClient(clientConfig(nimbus));
    const err = await rejects(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'sess', ExternalId: 'wrong' })));
    assert.equal(err.name, 'AccessDenied');
    await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'sess', ExternalId: 'abc-123' }));
  });

  it('a session policy narrows what the role session may do', async () => {
    const role = unique('narrow');
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'all', PolicyDocument: doc(allow('sqs:*')) }));
    const r = await new STSClient(clientConfig(nimbus)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'narrow', Policy: doc(allow('sqs:GetQueueUrl')) }));
    assert.ok(r.PackedPolicySize! > 0);
    const client = new SQSClient(as(nimbus, { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! }));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.equal(err.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/${role}/narrow is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:orders because no session policy allows the sqs:SendMessage action`);
  });

  it('cross-account AssumeRole needs both the trust policy and the caller own identity policy', async () => {
    const role = unique('cross');
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }) }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
    const without = new STSClient(as(nimbus, await user(nimbus, unique('outsider'), [], OTHER)));
    const err = await rejects(without.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sess' })));
    assert.match(err.message, /because no identity-based policy allows the sts:AssumeRole action$/);
    const allowed = new STSClient(as(nimbus, await user(nimbus, unique('partner'), [doc(allow('sts:AssumeRole', roleArn))], OTHER)));
    const r = await allowed.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sess' }));
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/sess`);
  });

  it('attribute-based access: a principal tag must equal the value the policy reads', async () => {
    const name = unique('abac');
    const keys = await user(nimbus, name, [doc(allow('sqs:GetQueueUrl', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'orders' } } }))]);
    const client = new SQSClient(as(nimbus, keys));
    await rejects(client.send(new GetQueueUrlCommand({ QueueName: 'orders' })));
    await iam.send(new TagUserCommand({ UserName: name, Tags: [{ Key: 'team', Value: 'orders' }] }));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
  });

  it('a federated user has its caller permissions narrowed by the session policy', async () => {
    const name = unique('broker');
    const keys = await user(nimbus, name, [doc(allow(['sqs:*', 'sts:GetFederationToken']))]);
    const sts = new STSClient(as(nimbus, keys));
    const f = await sts.send(new GetFederationTokenCommand({ Name: 'carol', Policy: doc(allow('sqs:GetQueueUrl')) }));
    assert.equal(f.FederatedUser!.Arn, `arn:aws:sts::${ACCOUNT}:federated-user/carol`);
    const session = { accessKeyId: f.Credentials!.AccessKeyId!, secretAccessKey: f.Credentials!.SecretAccessKey!, sessionToken: f.Credentials!.SessionToken! };
    assert.equal((await new STSClient(as(nimbus, session)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:federated-user/carol`);
    const client = new SQSClient(as(nimbus, session));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const err = await rejects(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    assert.match(err.message, /because no session policy allows the sqs:SendMessage action$/);
    const bare = await sts.send(new GetFederationTokenCommand({ Name: 'dave' }));
    const none = new SQSClient(as(nimbus, { accessKeyId: bare.Credentials!.AccessKeyId!, secretAccessKey: bare.Credentials!.SecretAccessKey!, sessionToken: bare.Credentials!.SessionToken! }));
    assert.equal((await rejects(none.send(new GetQueueUrlCommand({ QueueName: 'orders' })))).name, 'AccessDenied');
  });

  it('transitive session tags follow a role chain and act as principal tags', async () => {
    const first = unique('first');
    const second = unique('second');
    const trustAccount = doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    await iam.send(new CreateRoleCommand({ RoleName: first, AssumeRolePolicyDocument: trustAccount }));
    await iam.send(new PutRolePolicyCommand({ RoleName: first, PolicyName: 'chain', PolicyDocument: doc(allow(['sts:AssumeRole', 'sts:TagSession'])) }));
    await iam.send(new CreateRoleCommand({ RoleName: second, AssumeRolePolicyDocument: trustAccount }));
    await iam.send(new PutRolePolicyCommand({ RoleName: second, PolicyName: 'abac', PolicyDocument: doc(allow('sqs:GetQueueUrl', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/project': 'orders' } } })) }));
    const r1 = await new STSClient(clientConfig(nimbus)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${first}`, RoleSessionName: 'one', Tags: [{ Key: 'project', Value: 'orders' }], TransitiveTagKeys: ['project'] }));
    const s1 = new STSClient(as(nimbus, { accessKeyId: r1.Credentials!.AccessKeyId!, secretAccessKey: r1.Credentials!.SecretAccessKey!, sessionToken: r1.Credentials!.SessionToken! }));
    const r2 = await s1.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${second}`, RoleSessionName: 'two' }));
    const chained = new SQSClient(as(nimbus, { accessKeyId: r2.Credentials!.AccessKeyId!, secretAccessKey: r2.Credentials!.SecretAccessKey!, sessionToken: r2.Credentials!.SessionToken! }));
    await chained.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const override = await rejects(s1.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${second}`, RoleSessionName: 'two', Tags: [{ Key: 'project', Value: 'other' }] })));
    assert.equal(override.$metadata.httpStatusCode, 400);
  });

  it('removing and restoring a policy decides the very next request', async () => {
    const name = unique('revoked');
    const client = new SQSClient(as(nimbus, await user(nimbus, name, [doc(allow('sqs:GetQueueUrl'))])));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'p0' }));
    await rejects(client.send(new GetQueueUrlCommand({ QueueName: 'orders' })));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p0', PolicyDocument: doc(allow('sqs:GetQueueUrl')) }));
    await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
  });

  it('a queue policy and the queue tags a policy reads decide the very next request', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('kept') }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const granted = unique('granted');
    const byQueue = new SQSClient(as(nimbus, await user(nimbus, granted)));
    const queuePolicy = (who: string) => doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${who}` }, Action: 'sqs:SendMessage', Resource: arn });
    await rejects(byQueue.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: queuePolicy(granted) } }));
    await byQueue.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: queuePolicy(unique('someone-else')) } }));
    await rejects(byQueue.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));

    const byTag = new SQSClient(as(nimbus, await user(nimbus, unique('tagged'), [doc(allow('sqs:SendMessage', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'orders' } } }))])));
    await rejects(byTag.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { team: 'orders' } }));
    await byTag.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    await rejects(byTag.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
  });

  it('the AWS CLI shows the denial', async () => {
    const keys = await user(nimbus, unique('cli'));
    const r = await aws(nimbus, ['sqs', 'get-queue-url', '--queue-name', 'orders'], { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDenied/);
    assert.match(r.stderr, /is not authorized to perform: sqs:GetQueueUrl/);
  });
});

/**
 * A sample of the engine's table (test/policy-evaluation.test.ts) run end to end: each policy is
 * given to a fresh user calling sqs:GetQueueUrl, and the gateway must decide as the engine does.
 */
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:sampled`;
const sample: [string, string[], boolean][] = [
  ['no policy', [], false],
  ['an allow of the action', [doc(allow('sqs:GetQueueUrl', QUEUE))], true],
  ['a service wildcard', [doc(allow('sqs:*'))], true],
  ['a prefix wildcard of another action', [doc(allow('sqs:Send*'))], false],
  ['NotAction excluding another service', [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], true],
  ['NotAction excluding the action', [doc({ Effect: 'Allow', NotAction: 'sqs:GetQueueUrl', Resource: '*' })], false],
  ['a region wildcard in the resource', [doc(allow('sqs:GetQueueUrl', `arn:aws:sqs:*:${ACCOUNT}:sampled`))], true],
  ['another account in the resource', [doc(allow('sqs:GetQueueUrl', `arn:aws:sqs:us-east-1:${OTHER}:sampled`))], false],
  ['an explicit deny with an allow', [doc(allow('*'), deny('sqs:GetQueueUrl'))], false],
  ['a deny of another resource', [doc(allow('*'), deny('sqs:GetQueueUrl', `${QUEUE}-other`))], true],
  ['aws:RequestedRegion matching', [doc(allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }))], true],
  ['aws:RequestedRegion not matching', [doc(allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))], false],
  ['aws:SecureTransport required', [doc(allow('sqs:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }))], false],
  ['aws:username variable in a condition', [doc(allow('sqs:*', '*', { Condition: { StringLike: { 'aws:username': 'sample-*' } } }))], true],
  ['Null check on a missing MFA key', [doc(allow('sqs:*', '*', { Condition: { Null: { 'aws:MultiFactorAuthPresent': 'true' } } }))], true],
];

describe('policy evaluation sampled end to end', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start({ enforceIam: true });
    await new SQSClient(clientConfig(nimbus)).send(new CreateQueueCommand({ QueueName: 'sampled' }));
  });
  after(() => nimbus.stop());

  for (const [i, [what, policies, allowed]] of sample.entries()) {
    it(`${what}: ${allowed ? 'allowed' : 'denied'} by the engine and by the gateway`, async () => {
      const name = `sample-${i}`;
      const arn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
      const direct = evaluate(
        { principal: { kind: 'user', arn, account: ACCOUNT }, action: 'sqs:GetQueueUrl', resource: QUEUE, context: contextOf({ 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false', 'aws:username': name }) },
        { identity: policies.map((p) => parsePolicy(p, 'identity')) },
      );
      assert.equal(direct.allowed, allowed, 'engine');
      const client = new SQSClient(as(nimbus, await user(nimbus, name, policies)));
      const result = await client.send(new GetQueueUrlCommand({ QueueName: 'sampled' })).then(() => true, (e: { name: string }) => (e.name === 'AccessDenied' ? false : Promise.reject(e)));
      assert.equal(result, allowed, 'gateway');
    });
  }
});

describe('IAM enforcement over time', () => {
  it('an aws:CurrentTime condition stops allowing once the clock passes it', async () => {
    const nimbus = await start({ enforceIam: true });
    try {
      await new SQSClient(clientConfig(nimbus)).send(new CreateQueueCommand({ QueueName: 'timed' }));
      const until = new Date(nimbus.clock.now() + 3600_000).toISOString();
      const client = new SQSClient(as(nimbus, await user(nimbus, 'temp', [doc(allow('sqs:GetQueueUrl', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': until } } }))])));
      await client.send(new GetQueueUrlCommand({ QueueName: 'timed' }));
      await advance(nimbus, '2h');
      assert.equal((await rejects(client.send(new GetQueueUrlCommand({ QueueName: 'timed' })))).name, 'AccessDenied');
    } finally {
      await nimbus.stop();
    }
  });

  it('role credentials expire when the clock passes their expiration', async () => {
    const nimbus = await start({ enforceIam: true });
    try {
      const iam = new IAMClient(clientConfig(nimbus));
      await iam.send(new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) }));
      const r = await new STSClient(clientConfig(nimbus)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/short`, RoleSessionName: 'sess', DurationSeconds: 900 }));
      const sts = new STSClient(as(nimbus, { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! }));
      await sts.send(new GetCallerIdentityCommand({}));
      await advance(nimbus, '16m');
      const err = await rejects(sts.send(new GetCallerIdentityCommand({})));
      assert.equal(err.name, 'ExpiredToken');
    } finally {
      await nimbus.stop();
    }
  });
});

describe('IAM enforcement with two instances on one data directory', () => {
  it('what one instance changes decides the other instance\'s very next request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-iam-'));
    const first = await start({ ephemeral: false, dataDir, enforceIam: true });
    const second = await start({ ephemeral: false, dataDir, enforceIam: true });
    try {
      const { QueueUrl } = await new SQSClient(clientConfig(first)).send(new CreateQueueCommand({ QueueName: unique('shared') }));
      const name = unique('reader');
      const reader = new SQSClient(as(second, await user(first, name, [doc(allow('sqs:GetQueueUrl'))])));
      const queueName = QueueUrl!.slice(QueueUrl!.lastIndexOf('/') + 1);
      await reader.send(new GetQueueUrlCommand({ QueueName: queueName }));
      await new IAMClient(clientConfig(first)).send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'p0' }));
      await rejects(reader.send(new GetQueueUrlCommand({ QueueName: queueName })));

      const tagged = new SQSClient(as(second, await user(first, unique('tagged'), [doc(allow('sqs:SendMessage', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'orders' } } }))])));
      await rejects(tagged.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
      await new SQSClient(clientConfig(first)).send(new TagQueueCommand({ QueueUrl, Tags: { team: 'orders' } }));
      await tagged.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    } finally {
      await second.stop();
      await first.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('nimbus start --enforce-iam', () => {
  it('starts a server that denies a user without policies', async () => {
    const server = await startProcess(['--ephemeral', '--enforce-iam']);
    try {
      assert.match(server.banner, /listening on http:\/\/localhost:\d+[^\n]*\(IAM enforced\)\nReady\.\n/);
      const endpoint = server.endpoint;
      const config = { endpoint, region: 'us-east-1', maxAttempts: 1 };
      const iam = new IAMClient({ ...config, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await iam.send(new CreateUserCommand({ UserName: 'cli-user' }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'cli-user' }))).AccessKey!;
      const asUser = new IAMClient({ ...config, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      const err = await rejects(asUser.send(new ListUsersCommand({})));
      assert.equal(err.name, 'AccessDenied');
      assert.equal(err.$metadata.httpStatusCode, 403);
    } finally {
      await server.stop();
    }
  });
});

describe('MFA', () => {
  it('a virtual MFA device enabled with two codes makes GetSessionToken sessions MFA-authenticated', async () => {
    const nimbus = await start({ enforceIam: true });
    try {
      const iam = new IAMClient(clientConfig(nimbus));
      const policy = doc(allow('sqs:GetQueueUrl', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
      const keys = await user(nimbus, 'mfa-user', [policy]);
      await new SQSClient(clientConfig(nimbus)).send(new CreateQueueCommand({ QueueName: 'guarded' }));
      const created = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'phone' }));
      const serial = created.VirtualMFADevice!.SerialNumber!;
      assert.equal(serial, `arn:aws:iam::${ACCOUNT}:mfa/phone`);
      const seed = Buffer.from(created.VirtualMFADevice!.Base32StringSeed!).toString();
      const step = Math.floor(nimbus.clock.now() / 30_000);
      const bad = await rejects(iam.send(new EnableMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '111111' })));
      assert.equal(bad.name, 'InvalidAuthenticationCodeException');
      await iam.send(new EnableMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: serial, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
      const devices = await iam.send(new ListMFADevicesCommand({ UserName: 'mfa-user' }));
      assert.deepEqual(devices.MFADevices!.map((d) => d.SerialNumber), [serial]);

      const longTerm = new SQSClient(as(nimbus, keys));
      assert.equal((await rejects(longTerm.send(new GetQueueUrlCommand({ QueueName: 'guarded' })))).name, 'AccessDenied');
      const sts = new STSClient(as(nimbus, keys));
      await advance(nimbus, '30s');
      const code = totp(seed, Math.floor(nimbus.clock.now() / 30_000));
      const wrong = await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code === '123456' ? '654321' : '123456' })));
      assert.equal(wrong.name, 'AccessDenied');
      const s = await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
      const session = new SQSClient(as(nimbus, { accessKeyId: s.Credentials!.AccessKeyId!, secretAccessKey: s.Credentials!.SecretAccessKey!, sessionToken: s.Credentials!.SessionToken! }));
      await session.send(new GetQueueUrlCommand({ QueueName: 'guarded' }));
      const reused = await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code })));
      assert.equal(reused.name, 'AccessDenied', 'a code is accepted once');
    } finally {
      await nimbus.stop();
    }
  });
});
