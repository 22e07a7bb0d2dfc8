import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizationsFor } from '../src/iam/actions.js';

/** Operation -> actions and resources, per the Service Authorization Reference. */
const A = '111111111111';
const rows: [string, string, Record<string, unknown>, [string, string][]][] = [
  ['s3', 'ListBuckets', {}, [['s3:ListAllMyBuckets', '*']]],
  ['s3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'p/' }, [['s3:ListBucket', 'arn:aws:s3:::b']]],
  ['s3', 'HeadObject', { Bucket: 'b', Key: 'k' }, [['s3:GetObject', 'arn:aws:s3:::b/k']]],
  ['s3', 'GetObject', { Bucket: 'b', Key: 'k', VersionId: 'v1' }, [['s3:GetObjectVersion', 'arn:aws:s3:::b/k']]],
  ['s3', 'CopyObject', { Bucket: 'dst', Key: 'k2', CopySource: 'src/a%20b.txt' }, [['s3:GetObject', 'arn:aws:s3:::src/a b.txt'], ['s3:PutObject', 'arn:aws:s3:::dst/k2']]],
  ['s3', 'PutObject', { Bucket: 'b', Key: 'k', ACL: 'public-read' }, [['s3:PutObject', 'arn:aws:s3:::b/k'], ['s3:PutObjectAcl', 'arn:aws:s3:::b/k']]],
  ['s3', 'DeleteObjects', { Bucket: 'b', Delete: { Objects: [{ Key: 'x' }, { Key: 'y' }] } }, [['s3:DeleteObject', 'arn:aws:s3:::b/x'], ['s3:DeleteObject', 'arn:aws:s3:::b/y']]],
  ['s3', 'UploadPart', { Bucket: 'b', Key: 'k' }, [['s3:PutObject', 'arn:aws:s3:::b/k']]],
  ['s3', 'GetBucketCors', { Bucket: 'b' }, [['s3:GetBucketCORS', 'arn:aws:s3:::b']]],
  ['sqs', 'SendMessageBatch', { QueueUrl: `http://localhost:4566/${A}/q` }, [['sqs:SendMessage', `arn:aws:sqs:us-east-1:${A}:q`]]],
  ['sqs', 'GetQueueUrl', { QueueName: 'q', QueueOwnerAWSAccountId: '222222222222' }, [['sqs:GetQueueUrl', 'arn:aws:sqs:us-east-1:222222222222:q']]],
  ['sqs', 'ListQueues', {}, [['sqs:ListQueues', '*']]],
  ['sns', 'Publish', { TopicArn: `arn:aws:sns:us-east-1:${A}:t` }, [['sns:Publish', `arn:aws:sns:us-east-1:${A}:t`]]],
  ['sns', 'Unsubscribe', { SubscriptionArn: `arn:aws:sns:us-east-1:${A}:t:1234` }, [['sns:Unsubscribe', `arn:aws:sns:us-east-1:${A}:t`]]],
  ['sns', 'CreateTopic', { Name: 'new' }, [['sns:CreateTopic', `arn:aws:sns:us-east-1:${A}:new`]]],
  ['dynamodb', 'Query', { TableName: 't', IndexName: 'byDate' }, [['dynamodb:Query', `arn:aws:dynamodb:us-east-1:${A}:table/t/index/byDate`]]],
  ['dynamodb', 'BatchWriteItem', { RequestItems: { a: [], b: [] } }, [['dynamodb:BatchWriteItem', `arn:aws:dynamodb:us-east-1:${A}:table/a`], ['dynamodb:BatchWriteItem', `arn:aws:dynamodb:us-east-1:${A}:table/b`]]],
  ['dynamodb', 'TransactWriteItems', { TransactItems: [{ Put: { TableName: 'a' } }, { ConditionCheck: { TableName: 'b' } }] }, [['dynamodb:PutItem', `arn:aws:dynamodb:us-east-1:${A}:table/a`], ['dynamodb:ConditionCheckItem', `arn:aws:dynamodb:us-east-1:${A}:table/b`]]],
  ['dynamodbstreams', 'GetRecords', { ShardIterator: 'x' }, [['dynamodb:GetRecords', '*']]],
  ['lambda', 'Invoke', { FunctionName: 'f' }, [['lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${A}:function:f`]]],
  ['lambda', 'CreateFunction', { FunctionName: 'f', Role: `arn:aws:iam::${A}:role/exec` }, [['lambda:CreateFunction', `arn:aws:lambda:us-east-1:${A}:function:f`], ['iam:PassRole', `arn:aws:iam::${A}:role/exec`]]],
  ['iam', 'CreateUser', { UserName: 'u', Path: '/dev/' }, [['iam:CreateUser', `arn:aws:iam::${A}:user/dev/u`]]],
  ['iam', 'AddUserToGroup', { UserName: 'u', GroupName: 'g' }, [['iam:AddUserToGroup', `arn:aws:iam::${A}:group/g`]]],
  ['iam', 'ListUsers', {}, [['iam:ListUsers', `arn:aws:iam::${A}:user/`]]],
  ['iam', 'AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, [['iam:AttachRolePolicy', `arn:aws:iam::${A}:role/r`]]],
  ['sts', 'AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/r`, RoleSessionName: 's', Tags: [{ Key: 'k', Value: 'v' }] }, [['sts:AssumeRole', `arn:aws:iam::${A}:role/r`], ['sts:TagSession', `arn:aws:iam::${A}:role/r`]]],
  ['sts', 'GetCallerIdentity', {}, []],
  ['ec2', 'DescribeInstances', { InstanceIds: ['i-1'] }, [['ec2:DescribeInstances', '*']]],
  ['ec2', 'TerminateInstances', { InstanceIds: ['i-1', 'i-2'] }, [['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${A}:instance/i-1`], ['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${A}:instance/i-2`]]],
];

describe('operations to IAM actions and resources', () => {
  for (const [service, operation, input, expected] of rows) {
    it(`${service} ${operation} -> ${expected.map(([a]) => a).join(' + ') || 'no permission'}`, () => {
      const got = authorizationsFor({ service, operation, input, accountId: A, region: 'us-east-1', headers: {} });
      assert.deepEqual(got.map((g) => [g.action, g.resource]), expected);
    });
  }

  it('launching with an instance profile also passes its role', () => {
    const got = authorizationsFor({
      service: 'ec2', operation: 'RunInstances', input: { ImageId: 'ami-1', IamInstanceProfile: { Name: 'web' } }, accountId: A, region: 'us-east-1', headers: {},
      instanceProfileRole: (name) => (name === 'web' ? `arn:aws:iam::${A}:role/web-role` : undefined),
    });
    assert.deepEqual(got.map((g) => [g.action, g.resource]), [['ec2:RunInstances', '*'], ['iam:PassRole', `arn:aws:iam::${A}:role/web-role`]]);
    assert.equal(got[1]!.context!['iam:PassedToService'], 'ec2.amazonaws.com');
  });

  it('carries the condition keys of the request', () => {
    const [list] = authorizationsFor({ service: 's3', operation: 'ListObjectsV2', input: { Bucket: 'b', Prefix: 'home/', Delimiter: '/', MaxKeys: 10 }, accountId: A, region: 'us-east-1', headers: {} });
    assert.deepEqual(list!.context, { 's3:prefix': 'home/', 's3:delimiter': '/', 's3:max-keys': '10' });
    const [assume] = authorizationsFor({ service: 'sts', operation: 'AssumeRole', input: { RoleArn: `arn:aws:iam::${A}:role/r`, RoleSessionName: 's', ExternalId: 'x' }, accountId: A, region: 'us-east-1', headers: {} });
    assert.equal(assume!.context!['sts:ExternalId'], 'x');
    assert.equal(assume!.resourceRequired, true);
  });
});
